"""The signals and findings a user reads, fetched or refused (STYLE.md 7); who reads them is
decided in `accounts.policy.reads_signals`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from xeploai.accounts.access import get_unit_for_user
from xeploai.accounts.models import User
from xeploai.accounts.policy import reads_signals
from xeploai.units.models import Unit

from .models import Finding


def get_unit_for_signals(user: User, code: str) -> Unit:
    """A unit whose signals the user reads: 404 outside their scope, 403 for a unit they
    see without deciding or appraising there."""
    unit = get_unit_for_user(user, code)
    if not reads_signals(user, unit.path):
        raise PermissionDenied
    return unit


def get_finding_for_user(user: User, pk: int) -> Finding:
    """A finding the user reads; 404 otherwise, even if it exists."""
    finding = Finding.objects.select_related("cycle").filter(pk=pk).first()
    if finding is None or not reads_signals(user, finding.unit_path):
        raise Http404
    return finding
