"""A webhook receiver, as an organisation's software would run one: a real HTTP server on the
loopback that checks every signature with the Standard Webhooks reference package
(`standardwebhooks.Webhook(secret).verify`) and records what it got. It can answer another status
(503, 410...), answer slowly, or stop listening and start again on the same port."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from guichet.webhooks.models import WebhookEvent, WebhookSubscription
from guichet.webhooks.services import subscription_create


@dataclass
class Received:
    msg_id: str
    type: str
    payload: dict
    headers: dict[str, str]
    verified_with: list[str]  # the secrets whose signature matched


@dataclass
class Receiver:
    secrets: list[str] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0
    body: bytes = b"ok"
    received: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # requests whose signature did not verify
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/guichet"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {key.lower(): value for key, value in self.headers.items()}
                verified, payload = [], None
                for secret in receiver.secrets:
                    try:
                        payload = Webhook(secret).verify(body, headers)
                        verified.append(secret)
                    except WebhookVerificationError:
                        pass
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver._lock:
                    if not verified:
                        receiver.refused.append(headers.get("webhook-id", ""))
                    else:
                        receiver.received.append(
                            Received(headers["webhook-id"], payload["type"], payload, headers, verified)
                        )
                status = receiver.status if verified else 401
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(receiver.body)))
                self.end_headers()
                self.wfile.write(receiver.body)

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening (connections are refused) until `start` again, on the same port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def ids(self) -> list[str]:
        with self._lock:
            return [item.msg_id for item in self.received]

    def types(self) -> list[str]:
        with self._lock:
            return [item.type for item in self.received]


ALL_EVENTS = list(WebhookEvent.values)


def subscribe(receiver: Receiver, procedure, events=ALL_EVENTS) -> WebhookSubscription:
    """A subscription of the procedure's organisation to `receiver`, whose secret it learns."""
    made = subscription_create(
        organisation=procedure.organisation,
        procedure=None,
        url=receiver.url,
        description="GED",
        events=events,
        actor=None,
    )
    receiver.secrets.append(made.secret)
    return made.subscription
