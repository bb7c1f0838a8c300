"""The access log (RULES.md S3): every read of someone else's record, and every export."""

from __future__ import annotations

from django.http import HttpRequest

from xeploai.members.models import Member

from .models import PATH_MAX_LENGTH, AccessAction, AccessLog, User


def log_access(
    request_or_user: HttpRequest | User,
    *,
    member: Member | None = None,
    action: AccessAction,
    path: str = "",
    detail: str = "",
) -> AccessLog:
    """Record that a signed-in user viewed `member`'s record or exported data.

    Given a request, the path defaults to the one requested. Call it after the access
    function has let the user through, so that refused requests are not logged as reads.
    """
    if isinstance(request_or_user, User):
        user: object = request_or_user
    else:
        user = request_or_user.user
        path = path or request_or_user.get_full_path()
    if not isinstance(user, User):
        # Views are behind login_required; an anonymous reader here is a programming error.
        raise TypeError("only a signed-in user's access can be logged")
    return AccessLog.objects.create(
        user=user, member=member, action=action, path=path[:PATH_MAX_LENGTH], detail=detail
    )
