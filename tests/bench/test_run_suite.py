"""run_suite: writes the suite's report under out/name, ending with the environment it ran in."""

import pytest
import torch

from weaklabel import bench
from weaklabel.exceptions import InputError
from weaklabel.report import Report


def test_report_ends_with_the_environment(tmp_path, monkeypatch) -> None:
    calls = []

    def tiny_suite(quick: bool, verbose: int) -> Report:
        calls.append((quick, verbose))
        return Report("tiny").section("Scores").table([{"method": "x", "score": 0.5}])

    monkeypatch.setattr(bench, "_suite_modules", lambda: {"tiny": "_seeds"})  # any light module: the suite registers itself below
    monkeypatch.setitem(bench.SUITES, "tiny", tiny_suite)
    path = bench.run_suite("tiny", tmp_path, quick=True, verbose=0)
    assert path == tmp_path / "tiny" / "report.md" and calls == [(True, 0)]
    text = path.read_text()
    assert text.index("## Scores") < text.index("## Environment")
    assert f"torch {torch.__version__}, {torch.get_num_threads()} torch threads by default" in text


def test_unknown_suite_names_the_choices(tmp_path) -> None:
    with pytest.raises(InputError, match="unknown benchmark suite 'nope'; choose one of"):
        bench.run_suite("nope", tmp_path)


def test_every_public_module_of_the_package_is_a_suite_named_after_it() -> None:
    """A new suite is one module (bench/partial_label.py → ``weaklabel bench partial-label``), no list to edit."""
    assert bench._suite_modules() == {
        "embedding": "embedding", "multilabel": "multilabel", "positive-only": "positive_only",
        "self-supervised": "self_supervised", "speed": "speed", "standard-sets": "standard_sets",
    }


def test_an_out_path_that_is_a_file_fails_before_the_suite_runs(tmp_path, monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(bench, "_suite_modules", lambda: {"tiny": "_seeds"})
    monkeypatch.setitem(bench.SUITES, "tiny", lambda quick, verbose: calls.append(1) or Report("tiny"))
    (tmp_path / "results.csv").write_text("x\n")
    with pytest.raises(InputError, match=r"results\.csv exists and is not a folder"):
        bench.run_suite("tiny", tmp_path / "results.csv")
    assert calls == []


def test_demo_checks_its_folder_first_and_runs_a_repeated_scenario_once(tmp_path, monkeypatch) -> None:
    from weaklabel.report import demo

    runs = []
    monkeypatch.setitem(demo.SCENARIOS, "tiny", demo.Scenario("tiny", "Tiny", lambda report, verbose: runs.append(1) or [{"x": 1}]))
    (tmp_path / "out.csv").write_text("x\n")
    with pytest.raises(InputError, match=r"out\.csv exists and is not a folder"):
        demo.run_demo(tmp_path / "out.csv", only=["tiny"], verbose=0)
    assert runs == []
    demo.run_demo(tmp_path / "report", only=["tiny", "tiny"], verbose=0)
    assert runs == [1]
