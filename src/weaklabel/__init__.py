"""weaklabel: train classifiers when labels are weak.

The estimators and :func:`load` are imported on first use (PEP 562), so that ``import weaklabel`` and the
command line's help and argument errors do not load PyTorch. Imported before torch, it sets
``OMP_WAIT_POLICY=PASSIVE`` unless the environment sets it (see below).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

# OpenMP's idle threads sleep instead of spinning against other processes, unless the environment chose a policy.
# It only takes effect before torch starts its OpenMP runtime, so only when weaklabel is imported first. Beside
# busy processes the 10-network positive-only fit of the speed report took 230 s with it and did not finish in
# 600 s without (benchmarks/results/speed/report.md, part (f); docs/reliability.md, "Threads").
if "torch" not in sys.modules:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from ._version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from .estimators import EmbeddingClassifier, MultiLabelClassifier, PartialLabelClassifier, SelfSupervisedClassifier, SinglePositiveClassifier
    from .persistence import load

__all__ = ["EmbeddingClassifier", "MultiLabelClassifier", "PartialLabelClassifier", "SelfSupervisedClassifier", "SinglePositiveClassifier", "__version__", "load"]


def __getattr__(name: str) -> Any:
    """The estimators and ``load``, imported when first asked for."""
    if name == "load":
        from . import estimators  # noqa: F401  (registers the classes load rebuilds)
        from .persistence import load

        return load
    if name in __all__:
        from . import estimators

        return getattr(estimators, name)
    raise AttributeError(f"module 'weaklabel' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
