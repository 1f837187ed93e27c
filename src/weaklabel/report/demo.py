"""``weaklabel demo``: run the built-in scenarios and write one report.

A scenario is a function ``(report, verbose) -> rows`` registered with
:func:`~weaklabel.report.scenarios._registry.register_scenario`; it adds its sections, tables and figures to the
report and returns the summary rows printed to the terminal. Each estimator
family adds its scenarios in :mod:`weaklabel.report.scenarios`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from ..exceptions import InputError
from .markdown import Report, check_report_folder, format_table
from .scenarios._registry import SCENARIOS, Scenario, register_scenario

__all__ = ["SCENARIOS", "Scenario", "register_scenario", "run_demo"]

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
