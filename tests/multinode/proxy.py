"""A small round-robin HTTP proxy in front of the web nodes, as a reverse proxy with health checks
does it in production (docs/operations.md):

- each request goes to the next node in turn among those ready;
- a node whose connection is refused is marked down and the request goes to the next one: nothing
  was sent, so nothing can be done twice;
- a request already sent is never sent again (a POST may have been carried out): when the node dies
  before answering, the client gets a 502 marked `X-Proxy-Lost`, the in-flight request of a node lost;
- a thread asks each node's `/sante/pret` every HEALTH_EVERY seconds: a node is taken back once it
  answers 200, and left aside while it answers anything else (starting, database unreachable).
"""

import http.client
import itertools
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HEALTH_PATH = "/sante/pret"
HEALTH_EVERY = 0.3
# Headers that concern one connection only (RFC 9110, 7.6.1): never forwarded.
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding"}
    | {"upgrade", "proxy-connection"}
)
LOST_HEADER = "X-Proxy-Lost"


@dataclass
class Backend:
    port: int
    up: bool = False
    forwarded: int = 0
    refused: int = 0
    lost: int = 0


@dataclass
class ProxyLog:
    """What the proxy saw: the requests lost with a node (the time, the node's port, the path)."""

    lost: list[tuple[float, int, str]] = field(default_factory=list)


class RoundRobinProxy:
    def __init__(self, ports: list[int], *, timeout: float = 120.0):
        self.backends = [Backend(port) for port in ports]
        self.timeout = timeout
        self.log = ProxyLog()
        self._turn = itertools.count()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> "RoundRobinProxy":
        threading.Thread(target=self._server.serve_forever, daemon=True, name="proxy").start()
        threading.Thread(target=self._health_loop, daemon=True, name="proxy-health").start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def candidates(self) -> list[Backend]:
        """The nodes in this request's order: the ready ones from the next in turn, then the others
        (a node that the health check has not seen come back may answer all the same)."""
        with self._lock:
            start = next(self._turn)
        turned = self.backends[start % len(self.backends) :] + self.backends[: start % len(self.backends)]
        return [backend for backend in turned if backend.up] + [backend for backend in turned if not backend.up]

    def _health_loop(self) -> None:
        while not self._stop.is_set():
            for backend in self.backends:
                backend.up = _answers_ready(backend.port)
            self._stop.wait(HEALTH_EVERY)

    def lost(self, backend: Backend, path: str) -> None:
        with self._lock:
            backend.lost += 1
            self.log.lost.append((time.time(), backend.port, path))


def _answers_ready(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", HEALTH_PATH)
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def _handler_for(proxy: RoundRobinProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # the clients' connections are kept open between requests

        def log_message(self, format, *args):  # noqa: A002 (the base class's name)
            pass

        def do_GET(self):  # noqa: N802 (http.server's names)
            self._forward()

        do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = do_GET  # noqa: N815

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = [(name, value) for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP]
            headers.append(("X-Forwarded-For", self.client_address[0]))
            for backend in proxy.candidates():
                connection = http.client.HTTPConnection("127.0.0.1", backend.port, timeout=proxy.timeout)
                try:
                    connection.connect()
                except OSError:  # refused (or no route): nothing sent, the next node gets it
                    backend.up = False
                    backend.refused += 1
                    connection.close()
                    continue
                try:
                    connection.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                    for name, value in headers:
                        connection.putheader(name, value)
                    connection.endheaders(body)
                    response = connection.getresponse()
                    content = response.read()
                except (OSError, http.client.HTTPException):
                    # Sent, and the node died before answering: not sent again (it may have been done).
                    proxy.lost(backend, self.path)
                    self._answer(502, [(LOST_HEADER, str(backend.port))], b"noeud perdu")
                    return
                finally:
                    connection.close()
                backend.forwarded += 1
                kept = [(name, value) for name, value in response.getheaders() if name.lower() not in HOP_BY_HOP]
                self._answer(response.status, kept, content)
                return
            self._answer(503, [], b"aucun noeud")

        def _answer(self, status: int, headers: list[tuple[str, str]], content: bytes) -> None:
            self.send_response_only(status)
            for name, value in headers:
                if name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(content)

    return Handler
