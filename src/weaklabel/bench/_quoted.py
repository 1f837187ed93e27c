"""Published figures on the standard sets, quoted (not rerun) beside the benchmark's own, each with where it was read.

A figure is listed only where it could be read in a source named here, under the metric of the same name and
convention as :data:`~weaklabel.bench._standard_sets.METRICS` (coverage is left out where a source normalises it by
the number of labels, which ours does not). Each entry says how its protocol differs from the benchmark's split.

Searched without a readable figure (so not quoted): Zhang & Zhou (2007), ML-kNN, Pattern Recognition 40 — its yeast
table is ten-fold cross-validation, and the searchable copies gave only the paper's opening pages; Madjarov et al. (2012),
"An extensive experimental comparison of methods for multi-label learning", Pattern Recognition 45 — the one study on
the yeast 1,500/917 and scene 1,211/1,196 splits, likewise only its opening pages. The ML-kNN yeast figures often
cited second-hand (Hamming loss 0.194, one-error 0.230, coverage 6.275, ranking loss 0.167, average precision 0.765)
could not be read in a named source either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class QuotedResult:
    """One method's published figures on one set: ``figures`` maps a metric key (``lrap``, ``hamming_loss``, ...)
    to ``(mean, standard deviation or None)``, as printed in ``source`` (read at ``url``)."""

    set_name: str
    method: str
    figures: dict[str, tuple[float, float | None]]
    source: str
    url: str
    protocol: str


_CAMEL_SOURCE = (
    "CAMEL (Feng, An & He, 'Collaboration based multi-label learning', AAAI 2019), the paper's column of the table in "
    "the README of the re-implementation hinanmu/CAMEL"
)
_CAMEL_URL = "https://github.com/hinanmu/CAMEL"
_CAMEL_PROTOCOL = (
    "mean ± standard deviation over the paper's runs (its partition of the rows is not stated on that page; a spread "
    "over runs means resampled partitions, not the source's fixed split used here, so the figures are indicative); "
    "coverage left out (normalised by the number of labels there)"
)

QUOTED: tuple[QuotedResult, ...] = (
    QuotedResult(
        "yeast",
        "CAMEL",
        {
            "one_error": (0.218, 0.027),
            "hamming_loss": (0.190, 0.005),
            "ranking_loss": (0.162, 0.007),
            "lrap": (0.775, 0.013),
            "macro_f1": (0.411, 0.018),
            "micro_f1": (0.655, 0.010),
        },
        _CAMEL_SOURCE,
        _CAMEL_URL,
        _CAMEL_PROTOCOL,
    ),
    QuotedResult(
        "scene",
        "CAMEL",
        {
            "one_error": (0.175, 0.027),
            "hamming_loss": (0.072, 0.009),
            "ranking_loss": (0.058, 0.005),
            "lrap": (0.897, 0.012),
            "macro_f1": (0.787, 0.023),
            "micro_f1": (0.780, 0.026),
        },
        _CAMEL_SOURCE,
        _CAMEL_URL,
        _CAMEL_PROTOCOL,
    ),
)


def quoted_for(set_name: str) -> list[QuotedResult]:
    """The quoted results on ``set_name`` (possibly none)."""
    return [q for q in QUOTED if q.set_name == set_name]


def quoted_table(set_name: str, ours: dict[str, float], ours_label: str, metrics: dict[str, tuple[str, bool]]) -> list[dict[str, Any]]:
    """Rows for the report: each quoted method (marked ``quoted``) and then ours (``ours``: metric key → this run's
    mean), over the columns of ``metrics`` (name → (key, lower is better)) that some quoted result gives; a metric a
    source does not give is ``–``."""
    quoted = quoted_for(set_name)
    columns = [(name, key) for name, (key, _) in metrics.items() if any(key in q.figures for q in quoted)]
    rows = []
    for q in quoted:
        row: dict[str, Any] = {"method": f"{q.method} (quoted, not rerun)"}
        for name, key in columns:
            mean, std = q.figures.get(key, (None, None))
            row[name] = "–" if mean is None else (f"{mean:.3f}" if std is None else f"{mean:.3f} ± {std:.3f}")
        row["source"] = f"{q.source}, {q.url}; {q.protocol}"
        rows.append(row)
    if rows:
        rows.append({"method": ours_label, **{name: f"{ours[key]:.3f}" for name, key in columns}, "source": "this run"})
    return rows
