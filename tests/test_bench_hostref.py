"""bench.hostref: the fixed workload runs in a new interpreter and reads its own CPU time, the same
result whatever the hash seed of the caller (the workload pins PYTHONHASHSEED)."""

from __future__ import annotations

from bench import hostref


def test_the_reference_workload_reads_a_cpu_time() -> None:
    result = hostref.measure(1)
    assert result["version"] == hostref.VERSION
    assert result["rounds"] == 1
    assert 0 < result["min_cpu_s"] <= result["median_cpu_s"] < 60
    assert "host reference" in hostref.line(result)
