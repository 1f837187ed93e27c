"""Benchmark suites behind ``weaklabel bench NAME``.

A suite is a function ``(quick, verbose) -> Report`` registered with
:func:`register_suite`; its report (tables + figures) is written to
``<out>/<name>/report.md`` (ending with the run's environment), from which the
guides' tables and the README's summary are copied (the documentation site shows each report whole).
"""

from __future__ import annotations

import datetime
import importlib
import os
import pkgutil
import platform
from collections.abc import Callable
from pathlib import Path

from ..exceptions import InputError
from ..report import Report, check_report_folder

SuiteFn = Callable[[bool, int], Report]
SUITES: dict[str, SuiteFn] = {}


def _suite_modules() -> dict[str, str]:
    """Suite name → the module of this package that registers it, imported on demand (suites pull in heavy peers):
    every module not starting with ``_``, named as the suite with ``_`` for ``-`` (so a new suite is one module)."""
    return {info.name.replace("_", "-"): info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")}


def register_suite(name: str) -> Callable[[SuiteFn], SuiteFn]:
    def decorate(fn: SuiteFn) -> SuiteFn:
        SUITES[name] = fn
        return fn

    return decorate


def environment() -> str:
    """One line naming what a benchmark's figures depend on: versions, cores, torch's default thread count
    (float rounding, and so a clustering run's outcome, changes with it; a suite that pins its own count
    says so in its setup) and the date."""
    import torch

    return (
        f"Python {platform.python_version()}, torch {torch.__version__}, {torch.get_num_threads()} torch threads by default "
        "(unless the setup above says otherwise), "
        f"{os.cpu_count()} CPUs ({platform.machine()}, {platform.system()}), run on {datetime.date.today().isoformat()}."
    )


def run_suite(name: str, out: str | Path, quick: bool = False, verbose: int = 1) -> Path:
    """Run suite ``name`` and write its report under ``out/name``; returns report.md."""
    modules = _suite_modules()
    if name not in modules:
        raise InputError(f"unknown benchmark suite {name!r}; choose one of {sorted(modules)}")
    check_report_folder(Path(out) / name)
    importlib.import_module(f"{__name__}.{modules[name]}")
    report = SUITES[name](quick, verbose)
    report.section("Environment", environment())
    path = report.write(Path(out) / name)
    print(f"results: {path}")
    return path
