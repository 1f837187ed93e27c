"""Tests of weaklabel.report.markdown: table text, report layout and atomic writing."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest
from matplotlib.figure import Figure

from weaklabel.exceptions import InputError
from weaklabel.report import Report, format_cell, format_table, markdown_table

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

ROWS = [
    {"label": "cat", "f1": 0.5, "support": 12},
    {"label": "dog", "f1": 0.25, "support": 3, "note": "rare"},
    {"label": "bird", "f1": None, "support": 0},
]


def _small_figure() -> Figure:
    fig = Figure(figsize=(2, 1.5))
    fig.add_subplot().plot([0, 1], [1, 0])
    return fig


def test_format_cell() -> None:
    assert format_cell(None) == "–"
    assert format_cell(3) == "3"
    assert format_cell(np.int64(7)) == "7"
    assert format_cell(0.12345) == "0.123"
    assert format_cell(np.float32(0.5), ".1f") == "0.5"
    assert format_cell(0.25, ".1%") == "25.0%"
    assert format_cell(True) == "True"
    assert format_cell("x") == "x"


def test_markdown_table_exact_text() -> None:
    expected = (
        "| label |    f1 | support | note |\n"
        "|:------|------:|--------:|:-----|\n"
        "| cat   | 0.500 |      12 | –    |\n"
        "| dog   | 0.250 |       3 | rare |\n"
        "| bird  |     – |       0 | –    |"
    )
    assert markdown_table(ROWS) == expected


def test_markdown_table_columns_floatfmt_and_escaping() -> None:
    rows = [{"name": "a|b", "score": 0.123456, "extra": 1}]
    assert markdown_table(rows, columns=["score", "name", "missing"], floatfmt=".2f") == (
        "| score | name | missing |\n"
        "|------:|:-----|:--------|\n"
        "|  0.12 | a\\|b | –       |"
    )
    assert markdown_table([], columns=["a"]) == "| a   |\n|:----|"
    assert markdown_table([]) == ""


def test_format_table_exact_text() -> None:
    expected = (
        "label     f1  support  note\n"
        "-----  -----  -------  ----\n"
        "cat    0.500       12  –\n"
        "dog    0.250        3  rare\n"
        "bird       –        0  –"
    )
    assert format_table(ROWS) == expected
    assert format_table([], columns=["a", "bb"]) == "a  bb\n-  --"


def test_table_rejects_non_dict_rows() -> None:
    with pytest.raises(InputError, match="row 1"):
        markdown_table([{"a": 1}, [1, 2]])


def test_report_markdown_layout() -> None:
    report = (
        Report("Run 1")
        .section("Summary", "Trained on *weak* labels.")
        .table(ROWS[:2], columns=["label", "f1"], caption="Scores per label")
        .text("Some notes.")
        .figure(_small_figure(), "pr curves", "Precision-recall curves")
    )
    assert report.to_markdown() == (
        "# Run 1\n\n"
        "## Summary\n\n"
        "Trained on *weak* labels.\n\n"
        "| label |    f1 |\n"
        "|:------|------:|\n"
        "| cat   | 0.500 |\n"
        "| dog   | 0.250 |\n\n"
        "*Table 1: Scores per label*\n\n"
        "Some notes.\n\n"
        "![Precision-recall curves](figures/pr_curves.png)\n\n"
        "*Figure 1: Precision-recall curves*\n"
    )
    assert report.figure_files == ["figures/pr_curves.png"]


def test_report_write_creates_report_and_figures(tmp_path) -> None:
    report = Report("Evaluation").section("Figures")
    report.figure(_small_figure(), "first", "First figure").figure(_small_figure(), "second.png", "Second")
    out = tmp_path / "nested" / "report_dir"
    path = report.write(out)
    assert path == out / "report.md"
    text = path.read_text(encoding="utf-8")
    linked = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert linked == ["figures/first.png", "figures/second.png"]
    for rel in linked:
        content = (out / rel).read_bytes()
        assert content[:8] == PNG_SIGNATURE and len(content) > 100
    assert sorted(os.listdir(out)) == ["figures", "report.md"]
    assert os.listdir(out.parent) == ["report_dir"]  # no staging folder left


def test_report_write_replaces_existing_report(tmp_path) -> None:
    out = tmp_path / "rep"
    Report("Old").figure(_small_figure(), "old", "Old figure").write(out)
    (out / "keep.txt").write_text("user file")
    Report("New").figure(_small_figure(), "new", "New figure").write(out)
    assert (out / "report.md").read_text(encoding="utf-8").startswith("# New\n")
    assert os.listdir(out / "figures") == ["new.png"]
    assert (out / "keep.txt").read_text() == "user file"
    assert sorted(os.listdir(out)) == ["figures", "keep.txt", "report.md"]
    assert os.listdir(tmp_path) == ["rep"]


def test_report_write_failure_keeps_previous_report(tmp_path) -> None:
    class Broken(Figure):
        def savefig(self, *args, **kwargs):  # noqa: ANN002, ANN003
            raise RuntimeError("render failed")

    out = tmp_path / "rep"
    Report("Old").figure(_small_figure(), "old", "Old figure").write(out)
    before = (out / "report.md").read_text(encoding="utf-8")
    report = Report("New").figure(_small_figure(), "ok", "Fine").figure(Broken(), "bad", "Breaks")
    with pytest.raises(RuntimeError, match="render failed"):
        report.write(out)
    assert (out / "report.md").read_text(encoding="utf-8") == before
    assert os.listdir(out / "figures") == ["old.png"]
    assert os.listdir(tmp_path) == ["rep"]
    with pytest.raises(RuntimeError):
        report.write(tmp_path / "fresh")
    assert os.listdir(tmp_path) == ["rep"]


def test_report_rejects_bad_figures(tmp_path) -> None:
    report = Report("R").figure(_small_figure(), "a", "A")
    with pytest.raises(InputError, match="already"):
        report.figure(_small_figure(), "a.png", "A again")
    with pytest.raises(InputError, match="no usable"):
        report.figure(_small_figure(), "///", "nothing")
    with pytest.raises(InputError, match="not a matplotlib Figure"):
        report.figure("not a figure", "b", "B")
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        report.write(tmp_path / "file")


def test_a_written_report_gets_the_permissions_the_umask_gives(tmp_path, umask_022) -> None:
    """Not the private 0700 / 0600 of the temporary names it is staged under: a served or shared report
    must keep its images readable."""
    fig = Figure()
    fig.add_subplot().plot([0, 1])
    report = Report("r")
    report.figure(fig, "line", "a line")
    report.write(tmp_path / "out")
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "out" / "figures" / "line.png").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "out" / "report.md").stat().st_mode & 0o777 == 0o644


def test_captioned_tables_are_numbered_without_gaps() -> None:
    report = Report("r").table([{"a": 1}], caption="first").table([{"a": 2}]).table([{"a": 3}], caption="second")
    text = report.to_markdown()
    assert "*Table 1: first*" in text and "*Table 2: second*" in text and "Table 3" not in text


def test_an_evaluation_inside_a_section_takes_the_level_below() -> None:
    from weaklabel.tasks.multilabel import multilabel_evaluation

    rng = np.random.default_rng(0)
    y = (rng.random((40, 3)) < 0.4).astype(int)
    report = Report("demo").section("Scenario")
    multilabel_evaluation(y, rng.random((40, 3)), y, np.array(["a", "b", "c"]), np.full(3, 0.5), "the labels over 0.5", report, level=3)
    headings = [line for line in report.to_markdown().splitlines() if line.startswith("#")]
    assert headings == ["# demo", "## Scenario", "### Metrics", "### Per label"]
