"""Part (f) of the speed suite: runs in fresh processes, alone and beside busy ones, wall and CPU seconds."""

from __future__ import annotations

import pytest

from weaklabel.bench import speed


def test_each_run_is_timed_alone_and_beside_busy_processes(monkeypatch):
    monkeypatch.setattr(speed, "end_to_end_runs", lambda quick: {"sum": ["-c", "print(sum(range(10**6)))"]})
    rows = speed.under_load_rows(quick=True, busy=1)
    assert [(r["run"], r["beside"]) for r in rows] == [("sum", "0 busy"), ("sum", "1 busy")]
    assert all(r["wall_s"] > 0 and r["cpu_s"] > 0 for r in rows)
    assert rows[0]["wall_vs_alone"] == 1.0


def test_a_failed_run_raises_with_its_error(tmp_path):
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        speed.timed_run(["-c", "1 / 0"], tmp_path)


def test_the_busy_processes_are_gone_after_the_block(monkeypatch):
    started = []
    popen = speed.subprocess.Popen

    def recording(*args, **kwargs):
        started.append(popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(speed.subprocess, "Popen", recording)
    with speed.busy_processes(2):
        assert [proc.poll() for proc in started] == [None, None]
    assert all(proc.poll() is not None for proc in started)
