"""Fit a :class:`MultiLabelClassifier` from data larger than memory (a chunked training source).

Used by ``weaklabel fit --stream`` (and automatically for big files). What
differs from :meth:`MultiLabelClassifier.fit`, which holds everything in memory:

- the scaler, the label set and ``pos_weight`` are fitted on a sample of
  :data:`SAMPLE_ROWS` rows drawn from random chunks (:meth:`ChunkedSource.sample`);
  the scaler is then applied to every chunk as it is read;
- one network (``n_members`` is not used: a stream has no folds) and no validation split (``validation_fraction`` and ``patience`` are
  not used): training runs ``max_epochs`` epochs, and ``threshold="tune"``
  tunes the thresholds on the sample, i.e. on training rows.

The fitted estimator is an ordinary ``MultiLabelClassifier``: predict, save
and load work as usual.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from ..data.sources import ChunkedSource
from ..exceptions import InputError
from .multilabel import MultiLabelClassifier

logger = logging.getLogger("weaklabel")

SAMPLE_ROWS = 200_000


def fit_multilabel_stream(estimator: MultiLabelClassifier, source: ChunkedSource, label_names: list[str]) -> MultiLabelClassifier:
    """Fit ``estimator`` on ``source`` (batch keys ``"x"``: features, ``"y"``: 0/1 labels); returns it.

    The fit is :meth:`MultiLabelClassifier.fit`'s own, given a sample of :data:`SAMPLE_ROWS` rows for what it
    fits in memory (scaler, labels, ``pos_weight``, thresholds) and ``source`` to train on. ``source.transform``
    is replaced by the fitted scaler (and a float32 cast of the labels), and ``"y"`` is added to
    ``source.binary``, so a label other than 0/1 in any chunk stops the fit.
    """
    estimator._check_params()
    seed = estimator._seed(estimator.random_state)
    if "y" not in source.binary:
        source.binary += ("y",)  # every chunk's labels are checked for 0/1 as read, not only the sample's
    sample = source.sample(SAMPLE_ROWS, seed)
    if set(sample) != {"x", "y"}:
        raise InputError(f"a streaming multilabel source needs arrays 'x' and 'y', got {sorted(sample)}")
    X, Y = sample["x"].astype(np.float32, copy=False), sample["y"]
    if Y.ndim != 2 or Y.shape[1] != len(label_names) or not np.isin(Y, (0, 1)).all():
        raise InputError(f"labels must be a 0/1 matrix with {len(label_names)} columns ({label_names[:5]}…)")
    logger.info("streaming fit: %d rows in %d chunks, %d sampled for scaling", source.n_rows, source.n_chunks, len(X))
    return estimator._fit(seed, X, pd.DataFrame(Y.astype(np.int64), columns=label_names), source)
