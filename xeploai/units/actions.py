"""Writes to the tree."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .models import SEGMENT, Unit, segment


def next_child_path(parent: Unit | None) -> str:
    """The path for a new last child of `parent` (a new root when None)."""
    siblings = Unit.objects.filter(parent=parent).order_by("-path")
    last = siblings.values_list("path", flat=True).first()
    index = int(last[-SEGMENT:], 36) + 1 if last else 0
    return (parent.path if parent else "") + segment(index)


@transaction.atomic
def create_unit(parent: Unit | None, **fields: Any) -> Unit:
    """Add a unit under `parent`, placing it last among its siblings."""
    if parent is not None:
        parent = Unit.objects.select_for_update().get(pk=parent.pk)
    return Unit.objects.create(
        parent=parent,
        path=next_child_path(parent),
        depth=parent.depth + 1 if parent else 0,
        **fields,
    )
