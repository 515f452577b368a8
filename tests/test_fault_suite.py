"""The network side's fault suite (issue 10), marked slow (CI runs it): the daemon as a
process of its own under thousands of hostile MQTT payloads, 20 broker restarts while
commands flow, and a 5-minute soak. `python -m bench.benchmark_trust_daemon` prints the
same figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.benchmark_trust_daemon import run_hostile, run_restarts, run_soak

pytestmark = pytest.mark.slow


def test_hostile_payloads_on_every_inbound_topic(tmp_path: Path) -> None:
    result = run_hostile(tmp_path, count=3000, flood=3000)
    print(f"\n[hostile: {result}]")
    assert result["payloads_sent"] >= 6000
    assert (result["crashes"], result["hangs"]) == (0, 0), result
    assert (result["failed_events"], result["tracebacks_in_log"]) == (0, 0)
    assert result["acted_afterwards"]
    assert result["sent_to_sensitive_devices"] == 0
    assert result["peak_rss_mb"] <= 300
    assert result["max_probe_ms"] < 5000


def test_twenty_broker_restarts_lose_nothing_and_resend_only_the_unacknowledged(
        tmp_path: Path) -> None:
    """Commands are QoS 1, at least once: a broker killed after it passed a command on but
    before its acknowledgement left gets that command again from the re-queue (seen once in
    CI: 1 of 722, with 2 re-queued). Dropping unacknowledged commands instead would lose
    the ones the broker never had. So: nothing lost, and a duplicate only of a re-sent one."""
    result = run_restarts(tmp_path, restarts=20)
    print(f"\n[restarts: {result}]")
    assert result["commands_sent"] > 20 * 10
    assert (result["lost"], result["unacknowledged"]) == (0, 0), result
    assert result["duplicated"] <= result["requeued"], result


def test_a_five_minute_soak_keeps_memory_flat(tmp_path: Path) -> None:
    result = run_soak(tmp_path, minutes=5.0)
    print(f"\n[soak: {result}]")
    assert result["crashes"] == 0
    assert result["events"] == result["commands_sent"] >= 1000
    start, end = result["rss_minute_1_mb"], result["rss_last_minute_mb"]
    assert end - start <= max(10.0, 0.05 * start), (start, end)
