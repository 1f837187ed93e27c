"""Fit a :class:`MultiLabelClassifier` from data larger than memory (a chunked training source).

Used by ``weaklabel fit --stream`` (and automatically for big files). What
differs from :meth:`MultiLabelClassifier.fit`, which holds everything in memory:

- the scaler, the label set and ``pos_weight`` are fitted on a sample of
  :data:`SAMPLE_ROWS` rows drawn from random chunks (:meth:`ChunkedSource.sample`);
  the scaler is then applied to every chunk as it is read;
- there is no validation split (``validation_fraction`` and ``patience`` are
  not used): training runs ``max_epochs`` epochs, and ``threshold="tune"``
  tunes the thresholds on the sample, i.e. on training rows.

The fitted estimator is an ordinary ``MultiLabelClassifier``: predict, save
and load work as usual.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import torch

from ..data.labels import LabelEncoder
from ..data.preprocessing import FeatureScaler
from ..exceptions import InputError
from ..data.sources import Arrays, ChunkedSource
from .multilabel import MultiLabelClassifier

logger = logging.getLogger("weaklabel")

SAMPLE_ROWS = 200_000


def fit_multilabel_stream(estimator: MultiLabelClassifier, source: ChunkedSource, label_names: list[str]) -> MultiLabelClassifier:
    """Fit ``estimator`` on ``source`` (batch keys ``"x"``: features, ``"y"``: 0/1 labels); returns it.

    ``source.transform`` is replaced by the fitted scaler (and a float32 cast of the labels), and
    ``"y"`` is added to ``source.binary``, so a label other than 0/1 in any chunk stops the fit.
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
    estimator._validate_X(X, reset=True)
    estimator.label_encoder_ = LabelEncoder().fit(pd.DataFrame(Y.astype(np.int64), columns=label_names))
    estimator.classes_ = estimator.label_encoder_.classes_
    estimator.label_format_ = estimator.label_encoder_.format_
    estimator._warn_degenerate_labels(Y)

    scaler = FeatureScaler(estimator.scaling, random_state=seed).fit(X)
    estimator.scaler_ = scaler

    def transform(arrays: Arrays) -> Arrays:
        return {"x": scaler.transform(arrays["x"].astype(np.float32, copy=False)), "y": arrays["y"].astype(np.float32)}

    source.transform = transform
    net = estimator._build_network(
        {"encoder": estimator._encoder_spec(scaler.n_features_out), "head": {"type": "linear", "out_features": Y.shape[1]}},
        seed,
    )
    loss = estimator._build_loss(Y.astype(np.float32))
    module = torch.nn.ModuleDict({"net": net, "loss": loss})

    def loss_fn(batch: dict[str, torch.Tensor]) -> torch.Tensor:
        return loss(net(batch["x"]), batch["y"])

    logger.info("streaming fit: %d rows in %d chunks, %d sampled for scaling", source.n_rows, source.n_chunks, len(X))
    estimator._train(module, loss_fn, source, None, seed)
    estimator.net_ = net.eval()
    estimator.thresholds_ = estimator._fit_thresholds(scaler.transform(X), Y, np.arange(len(X)))
    return estimator
