"""Published figures quoted beside the benchmark's rows: read in the source named, not rerun here.

Only figures on the same split and metric convention as the benchmark's rows are quoted (yeast and scene
on their source splits); each entry names its source and how it was read.
"""

from __future__ import annotations

#: set → list of {"method", "source", metric column → value}; the metric columns are standard_sets.METRICS'
PUBLISHED: dict[str, list[dict[str, object]]] = {}

#: Zhang & Zhou (2007), ML-kNN on yeast by ten-fold cross-validation: metric → (mean, std); empty until read
MLKNN_PAPER: dict[str, tuple[float, float]] = {}
MLKNN_PAPER_SOURCE = ""
