"""A fast subset of ``benchmarks/fuzz_cli.py``: malformed inputs give clear errors, never tracebacks or wrong outputs."""

import importlib.util
import random
import sys
from pathlib import Path

import pytest

import weaklabel.cli

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "fuzz_cli.py"


@pytest.fixture(scope="module")
def fuzz():
    spec = importlib.util.spec_from_file_location("fuzz_cli", _PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["fuzz_cli"] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("fuzz_cli", None)


@pytest.fixture(scope="module")
def workspace(fuzz, tmp_path_factory):
    return fuzz.build_workspace(tmp_path_factory.mktemp("fuzz"))


def test_subset_has_no_tracebacks_and_no_silently_wrong_outputs(fuzz, workspace):
    structured = fuzz.structured_cases(workspace, with_cluster=fuzz.cluster_available())
    rng = random.Random(0)
    cases = [c for c in structured if c.same_as or c.name == "predict/reference"] + rng.sample(structured, 18)
    cases += fuzz.random_cases(workspace, 8, rng, with_cluster=fuzz.cluster_available())
    summary = fuzz.summarize(outcomes := fuzz.run(cases))
    problems = [(o.case.name, o.kind, o.wrong or o.message) for o in outcomes if o.kind in ("traceback", "unclear") or o.wrong]
    assert not problems
    assert summary["valid inputs refused"] == 0
    assert summary["clear errors"] > 0 and summary["successes"] > 0


def test_counts_tracebacks_and_wrong_successes(fuzz, workspace, monkeypatch):
    data = fuzz.write_bytes(workspace, fuzz.csv_text(workspace.frame).encode(), ".csv")
    must_fail = fuzz.Case("predict/valid but expected to fail", fuzz.predict_argv(workspace, data), "error")
    outcome = fuzz.run([must_fail])[0]
    assert outcome.kind == "success" and outcome.wrong == "succeeded on an input that must be refused"
    wrong_rows = fuzz.Case("predict/wrong row count", fuzz.predict_argv(workspace, data), "any", rows=1)
    assert "rows" in fuzz.run([wrong_rows])[0].wrong

    def boom(args):
        raise RuntimeError("deep inside torch")

    monkeypatch.setitem(weaklabel.cli.COMMANDS, "predict", boom)
    crash = fuzz.run_case(fuzz.Case("predict/crash", fuzz.predict_argv(workspace, data)))
    assert crash.kind == "traceback" and "deep inside torch" in crash.message
