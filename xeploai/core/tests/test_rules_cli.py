from __future__ import annotations

import dataclasses
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
FENCED = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
COMMAND = re.compile(r"^\$ xeploai rules (classify|quota) (\S+)$")


def run(action: str, path: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        call_command("rules", action, path, stdout=out, stderr=err)
    except SystemExit as e:
        code = int(e.code or 0)
    finally:
        sys.stdin = old_stdin
    return code, out.getvalue(), err.getvalue()


def document() -> str:
    return (DOCS / "rules-cli.md").read_text(encoding="utf-8")


def json_examples(text: str) -> list[tuple[str, str]]:
    """The JSON blocks of a page, as (input, the output printed after it) pairs."""
    blocks = [body for lang, body in FENCED.findall(text) if lang == "json"]
    if len(blocks) % 2:
        raise AssertionError("a JSON input without the JSON output after it")
    return list(zip(blocks[::2], blocks[1::2], strict=True))


@dataclasses.dataclass
class Transcript:
    """One `$ xeploai rules ACTION PATH` line of a page, what it prints and its exit code."""

    action: str
    path: str
    printed: list[str] = dataclasses.field(default_factory=list)
    code: int = 0


def transcripts(text: str) -> list[Transcript]:
    found: list[Transcript] = []
    for lang, body in FENCED.findall(text):
        if lang:
            continue
        lines = iter(body.splitlines())
        for line in lines:
            if command := COMMAND.match(line):
                found.append(Transcript(command[1], command[2]))
            elif line == "$ echo $?" and found:
                found[-1].code = int(next(lines))
            elif found and not line.startswith("$"):
                found[-1].printed.append(line)
    return found


def action_of(example: Any) -> str:
    return "quota" if "groups" in example else "classify"


def unit_subject(**fields: Any) -> dict[str, Any]:
    grades = dict.fromkeys(("politics", "leadership", "organisation", "tasks"), "GOOD")
    return {"id": "CB-1", "type": "unit", "founded": "2000-01-01", "grades": grades} | fields


def classify(*subjects: dict[str, Any]) -> tuple[int, str, str]:
    data = {"regime": "QD124", "reference_date": "2024-12-31", "subjects": list(subjects)}
    return run("classify", "-", json.dumps(data))


class RulesCliTestCase(SimpleTestCase):
    def test_it_answers_every_json_example_of_the_document(self) -> None:
        examples = json_examples(document())
        self.assertGreaterEqual(len(examples), 4)
        for given, printed in examples:
            code, out, err = run(action_of(json.loads(given)), "-", given)
            self.assertEqual((code, err), (0, ""), given)
            self.assertEqual(out, printed)

    def test_it_runs_every_command_line_of_the_document(self) -> None:
        found = transcripts(document())
        self.assertNotEqual(found, [])
        for t in found:
            code, out, err = run(t.action, str(ROOT / t.path))
            self.assertEqual(code, t.code, t)
            self.assertEqual((out + err).splitlines(), t.printed)

    def test_it_answers_every_example_file_as_documented(self) -> None:
        doc = document()
        run_by_the_document = {ROOT / t.path for t in transcripts(doc)}
        for path in sorted(EXAMPLES.glob("*.json")):
            if path.name.endswith(".out.json"):
                continue
            expected = path.with_name(path.name.removesuffix(".json") + ".out.json")
            if not expected.exists():  # an error: the page shows the command and its answer
                self.assertIn(path, run_by_the_document, f"{path.name} has no documented output")
                continue
            given = path.read_text(encoding="utf-8")
            code, out, err = run(action_of(json.loads(given)), str(path))
            self.assertEqual((code, err), (0, ""), path.name)
            self.assertEqual(out, expected.read_text(encoding="utf-8"))
            # The page prints the same example and answer.
            self.assertTrue(given.strip() in doc and out.strip() in doc, path.name)

    def test_it_accepts_the_documented_kinds_of_unit(self) -> None:
        missed = {"done": 45, "key_targets_missed": True}
        for kind in ("collective", "organisation", "COLLECTIVE", "ORGANISATION"):
            code, out, err = classify(unit_subject(kind=kind, tasks=missed))
            self.assertEqual((code, err), (0, ""), kind)
            self.assertEqual(json.loads(out)["results"][0]["level"], "NOT_COMPLETED")
        code, out, err = classify(unit_subject(kind="tập thể", tasks=missed))
        self.assertEqual((code, out), (2, ""))
        self.assertIn("field 'kind': must be one of organisation, collective, not 'tập thể'", err)

    def test_it_excuses_a_unit_with_force_majeure(self) -> None:  # R10
        excused = {"done": 45, "key_targets_missed": True, "force_majeure": True}
        code, out, _ = classify(unit_subject(kind="collective", tasks=excused))
        self.assertEqual((code, json.loads(out)["results"][0]["level"]), (0, "GOOD"))

    def test_it_refuses_unit_result_fields_on_a_member_s_own_tasks(self) -> None:  # R10
        member = {
            "id": "DV-1",
            "type": "member",
            "admitted": "2000-01-01",
            "grades": dict.fromkeys(("politics", "ethics", "discipline", "tasks"), "GOOD"),
            "tasks": {"done": 45, "force_majeure": True},
        }
        code, out, err = classify(member)
        self.assertEqual((code, out), (2, ""))
        self.assertIn(
            "subject 'DV-1' field 'tasks.force_majeure': applies to the results of a unit only",
            err,
        )

    def test_it_keeps_a_head_waiting_without_the_unit_s_level(self) -> None:  # R16
        head = {
            "id": "DV-1",
            "type": "member",
            "admitted": "2000-01-01",
            "grades": dict.fromkeys(("politics", "ethics", "discipline", "tasks"), "EXCELLENT"),
            "tasks": {"done": 100, "exceeded": 60},
            "head_of_unit_pending": True,
        }
        code, out, _ = classify(head)
        result = json.loads(out)["results"][0]
        self.assertEqual((code, result["status"], result["level"]), (0, "PENDING", None))
        self.assertEqual(result["reasons"][-1]["rule"], "R16")

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
