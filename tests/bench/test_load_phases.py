"""The load benchmark compares each flow with the baseline measured around it (bench/load.py): two
half phases of the baseline joined count as one phase."""

from bench.load import Phase, Row
from bench.load_cpu import CpuUse
from bench.request_stats import KindStats


def baseline(requests: int, per_second: float, server: float, p95: float) -> Phase:
    cpu = CpuUse(server=server, database=server / 2, backends=server / 2, generator=1.0, wall=15.0)
    cpu.server_processes = [server * 0.6, server * 0.4]
    kinds = {"POST_insert": KindStats(requests, server / 2, [3] * requests)}
    return Phase([Row("insérer une ligne", requests, 1, per_second, p95, p95 / 2)], cpu, kinds, lock_waits=0.5)


def test_two_half_phases_count_as_one():
    joined = Phase.joined(baseline(6000, 400.0, 9.0, 20.0), baseline(4000, 266.0, 7.0, 30.0))
    (row,) = joined.rows
    assert (row.requests, row.failures, row.per_second, row.p95_ms, row.median_ms) == (10000, 2, 333.0, 30.0, 12.5)
    assert (joined.cpu.server, joined.cpu.database, joined.cpu.wall, joined.cpu.generator) == (16.0, 8.0, 30.0, 2.0)
    assert joined.cpu.server_processes == [9.6, 6.4] and joined.cpu.busiest_worker_share == 0.6
    stats = joined.kinds["POST_insert"]
    assert (stats.requests, stats.cpu_seconds, stats.statements_per_request) == (10000, 8.0, 3.0)
    assert joined.lock_waits == 0.5
