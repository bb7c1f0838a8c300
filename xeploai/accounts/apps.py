from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "xeploai.accounts"
    verbose_name = "Người dùng và vai trò"
