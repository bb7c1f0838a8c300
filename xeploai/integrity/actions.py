"""The writes of the app (STYLE.md 5): an analysis asked, then run and kept; a finding
examined."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from xeploai.accounts.models import User
from xeploai.core.replica import replica
from xeploai.cycles.models import Cycle
from xeploai.units.models import GRASSROOTS_KINDS, Unit

from . import people, results, signals
from .models import Analysis, AnalysisState, Examination, Finding

PENDING = (AnalysisState.QUEUED, AnalysisState.RUNNING)
# What an analysis looks for, each a function of the unit and the cycle giving its signals.
FINDERS = (
    signals.find,
    results.find,
    people.appraisal_changes,
    people.self_inflation,
    people.inconsistent,
)


def scope_of(unit: Unit) -> Unit:
    """The subtree an analysis of `unit` covers: copies are looked for across a whole
    grassroots unit, so a unit below one is analysed with it."""
    above = Unit.objects.filter(path__in=unit.ancestor_paths(), kind__in=GRASSROOTS_KINDS)
    return above.order_by("depth").first() or unit


def ask(unit: Unit, *, cycle: Cycle, by: User) -> Analysis:
    """Queue an analysis of `unit`'s subtree for the worker; the one already queued or under
    way when there is one."""
    from .tasks import run_analysis

    scope = scope_of(unit)
    with transaction.atomic():
        pending = Analysis.objects.select_for_update().filter(
            unit=scope, cycle=cycle, state__in=PENDING
        )
        analysis = pending.first()
        if analysis is not None:
            return analysis
        analysis = Analysis.objects.create(
            unit=scope, cycle=cycle, by=by, state=AnalysisState.QUEUED, asked=timezone.now()
        )
        transaction.on_commit(lambda: run_analysis.enqueue(analysis.pk))
    return analysis


def analyse(unit: Unit, *, cycle: Cycle, by: User | None) -> Analysis:
    """Analyse `unit`'s subtree now and keep what is found (the command line's way)."""
    now = timezone.now()
    analysis = Analysis.objects.create(
        unit=scope_of(unit), cycle=cycle, by=by, state=AnalysisState.RUNNING, asked=now, started=now
    )
    run(analysis)
    return analysis


def run(analysis: Analysis) -> None:
    """Find the subtree's signals, then replace its findings with them in one transaction;
    a failure leaves the findings as they were."""
    try:
        with replica():
            found = [s for find in FINDERS for s in find(analysis.unit, analysis.cycle)]
        keep(analysis, found)
    except Exception:
        analysis.state = AnalysisState.FAILED
        analysis.finished = timezone.now()
        analysis.save(update_fields=["state", "finished"])
        raise


def keep(analysis: Analysis, found: list[signals.Signal]) -> None:
    strongest: dict[str, signals.Signal] = {}
    for signal in found:  # the strongest first: one finding per identity
        strongest.setdefault(signal.key, signal)
    rows = [Finding.of(signal, analysis.cycle) for signal in strongest.values()]
    with transaction.atomic():
        Finding.objects.filter(cycle=analysis.cycle).in_subtree(analysis.unit).delete()
        Finding.objects.bulk_create(rows, batch_size=1000)
        analysis.state = AnalysisState.DONE
        analysis.finished = timezone.now()
        analysis.found = len(rows)
        analysis.save(update_fields=["state", "finished", "found"])


def examine(finding: Finding, *, note: str, by: User) -> Examination:
    """Mark `finding` examined, with what was concluded; marked again, the note and who
    marked it are replaced, and the earlier version is kept in the record's history."""
    examination, _created = Examination.objects.update_or_create(
        cycle=finding.cycle,
        key=finding.key,
        defaults={"note": note, "by": by, "at": timezone.now()},
    )
    return examination


def unexamine(finding: Finding) -> None:
    """Take back the mark: the finding calls for a look again."""
    for examination in Examination.objects.filter(cycle=finding.cycle, key=finding.key):
        examination.delete()  # one at most; deleted by itself so that its history says so
