from __future__ import annotations

import io
import json
from pathlib import Path

from django.core.management import call_command
from django.test import SimpleTestCase

DOCS = Path(__file__).resolve().parents[3] / "docs"
EXAMPLES = DOCS / "examples"


def run(action: str, path: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    import sys

    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        call_command("rules", action, path, stdout=out, stderr=err)
    except SystemExit as e:
        code = int(e.code or 0)
    finally:
        sys.stdin = old_stdin
    return code, out.getvalue(), err.getvalue()


class RulesCliTestCase(SimpleTestCase):
    def test_it_answers_the_documented_examples_exactly(self) -> None:
        doc = (DOCS / "rules-cli.md").read_text()
        for action, name in (("classify", "classify"), ("classify", "legacy"), ("quota", "quota")):
            code, out, err = run(action, str(EXAMPLES / f"{name}.json"))
            expected = (EXAMPLES / f"{name}.out.json").read_text()
            self.assertEqual((code, err), (0, ""))
            self.assertEqual(out, expected)
            self.assertIn(expected.strip(), doc)

    def test_it_names_the_subject_and_field_of_a_missing_fact(self) -> None:
        code, out, err = run("classify", str(EXAMPLES / "missing.json"))
        self.assertEqual(code, 2)
        self.assertEqual(out, "")
        self.assertIn("subject 'DV-0009' field 'score': missing (needed under QD366)", err)
        self.assertIn(err.strip().removeprefix("error: "), (DOCS / "rules-cli.md").read_text())

    def test_it_refuses_bad_json(self) -> None:
        code, _, err = run("classify", "-", '{"regime": "QD366", "subjects": [')
        self.assertEqual(code, 2)
        self.assertIn("not valid JSON", err)

    def test_it_refuses_bad_values_naming_the_field(self) -> None:
        subject = {
            "id": "DV-1",
            "type": "member",
            "admitted": "2010-01-01",
            "score": {"general": 28, "task_results": 60},
            "tasks": {"done": 120},
        }
        cases = [
            ({"regime": "QD999"}, "field 'regime': must be one of LEGACY, HD21, QD124, QD366"),
            (
                {"regime": "QD366", "reference_date": "31/12/2026", "subjects": []},
                "field 'reference_date': must be a date YYYY-MM-DD",
            ),
            (
                {"regime": "QD366", "reference_date": "2026-12-31", "subjects": [subject]},
                "subject 'DV-1' field 'tasks.done': must be between 0 and 100, not 120",
            ),
            (
                {
                    "regime": "QD366",
                    "reference_date": "2026-12-31",
                    "subjects": [{**subject, "tasks": {"done": 100}, "admited": "2010-01-01"}],
                },
                "subject 'DV-1' field 'admited': unknown field",
            ),
            (
                {
                    "regime": "HD21",
                    "reference_date": "2020-12-31",
                    "subjects": [
                        {
                            "id": "DV-2",
                            "type": "member",
                            "admitted": "2010-01-01",
                            "tasks": {"done": 100},
                            "grades": {
                                "politics": "GOOD",
                                "ethics": "Tốt",
                                "discipline": "GOOD",
                                "tasks": "GOOD",
                            },
                        }
                    ],
                },
                "subject 'DV-2' field 'grades.ethics': must be one of EXCELLENT, GOOD, AVERAGE",
            ),
            (
                {"regime": "QD366", "reference_date": "2026-12-31", "subjects": [subject, subject]},
                "subject 'DV-1' field 'tasks.done'",
            ),
        ]
        for data, message in cases:
            code, out, err = run("classify", "-", json.dumps(data))
            self.assertEqual((code, out), (2, ""), data)
            self.assertIn(message, err)

    def test_it_refuses_a_file_it_cannot_read(self) -> None:
        code, _, err = run("quota", "/nonexistent/quota.json")
        self.assertEqual(code, 2)
        self.assertIn("cannot read", err)
