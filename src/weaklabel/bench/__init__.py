"""Benchmark suites behind ``weaklabel bench NAME``.

A suite is a function ``(quick, verbose) -> Report`` registered with
:func:`register_suite`; its report (tables + figures) is written to
``<out>/<name>/report.md``, from which the README's results tables are copied.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from ..exceptions import InputError
from ..report import Report

SuiteFn = Callable[[bool, int], Report]
SUITES: dict[str, SuiteFn] = {}
# suite name → module that registers it (imported on demand: suites pull in heavy peers)
_MODULES = {"multilabel": "multilabel", "positive-only": "positive_only", "embedding": "embedding", "self-supervised": "self_supervised", "speed": "speed"}


def register_suite(name: str) -> Callable[[SuiteFn], SuiteFn]:
    def decorate(fn: SuiteFn) -> SuiteFn:
        SUITES[name] = fn
        return fn

    return decorate


def run_suite(name: str, out: str | Path, quick: bool = False, verbose: int = 1) -> Path:
    """Run suite ``name`` and write its report under ``out/name``; returns report.md."""
    if name not in _MODULES:
        raise InputError(f"unknown benchmark suite {name!r}; choose one of {sorted(_MODULES)}")
    importlib.import_module(f"{__name__}.{_MODULES[name]}")
    report = SUITES[name](quick, verbose)
    path = report.write(Path(out) / name)
    print(f"results: {path}")
    return path
