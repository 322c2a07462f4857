"""The load generator's users (locust), started by bench/load.py: `BrowserFlowUser` runs the applicant's
whole flow (bench/flow.py) again and again as a browser does, following every redirection;
`FlowUser` the same flow without showing the pages (its posts only); `SubmitUser` only submits
drafts prepared beforehand; `BaselineUser` posts to the baseline view that inserts one row. Every
user signs in once, before the statistics are reset, and waits for nothing between requests."""

import itertools
import json
import os
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

from bench import flow

SETUP = json.loads(Path(os.environ["BENCH_LOAD_SETUP"]).read_text())
_accounts = itertools.count()


class Applicant(FastHttpUser):
    abstract = True
    wait_time = constant(0)

    def on_start(self) -> None:
        self.email = SETUP["accounts"][next(_accounts) % len(SETUP["accounts"])]
        self.client.get("/compte/connexion/", name="0 connexion")
        body = urlencode({"csrfmiddlewaretoken": self.csrf, "username": self.email, "password": SETUP["password"]})
        with self.client.post(
            "/compte/connexion/",
            data=body.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            name="0 connexion",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in refused for {self.email}: {response.status_code}")
                raise StopUser()

    @property
    def csrf(self) -> str:
        return next(cookie.value for cookie in self.client.cookiejar if cookie.name == "csrftoken")

    def send(self, request: flow.Request) -> str | None:
        """Sends one request of the flow; its redirection's target, or None when it failed."""
        headers = {"Content-Type": request.content_type} if request.content_type else {}
        with self.client.request(
            request.method,
            request.path,
            data=request.body or None,
            headers=headers,
            name=request.name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if not request.accepts(response.status_code, location):
                response.failure(f"{response.status_code} {location}")
                return None
            response.success()
            return location


class FlowUser(Applicant):
    """The posts flow: each page's answers sent without showing the pages (bench/flow.py)."""

    flow_name = "parcours complet"
    first = staticmethod(flow.start)
    following = staticmethod(flow.posts_flow)

    @task
    def whole_flow(self) -> None:
        started = time.perf_counter()
        location = self.send(self.first(self.csrf))
        if location is None:
            return
        for request in self.following(flow.dossier_of(location), self.csrf):
            if self.send(request) is None:
                return
        events.request.fire(
            request_type="FLOW",
            name=self.flow_name,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=None,
            context={},
        )


class BrowserFlowUser(FlowUser):
    """The browser flow: every redirection followed, each page shown then sent (bench/flow.py)."""

    flow_name = "parcours navigateur"
    first = staticmethod(lambda csrf: replace(flow.start(csrf), name="01 commencer"))
    following = staticmethod(flow.browser_flow)


class SubmitUser(Applicant):
    def on_start(self) -> None:
        super().on_start()
        self.drafts = iter(SETUP["drafts"][self.email])

    @task
    def submit(self) -> None:
        dossier = next(self.drafts, None)
        if dossier is None:
            events.request.fire(
                request_type="POST",
                name="6 deposer",
                response_time=0,
                response_length=0,
                exception=RuntimeError("no draft left to submit: prepare more (bench/load.py)"),
                context={},
            )
            raise StopUser()
        self.send(flow.submit(dossier, self.csrf))


class BaselineUser(Applicant):
    @task
    def insert_one_row(self) -> None:
        body = urlencode({"csrfmiddlewaretoken": self.csrf}).encode()
        self.send(flow.Request("insérer une ligne", "POST", "/__bench__/insert/", body, flow.FORM))
