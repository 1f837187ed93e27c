"""``weaklabel demo``: run the built-in scenarios and write one report.

A scenario is a function ``(report, verbose) -> rows`` registered with
:func:`register_scenario`; it adds its sections, tables and figures to the
report and returns the summary rows printed to the terminal. Each estimator
family adds its scenarios in :mod:`weaklabel.report.scenarios`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..exceptions import InputError
from .markdown import Report, check_report_folder, format_table

ScenarioFn = Callable[[Report, int], list[dict[str, Any]]]


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    run: ScenarioFn


SCENARIOS: dict[str, Scenario] = {}


def register_scenario(name: str, title: str) -> Callable[[ScenarioFn], ScenarioFn]:
    """Decorator: add a demo scenario."""

    def decorate(fn: ScenarioFn) -> ScenarioFn:
        SCENARIOS[name] = Scenario(name, title, fn)
        return fn

    return decorate


def run_demo(out: str | Path, only: Sequence[str] | None = None, verbose: int = 1) -> Path:
    """Run the scenarios (all, or those in ``only``), print their tables, write the report; returns report.md."""
    from . import scenarios  # noqa: F401  (registers the built-in scenarios)

    names = list(dict.fromkeys(only)) if only else list(SCENARIOS)  # a scenario named twice runs once
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        raise InputError(f"unknown demo scenario(s) {unknown}; choose from {list(SCENARIOS)}")
    check_report_folder(out)
    report = Report("weaklabel demo")
    report.text("Every number below was measured by this run on built-in data (`weaklabel demo`).")
    for name in names:
        scenario = SCENARIOS[name]
        start = time.perf_counter()
        report.section(scenario.title)
        rows = scenario.run(report, verbose)
        seconds = time.perf_counter() - start
        print(f"\n== {scenario.title} ({seconds:.1f} s)")
        print(format_table(rows))
    path = report.write(out)
    print(f"\nreport: {path}")
    return path
