from __future__ import annotations

from django.http import HttpRequest


class ReadOnlyAdmin:
    """For records of what happened (decisions, history, reads): administrators read and
    search them; nobody adds, changes or deletes them, superusers included."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
