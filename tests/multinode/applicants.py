"""Applicants filing dossiers through the proxy, each in a thread with its own browser session
(requests.Session, cookies kept): sign in with a password, then again and again start a dossier,
answer its pages (two PDF attachments), submit it and read the confirmation, as bench/flow.py sends
them (the load benchmark's very requests).

What each applicant saw is written in a shared journal: the dossiers answered « déposé », those
whose submission got no answer (the node died with it), each request's duration, and each request
that failed, marked when the proxy said that its node was lost while it had it."""

import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import requests

from bench import flow

from .proxy import LOST_HEADER

SIGN_IN_PATH = "/compte/connexion/"


@dataclass(frozen=True)
class Failure:
    at: float
    name: str
    status: int | None  # None: no answer at all
    lost_with_node: bool  # the proxy's 502: the request was in flight on a node that died


@dataclass
class Journal:
    answered: set[int] = field(default_factory=set)  # dossiers whose submission was answered « déposé »
    confirmed: set[int] = field(default_factory=set)  # ... and whose confirmation page was read
    uncertain: set[int] = field(default_factory=set)  # submitted, but no answer came back
    timings: list[tuple[float, str, float]] = field(default_factory=list)  # (end, request, ms)
    failures: list[Failure] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def failures_outside_lost_nodes(self) -> list[Failure]:
        return [failure for failure in self.failures if not failure.lost_with_node]


class Applicant(threading.Thread):
    def __init__(
        self, *, url: str, email: str, password: str, journal: Journal, stop: threading.Event, every=0.0, offset=0.0
    ):
        super().__init__(daemon=True, name=f"applicant {email}")
        self.url, self.email, self.password = url, email, password
        self.journal, self.stop, self.every, self.offset = journal, stop, every, offset
        self.session = requests.Session()

    def run(self) -> None:
        while not self.stop.is_set() and not self.sign_in():
            time.sleep(0.5)
        self.stop.wait(self.offset)
        while not self.stop.is_set():
            started = time.monotonic()
            self.file_one()
            # Paced (the soak): the next dossier starts `every` seconds after this one did.
            self.stop.wait(max(0.0, self.every - (time.monotonic() - started)))
        self.session.close()

    @property
    def csrf(self) -> str:
        return self.session.cookies.get("csrftoken", "")

    def sign_in(self) -> bool:
        if self.send(flow.Request("0 connexion", "GET", SIGN_IN_PATH)) is None:
            return False
        fields = {"csrfmiddlewaretoken": self.csrf, "username": self.email, "password": self.password}
        signed_in = flow.Request(
            "0 connexion", "POST", SIGN_IN_PATH, urlencode(fields).encode(), flow.FORM, location="/"
        )
        return self.send(signed_in) is not None

    def send(self, request: flow.Request) -> str | None:
        """Send one request; the redirection's target (or "" for a page), None when it failed."""
        headers = {"Content-Type": request.content_type} if request.content_type else {}
        started = time.monotonic()
        try:
            response = self.session.request(
                request.method,
                self.url + request.path,
                data=request.body or None,
                headers=headers,
                allow_redirects=False,
                timeout=120,
            )
        except requests.RequestException:
            self._failed(request, None, lost=False)
            return None
        elapsed = (time.monotonic() - started) * 1000
        location = response.headers.get("Location", "")
        if not request.accepts(response.status_code, location):
            self._failed(request, response.status_code, lost=LOST_HEADER in response.headers)
            return None
        with self.journal.lock:
            self.journal.timings.append((time.time(), request.name, elapsed))
        return location

    def _failed(self, request: flow.Request, status: int | None, *, lost: bool) -> None:
        with self.journal.lock:
            self.journal.failures.append(Failure(time.time(), request.name, status, lost))

    def file_one(self) -> None:
        """One dossier, from its start to its confirmation. A request that fails ends the dossier,
        as a person would start again; a submission that got no answer is noted as uncertain."""
        csrf = self.csrf
        location = self.send(flow.start(csrf))
        if location is None:
            return
        dossier = flow.dossier_of(location)
        for request in flow.pages(dossier, csrf):
            if self.send(request) is None:
                return
        if self.send(flow.submit(dossier, csrf)) is None:
            with self.journal.lock:
                self.journal.uncertain.add(dossier)
            return
        with self.journal.lock:
            self.journal.answered.add(dossier)
        for _ in range(5):  # reading a page may be done again: a browser's reload
            if self.send(flow.confirmation(dossier)) is not None:
                with self.journal.lock:
                    self.journal.confirmed.add(dossier)
                return
            time.sleep(0.5)


def applicants_run(*, url: str, emails: list[str], password: str, stop: threading.Event, every=0.0):
    """Start one applicant per email; returns the journal and the threads (join them after `stop`).
    Paced (`every` seconds between two dossiers of one applicant), their starts are spread over the
    period, so that the rate is even from the first second."""
    journal = Journal()
    threads = [
        Applicant(
            url=url,
            email=address,
            password=password,
            journal=journal,
            stop=stop,
            every=every,
            offset=every * index / len(emails),
        )
        for index, address in enumerate(emails)
    ]
    for thread in threads:
        thread.start()
    return journal, threads
