"""What the stand-ins of API Entreprise and API Particulier share (their common contract, decision
0032): an HTTP server on 127.0.0.1 that wants `Authorization: Bearer <token>`, answers JSON with the
standard error body `{"errors": [{"code", "title", "detail", "source", "meta"}]}`, counts requests per
token (and, where the API publishes one, per client address) against a limit per window and sends
the `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` headers of the tightest, then 429
with `Retry-After` beyond any of them. Each API's stand-in starts with its published limits.

Each API gives a `route(path, query) -> (status, body)`. `script` makes the next requests fail the
ways a network and a busy API do: "slow" (the answer comes after `slow_seconds`), "down" (HTTP 503),
"reset" (the connection is cut before any answer)."""

import json
import math
import socket
import struct
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from tests.connectors.serving import http_serving

TOKEN = "stand-in-token"  # noqa: S105 (a test value)

Route = Callable[[str, dict[str, list[str]]], tuple[int, dict]]


def error_body(code: str, title: str, detail: str, *, provider: str = "", source: dict | None = None) -> dict:
    error = {"code": code, "title": title, "detail": detail, "source": source, "meta": {"provider": provider}}
    return {"errors": [error]}


@dataclass
class StandIn:
    url: str = ""
    token: str = TOKEN
    rate_limit: int = 250  # requests per token per window
    rate_window: float = 60  # seconds
    ip_limit: int | None = None  # requests per client address per `ip_window`, when the API has one
    ip_window: float = 60
    slow_seconds: float = 2.0
    script: list[str] = field(default_factory=list)  # what the next requests meet, first first
    requests: list[dict] = field(default_factory=list)  # what came: path, query, headers
    _counts: dict[str, list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def next_step(self) -> str:
        with self._lock:
            return self.script.pop(0) if self.script else "normal"

    def _count(self, key: str, limit: int, span: float, now: float) -> tuple[int, int, int]:
        window = [moment for moment in self._counts.get(key, []) if now - moment < span]
        window.append(now)
        self._counts[key] = window
        return limit - len(window), math.ceil(span - (now - window[0])), limit

    def count(self, token: str, address: str) -> tuple[int, int, int]:
        """This request counted against the token's limit and the address's: the requests left in
        the tightest window after this one, the seconds until that window ends, and its limit."""
        now = time.monotonic()
        with self._lock:
            counts = [self._count(f"token:{token}", self.rate_limit, self.rate_window, now)]
            if self.ip_limit is not None:
                counts.append(self._count(f"ip:{address}", self.ip_limit, self.ip_window, now))
            return min(counts)

    def limit_text(self, limit: int) -> str:
        if limit == self.ip_limit:
            return f"{self.ip_limit} par adresse IP en {self.ip_window:g} s"
        return f"{self.rate_limit} par jeton en {self.rate_window:g} s"


def _handler(stand_in: StandIn, route: Route, provider: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _send(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # noqa: N802 (the http.server's name)
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            stand_in.requests.append({"path": parts.path, "query": query, "headers": dict(self.headers)})
            step = stand_in.next_step()
            if step == "reset":  # a TCP reset: SO_LINGER with a zero timeout, then close
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                return
            if step == "slow":
                time.sleep(stand_in.slow_seconds)
            if step == "down":
                detail = "Le service est en maintenance."
                self._send(503, error_body("00000", "Service indisponible", detail, provider=provider))
                return
            authorization = self.headers.get("Authorization", "")
            if authorization != f"Bearer {stand_in.token}":
                detail = "Votre jeton est absent, invalide ou expiré."
                self._send(401, error_body("00101", "Interdiction d'accès", detail))
                return
            left, reset, limit = stand_in.count(stand_in.token, self.client_address[0])
            limits = {
                "RateLimit-Limit": str(limit),
                "RateLimit-Remaining": str(max(left, 0)),
                "RateLimit-Reset": str(reset),
            }
            if left < 0:
                detail = f"Vous avez effectué trop de requêtes : limite de {stand_in.limit_text(limit)}."
                self._send(429, error_body("00429", "Trop de requêtes", detail), {**limits, "Retry-After": str(reset)})
                return
            status, body = route(parts.path, query)
            self._send(status, body, limits)

    return Handler


@contextmanager
def stand_in_serving(route: Route, *, provider: str, **options):
    """Serve `route` on a free port of 127.0.0.1 while in the block; yields the StandIn."""
    stand_in = StandIn(**options)
    with http_serving(_handler(stand_in, route, provider)) as url:
        stand_in.url = url
        yield stand_in


def missing_params(query: dict[str, list[str]], names: tuple[str, ...]) -> list[str]:
    return [name for name in names if not (query.get(name) or [""])[0].strip()]
