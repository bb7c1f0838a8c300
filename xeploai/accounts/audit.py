"""The access log (RULES.md S3): every read of someone else's record, and every export.

Every door logs through the functions here, so that each kind of read is written one way:

- a page, or an API view, showing ONE member's record calls `log_read`, which leaves out a
  member reading their own record;
- a page listing members calls `log_list_read`: ONE entry per page shown, never one per
  member listed;
- an export calls `log_access` with `AccessAction.EXPORT`; the command line names its actor
  with `add_actor_argument` and `command_actor`, and logs with `log_command_export`;
- the admin's ModelAdmins of members' records inherit `LoggedReadsAdmin`.
"""

from __future__ import annotations

import getpass
import shlex
from collections.abc import Sequence
from operator import attrgetter
from typing import Any, TypeVar

from django.contrib import admin
from django.core.management.base import CommandError, CommandParser
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from xeploai.core.text import printable
from xeploai.members.models import Member

from .models import PATH_MAX_LENGTH, AccessAction, AccessLog, User

# A list's filter is kept as typed, up to this length: enough to tell one search from another,
# and a query string as long as a server takes cannot swell the log.
FILTER_MAX_LENGTH = 500


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
    Path and detail lose what prints nothing (PostgreSQL refuses a NUL in any string, and a
    search may hold one), so that no read goes unlogged for the way it was typed.
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
        user=user,
        member=member,
        action=action,
        path=printable(path)[:PATH_MAX_LENGTH],
        detail=printable(detail),
    )


def log_read(request: HttpRequest, member: Member | None, *, detail: str = "") -> None:
    """A read of one record: `member`'s, or, when None, one that names several people (a
    meeting and its absentees). S3 covers reads by someone other than the member, so a
    member reading their own record leaves no entry."""
    if member is not None and getattr(request.user, "member_id", None) == member.pk:
        return
    log_access(request, member=member, action=AccessAction.VIEW, detail=detail)


def log_list_read(request: HttpRequest, *, listing: str, count: int | None = None) -> None:
    """A page listing members is a read of their records (S3), logged as ONE entry per page:
    action VIEW, member null, the detail naming the list, its filter (the query string, as
    typed) and how many rows it holds. One entry per member listed would write thousands of
    rows for one look at a district, and say no more than the list's name and filter do.

    Only a GET is logged: a POST re-showing the page after a refused write shows what the GET
    before it showed and logged."""
    if request.method != "GET":
        return
    parts = [listing]
    query = "&".join(f"{key}={value}" for key, values in request.GET.lists() for value in values)
    if query:
        parts.append(_("lọc: {query}").format(query=query[:FILTER_MAX_LENGTH]))
    if count is not None:
        parts.append(_("{count} dòng").format(count=count))
    log_access(request, action=AccessAction.VIEW, detail="; ".join(parts))


_M = TypeVar("_M", bound=Model)


class LoggedReadsAdmin(admin.ModelAdmin[_M]):
    """The admin of a model holding members' personal data, with its reads logged (S3).

    A change page shown (GET) is a read of the member the record belongs to (`member_path`,
    an attribute path from the record; None for records naming nobody in particular); a
    list, whether the change list or the search of an autocomplete field, is ONE entry
    naming the model and the filter, member null. Saving (POST) is a write, not a read; the
    page it was sent from was logged when it was shown.
    """

    member_path: str | None = "member"

    def member_of(self, obj: _M) -> Member | None:
        """The member whose record `obj` is, or belongs to."""
        if isinstance(obj, Member):
            return obj
        if self.member_path is None:
            return None
        found: Member = attrgetter(self.member_path)(obj)
        return found

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        shown = (getattr(response, "context_data", None) or {}).get("original")
        if request.method == "GET" and shown is not None:
            detail = _("trang quản trị: {model}").format(model=self.opts.verbose_name)
            log_read(request, self.member_of(shown), detail=detail)
        return response

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            listing = _("trang quản trị: danh sách {model}").format(
                model=self.opts.verbose_name_plural
            )
            log_list_read(request, listing=listing, count=changelist.result_count)
        return response

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[_M], search_term: str
    ) -> tuple[QuerySet[_M], bool]:
        # An autocomplete field lists this model's records as the user types in another
        # model's form: each search is a list read. The change list searches through here
        # too, but logs itself once in changelist_view.
        results = super().get_search_results(request, queryset, search_term)
        match = request.resolver_match
        if match is not None and match.view_name == f"{self.admin_site.name}:autocomplete":
            listing = _("trang quản trị: tìm {model}").format(model=self.opts.verbose_name_plural)
            log_list_read(request, listing=listing)
        return results


def add_actor_argument(parser: CommandParser) -> None:
    """The command line has no signed-in user: `--as` names the account its export is
    logged under."""
    parser.add_argument(
        "--as",
        dest="actor",
        metavar="USERNAME",
        help="the account this export is logged under (access log, RULES.md S3);"
        " by default the account named as the operating-system user",
    )


def os_user() -> str:
    """The operating-system user running the command; empty when the system has no name
    for it (a container's bare uid)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def command_actor(username: str | None) -> User:
    """The active account named by `--as`, by default the one named as the operating-system
    user; without one the command stops before exporting anything."""
    username = username or os_user()
    user = User.objects.filter(username=username, is_active=True).first() if username else None
    if user is None:
        raise CommandError(
            _(
                "Không có tài khoản đang hoạt động nào tên «{username}». Mỗi lần xuất dữ liệu"
                " được ghi vào nhật ký truy cập dưới tên một tài khoản: hãy ghi rõ"
                " --as TÊN_ĐĂNG_NHẬP."
            ).format(username=username)
        )
    return user


def log_command_export(user: User, *, command: Sequence[str], detail: str) -> AccessLog:
    """An export from the command line: the command as typed stands as the path, and the
    operating-system user joins the detail, since anyone at the server's shell may name any
    account with `--as` while the system vouches for its own users."""
    detail = _("{detail}; dòng lệnh, người dùng hệ điều hành: {os_user}").format(
        detail=detail, os_user=os_user() or "?"
    )
    return log_access(
        user, action=AccessAction.EXPORT, path=shlex.join(["xeploai", *command]), detail=detail
    )
