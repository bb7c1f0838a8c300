"""What the pages following a background job share: whether the worker seems not to run."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

NO_WORKER_AFTER = dt.timedelta(seconds=10)  # queued this long and not taken: no worker runs


def no_worker(created: dt.datetime, started: dt.datetime | None) -> bool:
    """Whether a job queued at `created` and not yet `started` has waited too long: the page
    then says that the background worker does not run (`core/_no_worker.html`)."""
    return started is None and timezone.now() - created > NO_WORKER_AFTER
