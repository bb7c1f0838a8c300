"""The pages of the member review, one module per page group."""
