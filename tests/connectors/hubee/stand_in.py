"""A stand-in HubEE: an HTTP server on 127.0.0.1 that speaks HubEE's documented contract (hub.py
holds its memory and rules):

- `POST /oauth2/token`: client credentials in HTTP Basic, `grant_type=client_credentials` and the
  client's `scope` (SI or OSL); `{"access_token", "token_type", "expires_in"}`, 401 `invalid_client`,
  400 `invalid_scope`;
- under `/teledossiers/v1`, with `Authorization: Bearer` (401 once the token expired or for an
  unknown one, 403 for the wrong actor type): `GET /notifications?maxResult=`,
  `DELETE /notifications/{id}`, `POST /folders`, `PUT /folders/{id}/attachments/{att}` (with its
  `digest`), `PATCH` and `GET /folders/{id}`, `GET /cases/{id}`, `GET /cases/{id}/attachments/{att}`,
  `POST /cases/{id}/events`, `GET` and `PATCH /cases/{id}/events/{ev}`,
  `PUT` and `GET /cases/{id}/events/{ev}/attachments/{att}`; binaries answered with their SHA-256 in
  `digest`; errors as `{"errors": [{"code", "message"}]}`.

Its `script` makes the next requests fail the ways a network and a busy hub do. Run alone for the
demo: `python -m tests.connectors.hubee.stand_in --port 8002` (`manage.py serve` starts it in DEBUG)."""

import argparse
import json
import re
import socket
import struct
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .hub import Hub, HubError
from .hub_cases import digest_of

BASE = "/teledossiers/v1"
RESET = "reset"  # the connection is cut before anything is answered
UNAVAILABLE = "unavailable"  # HTTP 503, as the hub behind its gateway during maintenance
SLOW = "slow"  # the answer comes after `slow_seconds` (the request is handled all the same)
CUT = "cut"  # a binary answered loses its last byte, its `digest` still that of the whole file
NORMAL = "normal"


@dataclass
class StandInHubee:
    hub: Hub = field(default_factory=Hub)
    script: list[str] = field(default_factory=list)  # the next requests' fate, then NORMAL
    slow_seconds: float = 2.0
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path) of each request
    url: str = ""
    server: ThreadingHTTPServer | None = None

    @property
    def api_url(self) -> str:
        return self.url + BASE

    @property
    def token_url(self) -> str:
        return self.url + "/oauth2/token"

    def fate(self) -> str:
        with self.hub.lock:
            return self.script.pop(0) if self.script else NORMAL


ROUTES = [
    ("GET", r"/notifications", "notifications"),
    ("DELETE", r"/notifications/(?P<notification>[^/]+)", "notification_delete"),
    ("POST", r"/folders", "folder_create"),
    ("GET", r"/folders/(?P<folder>[^/]+)", "folder"),
    ("PATCH", r"/folders/(?P<folder>[^/]+)", "folder_patch"),
    ("PUT", r"/folders/(?P<folder>[^/]+)/attachments/(?P<attachment>[^/]+)", "attachment_upload"),
    ("GET", r"/cases/(?P<case>[^/]+)", "case"),
    ("GET", r"/cases/(?P<case>[^/]+)/attachments/(?P<attachment>[^/]+)", "case_attachment"),
    ("POST", r"/cases/(?P<case>[^/]+)/events", "event_create"),
    ("GET", r"/cases/(?P<case>[^/]+)/events/(?P<event>[^/]+)", "event"),
    ("PUT", r"/cases/(?P<case>[^/]+)/events/(?P<event>[^/]+)/attachments/(?P<attachment>[^/]+)", "event_upload"),
    ("GET", r"/cases/(?P<case>[^/]+)/events/(?P<event>[^/]+)/attachments/(?P<attachment>[^/]+)", "event_attachment"),
    ("PATCH", r"/cases/(?P<case>[^/]+)/events/(?P<event>[^/]+)", "event_patch"),
]


def _answer(hub: Hub, action: str, client, args: dict, query: dict, body: bytes, headers) -> tuple[int, object]:
    """(status, JSON or bytes) for one API request."""
    data = json.loads(body) if body and headers.get("Content-Type", "").startswith("application/json") else {}
    match action:
        case "notifications":
            return 200, hub.notifications_for(client, int(query.get("maxResult", ["50"])[0]))
        case "notification_delete":
            hub.notification_delete(client, args["notification"])
            return 204, None
        case "folder_create":
            return 201, hub.folder_create(client, data)
        case "folder":
            return 200, hub.folder_view(client, args["folder"])
        case "folder_patch":
            hub.folder_complete(client, args["folder"], data.get("globalStatus", ""))
            return 204, None
        case "attachment_upload":
            hub.attachment_upload(client, args["folder"], args["attachment"], body, headers.get("digest", ""))
            return 204, None
        case "case":
            return 200, hub.case_of(client, args["case"])
        case "case_attachment":
            return 200, hub.case_attachment(client, args["case"], args["attachment"])
        case "event_create":
            return 201, hub.event_create(client, args["case"], data)
        case "event_upload":
            hub.event_attachment_upload(
                client, args["case"], args["event"], args["attachment"], body, headers.get("digest", "")
            )
            return 204, None
        case "event":
            return 200, hub.event_of_either_side(client, args["case"], args["event"])
        case "event_attachment":
            return 200, hub.event_attachment(client, args["case"], args["event"], args["attachment"])
        case "event_patch":
            event = hub.event_of_either_side(client, args["case"], args["event"])
            if data.get("status") != "RECEIVED":
                raise HubError(400, "Bad request : status")
            event["status"] = "RECEIVED"
            return 204, None
    raise HubError(404, "Not found")


def _handler(stand_in: StandInHubee):
    hub = stand_in.hub

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _send(self, status: int, payload: object = None, *, cut: bool = False) -> None:
            raw = payload if isinstance(payload, bytes) else (b"" if payload is None else json.dumps(payload).encode())
            self.send_response(status)
            self.send_header(
                "Content-Type", "application/octet-stream" if isinstance(payload, bytes) else "application/json"
            )
            if isinstance(payload, bytes):
                self.send_header("digest", digest_of(payload))
                raw = raw[:-1] if cut else raw
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            stand_in.requests.append((self.command, parts.path))
            fate = stand_in.fate()
            if fate == RESET:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                return
            if fate == UNAVAILABLE:
                return self._send(503, {"errors": [{"code": 503, "message": "Service Unavailable"}]})
            if fate == SLOW:
                time.sleep(stand_in.slow_seconds)
            try:
                status, payload = self._route(parts, body)
            except HubError as error:
                return self._send(error.status, {"errors": [{"code": error.status, "message": str(error)}]})
            self._send(status, payload, cut=fate == CUT)

        def _route(self, parts, body: bytes) -> tuple[int, object]:
            if parts.path == "/oauth2/token" and self.command == "POST":
                form = {key: values[0] for key, values in parse_qs(body.decode()).items()}
                return 200, hub.token_issue(authorization=self.headers.get("Authorization", ""), form=form)
            if not parts.path.startswith(BASE):
                raise HubError(404, "Not found")
            client = hub.authenticate(self.headers.get("Authorization", ""))
            path = parts.path.removeprefix(BASE)
            for method, pattern, action in ROUTES:
                found = re.fullmatch(pattern, path)
                if found and method == self.command:
                    with hub.lock:
                        return _answer(
                            hub, action, client, found.groupdict(), parse_qs(parts.query), body, self.headers
                        )
            raise HubError(404 if not any(re.fullmatch(p, path) for _, p, _ in ROUTES) else 405, "Not found")

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle  # noqa: N815 (http.server's names)

    return Handler


def stand_in_start(*, port: int = 0, hub: Hub | None = None) -> StandInHubee:
    stand_in = StandInHubee(hub=hub or Hub())
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(stand_in))
    server.daemon_threads = True
    stand_in.server = server
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return stand_in


@contextmanager
def stand_in_hubee():
    stand_in = stand_in_start()
    try:
        yield stand_in
    finally:
        stand_in.server.shutdown()
        stand_in.server.server_close()


def main() -> None:  # pragma: no cover (the demo's process)
    from .demo_cases import demo_hub

    parser = argparse.ArgumentParser(description="HubEE de démonstration (bouchon local).")
    parser.add_argument("--port", type=int, default=8002)
    options = parser.parse_args()
    stand_in = stand_in_start(port=options.port, hub=demo_hub())
    print(f"HubEE de démonstration : {stand_in.url} (Ctrl-C pour arrêter)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
