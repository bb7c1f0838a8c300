"""Where results deserve a second look: signals found in the texts and figures of a cycle."""
