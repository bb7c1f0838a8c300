"""The organisation tree (DOMAIN.md 2): units nested to any depth, kept as a materialized path."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from xeploai.core.history import HistoricalRecords
from xeploai.core.text import search_key

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from xeploai.accounts.models import User

# Each level of the tree adds a fixed-width, base-36 segment to the path, so that a subtree is
# `path LIKE 'prefix%'` on an index and sorting by path lists a tree depth-first.
SEGMENT = 4
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
MAX_CHILDREN = len(_DIGITS) ** SEGMENT


def cycle_subtree_index(name: str) -> models.Index:
    """The index of the rows of one cycle under a unit (`cycle = %s AND unit_path LIKE
    'prefix%'`), the read every report and check makes. PostgreSQL serves a prefix LIKE from
    a btree only with the pattern operator class, the database's collation not being "C";
    without it, a district's read scans the nation's rows of the cycle. SQLite ignores the
    operator classes."""
    return models.Index(
        fields=["cycle", "unit_path"], name=name, opclasses=["int8_ops", "varchar_pattern_ops"]
    )


def segment(index: int) -> str:
    """The path segment of the `index`-th child (0-based)."""
    if not 0 <= index < MAX_CHILDREN:
        raise ValueError(f"a unit can have at most {MAX_CHILDREN} direct sub-units")
    digits = []
    for _position in range(SEGMENT):
        index, rest = divmod(index, len(_DIGITS))
        digits.append(_DIGITS[rest])
    return "".join(reversed(digits))


class UnitKind(models.TextChoices):
    CENTRE = "CENTRE", _("Trung ương")
    PROVINCE = "PROVINCE", _("Đảng bộ tỉnh")
    DISTRICT = "DISTRICT", _("Đảng bộ huyện")
    BLOC = "BLOC", _("Đảng ủy khối, đảng bộ trực thuộc")
    GRASSROOTS_COMMITTEE = "GRASSROOTS_COMMITTEE", _("Đảng bộ cơ sở")
    GRASSROOTS_CELL = "GRASSROOTS_CELL", _("Chi bộ cơ sở")
    PARTIAL_COMMITTEE = "PARTIAL_COMMITTEE", _("Đảng bộ bộ phận")
    CELL = "CELL", _("Chi bộ trực thuộc")


CELL_KINDS = (UnitKind.GRASSROOTS_CELL, UnitKind.CELL)
GRASSROOTS_KINDS = (UnitKind.GRASSROOTS_COMMITTEE, UnitKind.GRASSROOTS_CELL)


class FieldType(models.TextChoices):
    """Type of field (loại hình): organisations are grouped by it for the quota (R26)."""

    COMMUNE = "COMMUNE", _("Xã, phường, đặc khu")
    PARTY_AGENCY = "PARTY_AGENCY", _("Cơ quan Đảng, Mặt trận, đoàn thể")
    ADMINISTRATION = "ADMINISTRATION", _("Cơ quan hành chính")
    PUBLIC_SERVICE = "PUBLIC_SERVICE", _("Đơn vị sự nghiệp")
    ENTERPRISE = "ENTERPRISE", _("Doanh nghiệp")
    MILITARY = "MILITARY", _("Quân đội")
    POLICE = "POLICE", _("Công an")
    RESIDENTIAL = "RESIDENTIAL", _("Thôn, tổ dân phố")
    OTHER = "OTHER", _("Khác")


class UnitQuerySet(models.QuerySet["Unit"]):
    def in_subtree(self, unit: Unit) -> UnitQuerySet:
        """The unit and all units below it."""
        return self.filter(path__startswith=unit.path)

    def below(self, unit: Unit) -> UnitQuerySet:
        return self.in_subtree(unit).exclude(pk=unit.pk)

    def cells(self) -> UnitQuerySet:
        return self.filter(kind__in=CELL_KINDS)

    def open(self) -> UnitQuerySet:
        return self.filter(closed__isnull=True)

    def visible_to(self, user: User | AnonymousUser) -> UnitQuerySet:
        """The units whose subtree a role of the user covers (S1)."""
        from xeploai.accounts.policy import unit_scope

        return unit_scope(self, user)


class Unit(models.Model):
    """A party organisation: a node of the tree, from the centre down to a cell."""

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("đơn vị cấp trên"),
    )
    path = models.CharField(_("đường dẫn"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("cấp"), editable=False)
    kind = models.CharField(_("loại"), max_length=24, choices=UnitKind.choices)
    field_type = models.CharField(
        _("loại hình"), max_length=16, choices=FieldType.choices, default=FieldType.OTHER
    )
    code = models.CharField(_("mã đơn vị"), max_length=32, unique=True)
    name = models.CharField(_("tên đơn vị"), max_length=255)
    search_key = models.CharField(max_length=255, db_index=True, editable=False)
    founded = models.DateField(_("ngày thành lập"))
    closed = models.DateField(_("ngày giải thể"), null=True, blank=True)

    objects = UnitQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tổ chức đảng")
        verbose_name_plural = _("tổ chức đảng")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_key = search_key(self.name, self.code)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    @property
    def is_cell(self) -> bool:
        return self.kind in CELL_KINDS

    @property
    def is_grassroots(self) -> bool:
        return self.kind in GRASSROOTS_KINDS

    def is_ancestor_of(self, other: Unit) -> bool:
        """Whether `other` is this unit or lies below it."""
        return other.path.startswith(self.path)

    def ancestor_paths(self) -> list[str]:
        """The paths of this unit's ancestors, from the root down, then its own."""
        return [self.path[: n * SEGMENT] for n in range(1, self.depth + 2)]
