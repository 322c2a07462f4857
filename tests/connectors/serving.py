"""Serving a stand-in's request handler on a free local port, for the length of a `with` block."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def http_serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve `handler` on a free port of 127.0.0.1 while in the block; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class ServedStandIn:
    """A stand-in whose `_server` answers in a thread while in a `with` block; leaving the block
    sets `_released`, which lets go any answer held back (a slow or hanging behaviour)."""

    _server: ThreadingHTTPServer
    _released: threading.Event

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc_info):
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
