"""The fuzz suite (input side): 10,000 hostile `parse --jsonl` lines through one real
process (bench/fuzz_parse.py), one at a time. Targets of the issue: no crash, an answer
for every line in order, no line over 5 s, a peak RSS of at most 300 MB.

A line's time is counted in the process's CPU seconds, which a busy machine does not
stretch; blocking (a FIFO, /dev/zero, a terminal) uses no CPU, so the wall time of each
line is bounded too, generously, for the same reason. Valid audio in the lines is at most
1 s long: PocketSphinx's time on loud noise grows faster than its length (2 s took 8 CPU
seconds), a recognizer defect outside input handling (docs/input-limits.md)."""

from __future__ import annotations

import pytest

from bench.fuzz_parse import run


@pytest.mark.slow
def test_ten_thousand_hostile_lines() -> None:
    report = run(10_000, seed=0)
    summary = report.summary()
    assert (report.crashes, report.answers, report.out_of_order) == (0, 10_000, 0), (
        summary, report.stderr_tail)
    assert report.errors.get("internal", 0) == 0, report.stderr_tail
    assert report.others == [], report.others  # every error is one the checks name
    assert max(report.cpu_seconds) < 5.0, summary
    assert max(report.seconds) < 60.0, summary
    assert report.peak_rss_mb <= 300, summary
    # the generator reached every kind of problem it means to
    assert set(report.errors) >= {
        "not UTF-8", "surrogate", "depth", "number", "line too long", "type", "unknown key",
        "not a regular file", "not found", "path length", "NUL in path", "sample rate",
        "duration", "truncated", "image pixels", "bad image", "too large", "unreadable"}
    assert report.results["act"] > 100 and report.results["ignore"] > 100
