"""The December page mix, for locust (driven by `bench/load.py`, which signs the users in and
names their pages in the plan file `LOAD_PLAN`).

Members are most of the traffic: each opens their self-review and saves drafts as they type.
Cell secretaries open their cell's review page; grassroots officers their decision page;
district officers the district's report and the pending dashboard. Nobody waits between
requests: the users are as many requests at once, the server's answer rate is measured.
The class `Trivial`, named alone on locust's command line, asks a trivial endpoint instead:
the server's ceiling.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from typing import Any

from locust import HttpUser, constant, task

PLAN: dict[str, list[dict[str, str]]] = json.loads(open(os.environ["LOAD_PLAN"]).read())  # noqa: SIM115
_next = {role: itertools.cycle(people) for role, people in PLAN.items()}
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Signed(HttpUser):
    abstract = True
    wait_time = constant(0)
    role = ""

    def on_start(self) -> None:
        self.person = next(_next[self.role])
        self.client.cookies.set("sessionid", self.person["session"])

    def page(self, url: str, name: str) -> Any:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            return response


class Member(Signed):
    weight = 14
    role = "member"
    version = ""
    token = ""
    typed = 0

    def on_start(self) -> None:
        super().on_start()
        self.open()

    @task(1)
    def open(self) -> None:
        response = self.page(self.person["self_review"], "self-review page")
        if (version := VERSION.search(response.text)) and (token := TOKEN.search(response.text)):
            self.version, self.token = version.group(1), token.group(1)

    @task(3)
    def save_draft(self) -> None:
        if not self.token:
            self.open()
            return
        self.typed += 1
        data = {
            "csrfmiddlewaretoken": self.token,
            "version": self.version,
            "section_strengths": f"Hoàn thành các nhiệm vụ được giao ({self.typed}).",
            "tasks_done": "100",
        }
        headers = {"X-Draft": "1", "Referer": f"{self.host}{self.person['self_review']}"}
        with self.client.post(
            self.person["self_review"],
            data,
            headers=headers,
            name="draft save",
            catch_response=True,
        ) as response:
            if response.headers.get("X-Draft-Result") != "saved":
                response.failure(f"{response.status_code} {response.headers.get('X-Draft-Result')}")
            self.version = response.headers.get("X-Draft-Version", self.version)


class CellSecretary(Signed):
    weight = 3
    role = "cell"

    @task
    def cell(self) -> None:
        self.page(self.person["cell"], "cell review page")


class GrassrootsOfficer(Signed):
    weight = 2
    role = "grassroots"

    @task
    def decide(self) -> None:
        self.page(self.person["decide"], "decision page")


class DistrictOfficer(Signed):
    weight = 1
    role = "district"

    @task
    def report(self) -> None:
        self.page(self.person["report"], "district report")

    @task
    def pending(self) -> None:
        self.page(self.person["pending"], "pending dashboard")


class Trivial(HttpUser):
    weight = 1
    wait_time = constant(0)

    @task
    def favicon(self) -> None:
        self.client.get("/favicon.ico", name="trivial", allow_redirects=False)
