"""Organisations in a unit's report as offices count them: the grassroots organisations
(TCCSĐ) as one population right after their two kinds, the committees above grassroots level
by kind, and "tiêu biểu" counted inside "trong sạch vững mạnh" (R34, R38), with the figures
offices publish coming out exactly, in the JSON, the text and the spreadsheet alike, and
reconciling (R36)."""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.test import TestCase
from django.urls import reverse
from python_calamine import CalamineWorkbook

from xeploai.core.testing import make_cycle, make_personas, make_unit
from xeploai.cycles.models import Cycle, Level, Status, UnitEvaluation
from xeploai.imports.base import Kind, run_import
from xeploai.imports.kinds import RESULTS, UNITS
from xeploai.reports import exports, text
from xeploai.reports.checks import check
from xeploai.reports.data import report
from xeploai.reports.tables import Percent, Table, printed, tables
from xeploai.rules import Regime
from xeploai.units.models import Unit, UnitKind

GRASSROOTS_KEYS = ["GRASSROOTS_COMMITTEE", "GRASSROOTS_CELL", "GRASSROOTS"]


class OrganisationsTestCase(TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.tmp)

    def organisation(
        self, parent: Unit, kind: UnitKind, cycle: Cycle, level: Level | None, **fields: Any
    ) -> Unit:
        """A unit with its own evaluation in `cycle`, classified at `level`."""
        unit = make_unit(parent, kind=kind)
        fields.setdefault("status", Status.CLASSIFIED)
        UnitEvaluation.objects.create(
            cycle=cycle, unit=unit, unit_path=unit.path, level_final=level, **fields
        )
        return unit

    def imported(self, kind: Kind, name: str, lines: list[str]) -> None:
        """A file imported as offices send their past years."""
        path = self.tmp / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        done = run_import(kind, path)
        self.assertEqual(done.errors, [])

    def table(self, data: dict[str, Any], key: str) -> Table:
        return next(t for t in tables(data) if t.key == key)

    def check_formats(self, data: dict[str, Any]) -> None:
        """The text output prints every row of every table, and the spreadsheet stores them
        (figures as numbers, shares as the numbers they show)."""
        lines = {_bare(line) for line in text.render(data).splitlines()}
        book = CalamineWorkbook.from_filelike(io.BytesIO(exports.xlsx(data)))
        for table in tables(data):
            for row in table.rows:
                self.assertIn(_bare("".join(printed(c) for c in row)), lines, table.key)
            sheet = book.get_sheet_by_name(table.sheet).to_python()
            self.assertEqual((sheet[0][0], sheet[2]), (table.title, table.headers))
            self.assertEqual(len(sheet) - 3, len(table.rows), table.key)
            for stored, row in zip(sheet[3:], table.rows, strict=True):
                expected = [float(c.value) if isinstance(c, Percent) else c for c in row]
                self.assertEqual([_rounded(v) for v in stored], [_rounded(v) for v in expected])

    def test_it_counts_the_grassroots_organisations_as_one_population(self) -> None:
        # The published figure: 59 TCCSĐ, 5 / 50 / 4 → 8,5 % / 84,7 % / 6,8 %.
        p = make_personas()
        cycle = make_cycle(2025, closed=True)
        UnitEvaluation.objects.create(
            cycle=cycle,
            unit=p.commune,
            unit_path=p.commune.path,
            status=Status.CLASSIFIED,
            level_final=Level.EXCELLENT,
        )
        committees = [Level.EXCELLENT] * 2 + [Level.GOOD] * 18 + [Level.COMPLETED] * 2
        cells = [Level.EXCELLENT] * 2 + [Level.GOOD] * 32 + [Level.COMPLETED] * 2
        for kind, levels in (
            (UnitKind.GRASSROOTS_COMMITTEE, committees),
            (UnitKind.GRASSROOTS_CELL, cells),
        ):
            for level in levels:
                self.organisation(p.district, kind, cycle, level)
        data = report(p.district, cycle)
        self.assertTrue(data["reconciled"], data["problems"])
        self.assertEqual(
            list(data["units"]),
            [
                "PROVINCE",
                "DISTRICT",
                "BLOC",
                *GRASSROOTS_KEYS,
                "PARTIAL_COMMITTEE",
                "CELL",
            ],
        )
        grassroots = data["units"]["GRASSROOTS"]
        self.assertEqual(
            grassroots,
            {
                "label": "Tổ chức cơ sở đảng",
                "total": 59,
                "exempt": 0,
                "exempt_by_reason": {},
                "pending": 0,
                "pending_by_reason": {},
                "not_classified_new": 0,
                "classified": 59,
                "levels": {
                    "EXCELLENT": {"count": 5, "percent": "8,5 %", "exemplary": 0},
                    "GOOD": {"count": 50, "percent": "84,7 %", "exemplary": 0},
                    "COMPLETED": {"count": 4, "percent": "6,8 %", "exemplary": 0},
                    "NOT_COMPLETED": {"count": 0, "percent": "0,0 %", "exemplary": 0},
                },
                "labels": [],
            },
        )
        self.assertEqual([data["units"][k]["total"] for k in GRASSROOTS_KEYS], [23, 36, 59])
        # In every child too: each TCCSĐ under the district is one; the sum is never counted
        # twice, neither in the children nor in the organisations of every kind of the trend.
        for child in data["children"]:
            own = [child["units"][k]["total"] for k in GRASSROOTS_KEYS]
            self.assertEqual(own[2], own[0] + own[1], child["unit"])
        self.assertEqual(sum(c["units"]["GRASSROOTS"]["total"] for c in data["children"]), 59)
        self.assertEqual(data["trend"][-1]["organisations"]["members"]["total"], 59)
        # The table of kinds: the TCCSĐ right after its two kinds, in bold.
        kinds = self.table(data, "units")
        self.assertEqual(
            [row[0] for row in kinds.rows], ["Đảng bộ cơ sở", "Chi bộ cơ sở", "Tổ chức cơ sở đảng"]
        )
        self.assertEqual(
            [printed(c) for c in kinds.rows[2]],
            ["Tổ chức cơ sở đảng", "59", "0", "0", "0", "59"]
            + ["5", "8,5 %", "50", "84,7 %", "4", "6,8 %", "0", "0,0 %"],
        )
        self.assertEqual([total for total, _row in kinds.printed()], [False, False, True])
        self.assertNotIn("HTXSNV: trong đó tiêu biểu", kinds.headers)  # none is exemplary
        keys = [t.key for t in tables(data)]
        at = keys.index("units-GRASSROOTS_CELL")
        self.assertEqual(
            keys[at - 1 : at + 2],
            ["units-GRASSROOTS_COMMITTEE", "units-GRASSROOTS_CELL", "units-GRASSROOTS"],
        )
        self.check_formats(data)
        # The page prints the same row, in bold.
        response = p.client(p.dung).get(reverse("reports:report", args=[p.district.code, 2025]))
        self.assertContains(
            response, '<tr class="total"><td>Tổ chức cơ sở đảng</td><td class="n">59</td>'
        )

    def test_it_prints_a_province_s_grassroots_figures_imported_from_its_files(self) -> None:
        # The published figure: 658/668 TCCSĐ classified, 114 / 503 / 40 / 1; 10 too new.
        province = make_unit(None, kind=UnitKind.PROVINCE, code="T1", name="Tỉnh")
        districts = ["H1", "H2", "H3", "H4"]
        units = ["Mã đơn vị,Tên đơn vị,Loại,Mã đơn vị cấp trên,Loại hình,Ngày thành lập"]
        units += [f"{code},Huyện {code},Đảng bộ huyện,T1,,01/01/1976" for code in districts]
        results = ["Năm,Đối tượng,Mã,Kết quả,Lý do"]
        outcomes = (
            ["Hoàn thành xuất sắc nhiệm vụ"] * 114
            + ["Hoàn thành tốt nhiệm vụ"] * 503
            + ["Hoàn thành nhiệm vụ"] * 40
            + ["Không hoàn thành nhiệm vụ"]
            + ["Không xếp loại"] * 10
        )
        for i, outcome in enumerate(outcomes):
            kind = "Đảng bộ cơ sở" if i % 3 == 0 else "Chi bộ cơ sở"
            code, parent = f"CS{i:03d}", districts[i % len(districts)]
            units.append(f"{code},Tổ chức cơ sở {i},{kind},{parent},Xã,01/01/1990")
            reason = "Mới thành lập, chưa đủ 6 tháng" if outcome == "Không xếp loại" else ""
            results.append(f"2024,Tổ chức,{code},{outcome},{reason}")
        self.imported(UNITS, "units.csv", units)
        self.imported(RESULTS, "results.csv", results)
        data = report(province, Cycle.objects.get(year=2024))
        self.assertTrue(data["reconciled"], data["problems"])
        grassroots = data["units"]["GRASSROOTS"]
        self.assertEqual(
            (grassroots["total"], grassroots["classified"], grassroots["not_classified_new"]),
            (668, 658, 10),
        )
        self.assertEqual(
            {k: (v["count"], v["percent"]) for k, v in grassroots["levels"].items()},
            {
                "EXCELLENT": (114, "17,3 %"),
                "GOOD": (503, "76,4 %"),
                "COMPLETED": (40, "6,1 %"),
                "NOT_COMPLETED": (1, "0,2 %"),
            },
        )
        committees = data["units"]["GRASSROOTS_COMMITTEE"]["total"]
        self.assertEqual(committees + data["units"]["GRASSROOTS_CELL"]["total"], 668)
        self.assertEqual([c["units"]["GRASSROOTS"]["total"] for c in data["children"]], [167] * 4)
        tccsd = self.table(data, "units-GRASSROOTS")
        self.assertEqual(
            [printed(c) for c in tccsd.rows[0]],
            ["Tổng cộng: Tỉnh", "668", "0", "0", "10", "658"]
            + ["114", "17,3 %", "503", "76,4 %", "40", "6,1 %", "1", "0,2 %"],
        )
        self.check_formats(data)

    def test_it_counts_committees_above_grassroots_level_by_kind(self) -> None:
        # The published figure: 2 of the 14 committees under the province EXCELLENT.
        province = make_unit(None, kind=UnitKind.PROVINCE, code="T1", name="Tỉnh")
        cycle = make_cycle(2025, closed=True)
        for level in [Level.EXCELLENT] * 2 + [Level.GOOD] * 12:
            self.organisation(province, UnitKind.DISTRICT, cycle, level)
        data = report(province, cycle)
        self.assertTrue(data["reconciled"], data["problems"])
        districts = data["units"]["DISTRICT"]
        self.assertEqual((districts["label"], districts["total"]), ("Đảng bộ huyện", 14))
        self.assertEqual(
            (districts["levels"]["EXCELLENT"], districts["levels"]["GOOD"]["percent"]),
            ({"count": 2, "percent": "14,3 %", "exemplary": 0}, "85,7 %"),
        )
        self.assertEqual(data["units"]["BLOC"]["total"], 0)  # in the data, with nothing
        self.assertEqual(data["units"]["GRASSROOTS"]["total"], 0)
        keys = [t.key for t in tables(data)]
        self.assertIn("units-DISTRICT", keys)
        self.assertNotIn("units-BLOC", keys)  # a kind with nothing to count has no table
        self.assertNotIn("units-GRASSROOTS", keys)
        self.assertEqual([row[0] for row in self.table(data, "units").rows], ["Đảng bộ huyện"])
        self.check_formats(data)
        # A committee's own result counts in its own report too, as its own part.
        district = Unit.objects.filter(kind=UnitKind.DISTRICT).first()
        assert district is not None
        own = report(district, cycle)
        self.assertEqual(own["units"]["DISTRICT"]["total"], 1)
        self.assertTrue(own["reconciled"], own["problems"])

    def test_it_counts_exemplary_organisations_inside_trong_sach_vung_manh(self) -> None:
        # The published figure: of 61 organisations, 33 TSVM (54,1 %), of which 5 tiêu biểu.
        province = make_unit(None, kind=UnitKind.PROVINCE, code="T1", name="Tỉnh")
        make_unit(province, kind=UnitKind.DISTRICT, code="H1", name="Huyện 1")
        make_unit(province, kind=UnitKind.DISTRICT, code="H2", name="Huyện 2")
        units = ["Mã đơn vị,Tên đơn vị,Loại,Mã đơn vị cấp trên,Loại hình,Ngày thành lập"]
        results = ["Năm,Đối tượng,Mã,Kết quả,Lý do"]
        outcomes = (
            [("H1", "Trong sạch vững mạnh")] * 28
            + [("H1", "Hoàn thành tốt nhiệm vụ")] * 20
            + [("H1", "Hoàn thành nhiệm vụ")] * 6
            + [("H1", "Yếu kém")] * 2
            + [("H2", "Trong sạch vững mạnh tiêu biểu")] * 5  # only exemplary ones in H2
        )
        for i, (parent, outcome) in enumerate(outcomes):
            kind = "Đảng bộ cơ sở" if i % 2 else "Chi bộ cơ sở"
            units.append(f"CS{i:03d},Tổ chức cơ sở {i},{kind},{parent},Xã,01/01/1990")
            results.append(f"2015,Tổ chức,CS{i:03d},{outcome},")
        self.imported(UNITS, "units.csv", units)
        self.imported(RESULTS, "results.csv", results)
        cycle = Cycle.objects.get(year=2015)
        self.assertEqual(cycle.regime, Regime.LEGACY)
        data = report(province, cycle)
        self.assertTrue(data["reconciled"], data["problems"])
        grassroots = data["units"]["GRASSROOTS"]
        self.assertEqual(grassroots["classified"], 61)
        self.assertEqual(
            grassroots["labels"],
            [
                {
                    "label": "Trong sạch vững mạnh",
                    "ordinal": 1,
                    "count": 33,
                    "percent": "54,1 %",
                    "exemplary": 5,
                },
                {
                    "label": "Hoàn thành tốt nhiệm vụ",
                    "ordinal": 2,
                    "count": 20,
                    "percent": "32,8 %",
                    "exemplary": 0,
                },
                {
                    "label": "Hoàn thành nhiệm vụ",
                    "ordinal": 3,
                    "count": 6,
                    "percent": "9,8 %",
                    "exemplary": 0,
                },
                {"label": "Yếu kém", "ordinal": 4, "count": 2, "percent": "3,3 %", "exemplary": 0},
            ],
        )
        self.assertEqual([x["count"] for x in grassroots["levels"].values()], [0] * 4)  # R34
        # A child whose organisations are all exemplary counts them under the same words.
        second = data["children"][1]["units"]["GRASSROOTS"]["labels"]
        self.assertEqual(
            second,
            [
                {
                    "label": "Trong sạch vững mạnh",
                    "ordinal": 1,
                    "count": 5,
                    "percent": "100,0 %",
                    "exemplary": 5,
                }
            ],
        )
        kinds = [data["units"][k]["labels"][0]["exemplary"] for k in GRASSROOTS_KEYS]
        self.assertEqual(kinds[0] + kinds[1], kinds[2])
        labels = self.table(data, "unit-labels")
        self.assertIn(
            [
                "Tổng cộng: Tỉnh",
                "Tổ chức cơ sở đảng",
                "Trong sạch vững mạnh",
                "1",
                "33",
                "54,1 %",
                "5",
            ],
            [[printed(c) for c in row] for row in labels.rows],
        )
        self.assertIn(
            ["Huyện 2", "Tổ chức cơ sở đảng", "Trong sạch vững mạnh", "1", "5", "100,0 %", "5"],
            [[printed(c) for c in row] for row in labels.rows],
        )
        trend = self.table(data, "trend-units")
        self.assertEqual(trend.rows[0][4], "Trong sạch vững mạnh (trong đó 5 tiêu biểu)")
        self.check_formats(data)

    def test_it_shows_exemplary_excellent_organisations_beside_excellent(self) -> None:
        p = make_personas()
        cycle = make_cycle(2025, closed=True)
        for exemplary in (True, False):
            self.organisation(
                p.district, UnitKind.GRASSROOTS_CELL, cycle, Level.EXCELLENT, exemplary=exemplary
            )
        self.organisation(p.district, UnitKind.GRASSROOTS_CELL, cycle, Level.GOOD)
        data = report(p.district, cycle)
        self.assertTrue(data["reconciled"], data["problems"])
        self.assertEqual(
            data["units"]["GRASSROOTS"]["levels"]["EXCELLENT"],
            {"count": 2, "percent": "66,7 %", "exemplary": 1},
        )
        for key in ("units", "units-GRASSROOTS_CELL", "units-GRASSROOTS"):
            table = self.table(data, key)
            at = table.headers.index("HTXSNV: trong đó tiêu biểu")
            self.assertEqual(table.headers[at - 2 : at], ["HTXSNV: số lượng", "HTXSNV: %"])
            self.assertEqual(table.rows[-1 if key == "units" else 0][at], 1)
        trend = self.table(data, "trend-units")
        self.assertEqual(trend.rows[-1][4], "Hoàn thành xuất sắc nhiệm vụ (trong đó 1 tiêu biểu)")
        self.check_formats(data)

    def test_it_keeps_the_exemplary_flag_in_step_and_reports_a_write_around_it(self) -> None:
        p = make_personas()
        cycle = make_cycle(2025, closed=True)
        units = [
            self.organisation(p.district, UnitKind.GRASSROOTS_CELL, cycle, Level.EXCELLENT)
            for _n in range(2)
        ]
        evaluation = UnitEvaluation.objects.get(unit=units[0])
        evaluation.exemplary = True
        evaluation.save(update_fields=["exemplary"])  # a save of the flag alone counts it
        data = report(p.district, cycle)
        self.assertTrue(data["reconciled"], data["problems"])
        self.assertEqual(data["units"]["GRASSROOTS"]["levels"]["EXCELLENT"]["exemplary"], 1)
        UnitEvaluation.objects.filter(unit=units[1]).update(exemplary=True)  # no signal
        check(cycle)  # as the scheduled check finds it
        data = report(p.district, cycle)
        self.assertFalse(data["reconciled"])
        self.assertEqual(
            data["problems"],
            [
                "Đảng bộ huyện Yên Thành: số liệu tổng hợp về tổ chức đảng không khớp với phiếu"
                " đánh giá (tổng hợp 1 tiêu biểu, thực có 2); cần tổng hợp lại bằng lệnh"
                " xeploai tally."
            ],
        )


def _bare(line: str) -> str:
    """A line of text without its spaces: the text output pads each column."""
    return "".join(line.split())


def _rounded(value: object) -> object:
    """A spreadsheet's number as compared: a share stored as a binary fraction."""
    return round(value, 9) if isinstance(value, float) else value
