from __future__ import annotations

from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "xeploai.members"
    verbose_name = "Đảng viên"
