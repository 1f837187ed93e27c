"""``weaklabel bench standard-sets``: the five standard multi-label sets alone, with their own wall time.

Yeast, scene, emotions, bibtex, tmc2007: the second part of ``weaklabel bench multilabel`` run by itself."""

from __future__ import annotations

import time

import torch

from ..report import Report
from . import register_suite
from ._standard_sets import add_standard_sets


@register_suite("standard-sets")
def standard_sets_suite(quick: bool, verbose: int) -> Report:
    start = time.perf_counter()
    report = Report("Benchmark: standard multi-label sets")
    add_standard_sets(report, quick, verbose)
    report.section(
        "Wall time",
        f"The suite ran in {(time.perf_counter() - start) / 60:.1f} minutes, with {torch.get_num_threads()} torch threads "
        "in the main process (member networks two at a time in worker processes, one thread each).",
    )
    return report
