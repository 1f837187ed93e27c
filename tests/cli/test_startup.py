"""The command line's help and argument errors answer before PyTorch, NumPy, pandas or scikit-learn load
(they take seconds to import on a busy machine): checked in a fresh interpreter by what it imported, not by the
clock."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from weaklabel.catalogue import SCENARIOS, SUITES

HEAVY = ("torch", "numpy", "pandas", "sklearn", "scipy", "matplotlib")

ARGUMENTS = [
    ["--help"],
    ["--version"],
    [],
    ["fit", "--help"],
    ["cluster", "--help"],
    ["predict", "--help"],
    ["evaluate", "--help"],
    ["demo", "--help"],
    ["bench", "--help"],
    ["fitt", "x.csv"],
    ["fit", "x.csv"],
    ["fit", "x.csv", "--out", "m", "--no-such-flag"],
    ["fit", "x.csv", "--out", "m", "--task", "nope"],
    ["fit", "x.csv", "--out", "m", "--epochs", "0"],
    ["fit", "x.csv", "--out", "m", "--learning-rate", "-1"],
    ["fit", "x.csv", "--out", "m", "--threshold", "2"],
    ["fit", "x.csv", "--out", "m", "--seed", "-3"],
    ["fit", "x.csv", "--out", "m", "--device", "gpu"],
    ["fit", "x.csv", "--out", "m", "--hidden-sizes", "a,b"],
    ["fit", "x.csv", "--out", "m", "--param", "dropout"],
    ["fit", "x.csv", "--out", "m", "--loss", "hinge"],
    ["fit", "x.csv", "--out", "m", "--task", "positive-only", "--loss", "bce"],
    ["fit", "x.csv", "--out", "m", "--resume"],
    ["fit", "x.csv", "--out", "m", "--config", "no-such-file.yaml"],
    ["fit", "x.csv", "--out", "m", "--stream", "--no-stream"],
    ["cluster", "x.csv", "--out", "m", "--n-classes", "1"],
    ["predict", "model"],
    ["predict", "model", "x.csv", "--out", "p.csv", "--device", "tpu"],
    ["predict", "model", "x.csv", "--out", "p.csv", "--top-k", "0"],
    ["predict", "model", "x.csv", "--out", "p.csv", "--threshold", "1.5"],
    ["predict", "model", "x.csv", "--out", "p.csv", "--top-k", "2", "--threshold", "0.5"],
    ["fit", "x.csv", "--out", "m", "--threshold", "tune_example_f2"],
    ["evaluate"],
    ["demo", "--only", "nope"],
    ["bench", "nope"],
]

SCRIPT = f"""
import contextlib, io, json, sys
from weaklabel.cli import main
results = []
for argv in json.loads(sys.argv[1]):
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    results.append([code, err.getvalue()])
print(json.dumps({{"results": results, "heavy": [m for m in {HEAVY!r} if m in sys.modules]}}))
"""


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("startup")
    done = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(ARGUMENTS)], capture_output=True, text=True, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_help_and_argument_errors_load_no_heavy_library(answers):
    assert answers["heavy"] == []


@pytest.mark.parametrize("position, argv", list(enumerate(ARGUMENTS)), ids=[" ".join(a) or "(none)" for a in ARGUMENTS])
def test_each_answer_is_help_or_a_one_line_error_with_status_2(answers, position, argv):
    code, err = answers["results"][position]
    if "--help" in argv or "--version" in argv:
        assert code == 0
    else:
        assert code == 2
        assert err.strip().splitlines()[-1].startswith(("weaklabel: error:", "weaklabel fit: error:", "weaklabel cluster: error:",
                                                         "weaklabel predict: error:", "weaklabel evaluate: error:",
                                                         "weaklabel demo: error:", "weaklabel bench: error:"))


def test_import_weaklabel_alone_loads_no_heavy_library():
    script = f"import sys, weaklabel; print([m for m in {HEAVY!r} if m in sys.modules])"
    assert subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.strip() == "[]"


def test_every_scenario_and_suite_is_listed_in_its_help():
    def help_of(command):
        return subprocess.run([sys.executable, "-m", "weaklabel", command, "--help"], capture_output=True, text=True, check=True).stdout

    assert all(name in help_of("demo") for name in SCENARIOS)
    assert all(name in help_of("bench") for name in SUITES)
