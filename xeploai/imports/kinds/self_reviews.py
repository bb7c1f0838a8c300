"""Past self-reviews: what a member wrote in a year before the system, section by section, so
that the first year in the system can already be compared with earlier ones (integrity).

A row names the member and the year; the member's result of that year must be there already
(imported with the past results), and the year's cycle closed: a self-review of the cycle
under way is written by the member, never imported over."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xeploai.cycles.models import CycleKind, MemberEvaluation
from xeploai.reviews.models import SECTIONS, SelfReview
from xeploai.units.models import Unit

from .. import values
from ..base import CHUNK, Item, Kind, Run, upsert
from ..reader import Column
from ..report import Report
from .results import past_cycle

FORM = "IMPORT"  # the form of an imported self-review: sections only, no score sheet
SECTION_MAX_LENGTH = 20_000

COLUMNS = (
    Column("code", "Mã đảng viên", ("Số lý lịch", "Mã ĐV"), example="DV000001"),
    Column(
        "year",
        "Năm",
        parse=values.year,
        note=gettext_lazy("Năm của bản kiểm điểm, đã có kết quả xếp loại, ví dụ 2024."),
        example=2024,
    ),
    *(
        Column(key, str(title), required=False, example="Hoàn thành tốt nhiệm vụ được giao.")
        for key, title in SECTIONS.items()
    ),
)
HEADERS = {c.field: c.header for c in COLUMNS}


class SelfReviewRowForm(forms.Form):
    code = forms.CharField(label=_("Mã đảng viên"), max_length=32)
    year = forms.IntegerField(label=_("Năm"), min_value=1930)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, title in SECTIONS.items():
            self.fields[key] = forms.CharField(
                label=title, required=False, max_length=SECTION_MAX_LENGTH, strip=True
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        if not any(data.get(key) for key in SECTIONS):
            raise forms.ValidationError(_("Dòng không có phần nào của bản kiểm điểm."))
        return data


def write(items: list[Item], report: Report, run: Run) -> None:
    wanted = [d for _r, d, _v in items if d["code"] and d["year"]]
    found = MemberEvaluation.objects.select_related("member", "cycle").filter(
        member__code__in={d["code"] for d in wanted},
        cycle__kind=CycleKind.YEAR,
        cycle__year__in={d["year"] for d in wanted},
    )
    evaluations = {(e.member.code, e.cycle.year): e for e in found}
    valid = []
    for row, data, ok in items:
        if not (data["code"] and data["year"]):
            continue
        cycle = past_cycle(data["year"], row, report, run, create=False)
        evaluation = evaluations.get((data["code"], data["year"]))
        if cycle is not None and evaluation is None:
            report.add(
                row.number,
                HEADERS["code"],
                _(
                    "Chưa có kết quả xếp loại năm {year} của đảng viên mã {code}: nhập kết quả"
                    " các năm trước."
                ).format(year=data["year"], code=data["code"]),
            )
        elif cycle is not None and ok:
            sections = {key: data[key] for key in SECTIONS if data[key]}
            valid.append((row, {"evaluation": evaluation, "form": FORM, "sections": sections}))
    existing = SelfReview.objects.filter(evaluation__in=[f["evaluation"] for _r, f in valid])
    upsert(SelfReview, valid, existing, ("evaluation",), report, run)


def export(root: Unit | None) -> Iterator[dict[str, object]]:
    """The self-reviews of the closed cycles: what this import reads back."""
    reviews = SelfReview.objects.filter(evaluation__cycle__closed=True)
    if root is not None:
        reviews = reviews.filter(evaluation__unit_path__startswith=root.path)
    rows = reviews.select_related("evaluation__member", "evaluation__cycle").order_by(
        "evaluation__member__code", "evaluation__cycle__year"
    )
    for review in rows.iterator(chunk_size=CHUNK):
        written = review.sections if isinstance(review.sections, dict) else {}
        yield {
            "code": review.evaluation.member.code,
            "year": review.evaluation.cycle.year,
            **{key: written.get(key, "") for key in SECTIONS},
        }


SELF_REVIEWS = Kind(
    "self_reviews",
    gettext_lazy("Bản tự kiểm điểm các năm trước"),
    COLUMNS,
    ("code", "year"),
    SelfReviewRowForm,
    write,
    export,
)
