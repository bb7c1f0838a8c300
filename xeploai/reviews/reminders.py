"""Reminders by e-mail to whoever a step waits on, escalating to the level above once the
step's deadline has passed."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils.translation import gettext as _

from xeploai.accounts.models import Role, User
from xeploai.accounts.policy import POWERS, Power
from xeploai.cycles.models import Cycle, MemberEvaluation, Step

# Reminders start this many days before a deadline.
DAYS_BEFORE = 3

# For each waiting step: the power that moves it on, and the power above that hears of it late.
RESPONSIBLE: dict[Step, tuple[Power | None, Power]] = {
    Step.SELF_REVIEW: (None, Power.PROPOSE),  # None: the member themselves
    Step.SUBMITTED: (Power.PROPOSE, Power.DECIDE),
    Step.PROPOSED: (Power.DECIDE, Power.APPRAISE),
    Step.DECIDED: (Power.APPRAISE, Power.APPRAISE),
}


@dataclasses.dataclass
class Reminder:
    user: User
    lines: list[str] = dataclasses.field(default_factory=list)
    late: bool = False

    def subject(self) -> str:
        if self.late:
            return _("[Xếp loại] %(n)d việc kiểm điểm đã quá hạn") % {"n": len(self.lines)}
        return _("[Xếp loại] %(n)d việc kiểm điểm sắp đến hạn") % {"n": len(self.lines)}

    def body(self) -> str:
        greeting = _("Kính gửi đồng chí %(name)s,") % {"name": self.user.get_full_name()}
        return "\n".join([greeting, "", *self.lines, "", _("Xếp loại chất lượng")])


class Holders:
    """Who holds a power over a unit path, read from all roles once."""

    def __init__(self) -> None:
        self.roles = list(Role.objects.select_related("user", "unit"))

    def of(self, power: Power, path: str, *, below: int | None = None) -> tuple[list[User], int]:
        """The holders on the nearest unit at or above `path` (with a path shorter than
        `below`, when given), and the length of that unit's path."""
        granting = [
            r
            for r in self.roles
            if power in POWERS.get(r.kind, frozenset())
            and path.startswith(r.unit.path)
            and (below is None or len(r.unit.path) < below)
        ]
        if not granting:
            return [], 0
        nearest = max(len(r.unit.path) for r in granting)
        return [r.user for r in granting if len(r.unit.path) == nearest], nearest


def reminders(cycle: Cycle, today: dt.date) -> list[Reminder]:
    """One reminder per person: what waits on them, or on those below them when late."""
    holders = Holders()
    # The accounts of members who have not submitted yet, not of every member on the system.
    late_members = User.objects.filter(
        member__evaluations__cycle=cycle, member__evaluations__step=Step.SELF_REVIEW
    )
    members = {u.member_id: u for u in late_members}
    by_user: dict[int, Reminder] = {}
    waiting = MemberEvaluation.objects.filter(cycle=cycle, step__in=RESPONSIBLE).select_related(
        "member", "cell"
    )
    grouped: dict[tuple[str, str], list[MemberEvaluation]] = defaultdict(list)
    for e in waiting:
        grouped[(e.step, e.unit_path)].append(e)
    for (step_value, path), evaluations in grouped.items():
        step = Step(step_value)
        due = cycle.due_for(step)
        if due is None or today < due - dt.timedelta(days=DAYS_BEFORE):
            continue
        late = today > due
        power, above = RESPONSIBLE[step]
        for e in evaluations:
            line = _("- %(name)s (%(cell)s): %(step)s, hạn %(due)s") % {
                "name": e.member.full_name,
                "cell": e.cell.name,
                "step": step.label,
                "due": due.strftime("%d/%m/%Y"),
            }
            if power is None:
                actors = [members[e.member_id]] if e.member_id in members else []
                level = len(path) + 1
            else:
                actors, level = holders.of(power, path)
            if late:
                # The level above hears of it; appraisal late goes to the board above.
                actors += holders.of(above, path, below=level if power == above else None)[0]
            for user in {u.pk: u for u in actors}.values():
                reminder = by_user.setdefault(user.pk, Reminder(user))
                reminder.lines.append(line)
                reminder.late = reminder.late or late
    return list(by_user.values())


def send(reminders_: list[Reminder]) -> tuple[int, int]:
    """Send the reminders; returns (sent, skipped for want of an address)."""
    messages = [
        (r.subject(), r.body(), settings.DEFAULT_FROM_EMAIL, [r.user.email])
        for r in reminders_
        if r.user.email
    ]
    send_mass_mail(messages, fail_silently=False)
    return len(messages), len(reminders_) - len(messages)
