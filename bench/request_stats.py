"""What each request of the load benchmark costs the server, measured inside gunicorn's workers:
the CPU time of the thread that served it (the whole middleware stack, the view and the template)
and the SQL statements it sent. A middleware of the benchmark's settings only (bench/load_settings.py),
first of all, so that the session, CSRF check and user reading are counted.

Each worker appends one line per request, `kind cpu_seconds statements`, to a file of its own in
BENCH_REQUEST_STATS (a folder); bench/load.py reads the lines that a phase added (`StatsReader`). The
kind is the method and the route's name, with the page's number for the form's pages."""

import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connections


class RequestStatsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.folder = Path(os.environ["BENCH_REQUEST_STATS"])
        self._file = None

    def _out(self):
        if self._file is None:  # opened in the worker, after gunicorn's fork
            self._file = open(self.folder / f"{os.getpid()}.txt", "a", buffering=1)  # noqa: SIM115
        return self._file

    def __call__(self, request):
        statements = [0]

        def count(execute, sql, params, many, context):
            statements[0] += 1
            return execute(sql, params, many, context)

        started = time.thread_time()
        with connections["default"].execute_wrapper(count):
            response = self.get_response(request)
        used = time.thread_time() - started
        match = request.resolver_match
        kind = f"{request.method} {match.view_name if match else request.path}"
        if match and "number" in match.kwargs:
            kind += f" {match.kwargs['number']}"
        self._out().write(f"{kind.replace(' ', '_')} {used:.6f} {statements[0]}\n")
        return response


@dataclass
class KindStats:
    requests: int = 0
    cpu_seconds: float = 0.0
    statements: list[int] = field(default_factory=list)

    def joined(self, other: "KindStats") -> "KindStats":
        return KindStats(
            self.requests + other.requests, self.cpu_seconds + other.cpu_seconds, self.statements + other.statements
        )

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu_seconds / self.requests

    @property
    def statements_per_request(self) -> float:
        return sum(self.statements) / self.requests


class StatsReader:
    """The lines that the workers wrote between `start()` and `read()`, summed per kind."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._offsets: dict[Path, int] = {}

    def start(self) -> None:
        self._offsets = {path: path.stat().st_size for path in self.folder.glob("*.txt")}

    def read(self) -> dict[str, KindStats]:
        kinds: dict[str, KindStats] = defaultdict(KindStats)
        for path in self.folder.glob("*.txt"):
            with path.open() as lines:
                lines.seek(self._offsets.get(path, 0))
                for line in lines:
                    parts = line.split()
                    if len(parts) != 3:
                        continue  # a line being written as the phase ended
                    stats = kinds[parts[0]]
                    stats.requests += 1
                    stats.cpu_seconds += float(parts[1])
                    stats.statements.append(int(parts[2]))
        return dict(kinds)
