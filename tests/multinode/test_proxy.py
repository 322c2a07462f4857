"""The multi-node test's proxy behaves as a production balancer must (proxy.py): it sends nobody to
a node whose /sante/pret does not answer 200, goes to the next node when a connection is refused
(nothing was sent), and never sends again a request that a node received and died with (a filing
may have been recorded). Against small local HTTP servers: no database, no Django."""

import http.client
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.multinode import proxy as proxy_module
from tests.multinode.proxy import LOST_HEADER, RoundRobinProxy


class Node:
    """A stand-in web node: /sante/pret answers `ready`; other requests are counted, then answered
    with the node's name, or, with `dies`, left without an answer (the connection closed)."""

    def __init__(self, name: str, *, ready: bool = True, dies: bool = False):
        self.name, self.ready, self.dies = name, ready, dies
        self.received: list[str] = []
        node = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # noqa: A002
                pass

            def do_GET(self):  # noqa: N802
                if self.path == "/sante/pret":
                    self.send_response(200 if node.ready else 503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                node.received.append(f"{self.command} {self.path}")
                if node.dies:
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                body = node.name.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def nodes():
    made: list[Node] = []

    def make(*args, **kwargs) -> Node:
        made.append(Node(*args, **kwargs))
        return made[-1]

    yield make
    for node in made:
        node.stop()


@pytest.fixture
def proxy_of():
    made: list[RoundRobinProxy] = []

    def make(*nodes: Node) -> RoundRobinProxy:
        made.append(RoundRobinProxy([node.port for node in nodes]).start())
        return made[-1]

    yield make
    for proxy in made:
        proxy.stop()


def ask(proxy: RoundRobinProxy, method: str = "GET", path: str = "/page") -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
    connection.request(method, path, body=b"a=1" if method == "POST" else None)
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def until(condition, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.05)


def test_only_nodes_that_say_they_are_ready_get_requests_in_turn(nodes, proxy_of):
    one, two = nodes("un"), nodes("deux", ready=False)
    proxy = proxy_of(one, two)
    until(lambda: proxy.backends[0].up and not proxy.backends[1].up)
    assert {ask(proxy).body for _ in range(6)} == {b"un"}
    two.ready = True
    until(lambda: proxy.backends[1].up)
    assert sorted(ask(proxy).body for _ in range(6)) == [b"deux"] * 3 + [b"un"] * 3


def test_a_refused_connection_goes_to_the_next_node(nodes, proxy_of, monkeypatch):
    monkeypatch.setattr(proxy_module, "HEALTH_EVERY", 60)  # one health check, at the start
    one, two = nodes("un"), nodes("deux")
    proxy = proxy_of(one, two)
    until(lambda: all(backend.up for backend in proxy.backends))
    two.stop()  # dead, and the proxy does not know it yet
    answers = [ask(proxy) for _ in range(4)]
    assert [(answer.status, answer.body) for answer in answers] == [(200, b"un")] * 4
    assert proxy.backends[1].refused == 1 and not proxy.backends[1].up
    assert len(one.received) == 4


def test_a_request_received_by_a_node_that_dies_is_not_sent_again(nodes, proxy_of):
    dying, other = nodes("mourant", dies=True), nodes("autre", ready=False)
    proxy = proxy_of(dying, other)
    until(lambda: proxy.backends[0].up and not proxy.backends[1].up)
    other.ready = True  # from now on, the other node could take it: it must not
    until(lambda: proxy.backends[1].up)
    answers = [ask(proxy, "POST", "/mes-dossiers/1/recapitulatif/") for _ in range(2)]
    lost = [answer for answer in answers if answer.status == 502]
    assert len(lost) == 1 and lost[0].getheader(LOST_HEADER) == str(dying.port)
    assert dying.received == ["POST /mes-dossiers/1/recapitulatif/"]  # received once, sent once
    assert other.received == ["POST /mes-dossiers/1/recapitulatif/"]  # the second request, its own
    assert [port for _, port, _ in proxy.log.lost] == [dying.port]
