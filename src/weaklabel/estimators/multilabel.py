"""MultiLabelClassifier: one sigmoid output per label, for fully tagged and for sparse, imbalanced labels."""

from __future__ import annotations

import copy
import dataclasses
import functools
import logging
import warnings
from typing import Any

import joblib
import numpy as np
import torch
from sklearn.base import ClassifierMixin

from ..algorithms.cross_fitting import FoldJob, fold_jobs, in_processes
from ..data.labels import LabelEncoder
from ..data.sources import Arrays, ChunkedSource
from ..data.validation import check_same_length
from ..exceptions import InputError
from ..losses import Loss, available_losses, get_loss_entry
from ..losses.multilabel import positive_weights
from ..metrics import example_f1_threshold, mean_average_precision, top_k_matrix, tune_thresholds
from ..nn import Network, ProbabilityEnsemble, ensemble_spec
from ..persistence import register_estimator
from ..runtime import distributed
from ._base import NeuralEstimator, binary_decision, flat_width, loss_params_rule
from ._loss_inputs import loss_function
from ._params import OneOf, Rule, integer, is_integer, is_real_number

logger = logging.getLogger("weaklabel")

#: the values of ``threshold`` that tune it on the validation split: per label for F1, or one for example-based F1
TUNING_RULES = ("tune", "tune_example_f1")


@register_estimator
class MultiLabelClassifier(ClassifierMixin, NeuralEstimator):
    """Multi-label classifier: an MLP with one sigmoid output per label.

    Parameters
    ----------
    loss : {"bce", "weighted_bce", "focal", "asymmetric"}
        Training loss (see :mod:`weaklabel.losses.multilabel`).
    loss_params : dict, optional
        Keyword arguments of the loss (e.g. ``{"gamma": 2.0}`` for focal).
    pos_weight : "auto" or array-like of shape (n_labels,)
        Positive weights of ``weighted_bce``; ``"auto"`` = negatives/positives
        of each label in the training split. Given weights are refused with
        another loss, and beside a ``pos_weight`` in ``loss_params``.
    threshold : float, "tune" or "tune_example_f1"
        Decision threshold on the probabilities; ``"tune"`` picks, per label,
        the F1-maximising threshold (see :func:`weaklabel.metrics.tune_thresholds`):
        with ``n_members > 1`` on the out-of-fold probabilities of every row (the
        plain maximiser), with one network on its validation split (on the training
        data when there is none) by the one-standard-error rule, which guards the
        smaller sample against chasing noise. ``"tune_example_f1"`` picks one threshold for all labels that
        maximises the example-based F1 there, which keeps the number of labels per item near the true one
        (see :func:`weaklabel.metrics.example_f1_threshold`).
    n_members : int
        Networks trained by cross-fitting and averaged in probability
        (:class:`~weaklabel.nn.ProbabilityEnsemble`): the rows are cut into
        ``n_members`` folds (``KFold``, shuffled with the seed); member ``k`` trains
        on the other folds and early-stops on fold ``k``, so every row is held out
        by exactly one member and the members' held-out scores tune the thresholds.
        ``validation_fraction`` is then not used (with fewer than ``2 * n_members``
        rows one network is trained, with a warning). Cost: ``n_members - 1`` times the
        training rows of one network an epoch. ``1``: one network on a
        ``validation_fraction`` split. On the five standard sets (``weaklabel bench
        standard-sets``, 3 seeds) 3 members gave yeast LRAP 0.771 and macro-F1 0.491
        against one network's 0.765 and 0.472 (seed 0), bibtex 0.617 / 0.422 against
        0.595 / 0.385; on tmc2007 one network was better (0.878 / 0.704 against
        0.875 / 0.689).
    n_jobs : int, optional
        Members trained at once in worker processes (``None``: 1, in this process;
        ``-1``: one per CPU), each with ``torch.get_num_threads() // n_jobs`` threads.
    hidden_sizes, norm, dropout : MLP shape (``hidden_sizes=()`` gives a linear model).
    scaling : {"auto", "ple", "quantile", "robust", "standard", "none"}
        Input transform fitted on the training rows (:mod:`weaklabel.data.preprocessing`;
        ``"auto"``: 0/1 columns as given, the others piecewise-linear encoded).
    max_epochs, batch_size, learning_rate, weight_decay : AdamW training.
    validation_fraction : float
        Share of the data held out for early stopping and threshold tuning (``n_members=1``).
    patience : int or None
        Epochs without validation improvement before stopping (best weights restored).
    device : "auto", "cpu" or "cuda"
    random_state : int, RandomState or None
    verbose : int
        0 = silent, 1 = progress bar.

    Attributes
    ----------
    classes_ : ndarray of label names (str or int, as given).
    thresholds_ : ndarray (n_labels,) of decision thresholds.
    label_format_ : "matrix", "sets" or "single": what ``predict`` returns.
    feature_names_in_ : column names of a DataFrame ``X`` at fit, when all are strings (predict then checks them).
    """

    def __init__(
        self,
        loss: str = "bce",
        loss_params: dict[str, Any] | None = None,
        pos_weight: str | Any = "auto",
        threshold: float | str = "tune",
        n_members: int = 3,
        n_jobs: int | None = None,
        hidden_sizes: tuple[int, ...] = (512, 512),
        norm: str | None = "batch",
        dropout: float = 0.6,
        scaling: str = "auto",
        max_epochs: int = 200,
        batch_size: int = 256,
        learning_rate: float = 1e-3,
        weight_decay: float = 1e-4,
        validation_fraction: float = 0.1,
        patience: int | None = 10,
        device: str = "auto",
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 1,
    ) -> None:
        self.loss = loss
        self.loss_params = loss_params
        self.pos_weight = pos_weight
        self.threshold = threshold
        self.n_members = n_members
        self.n_jobs = n_jobs
        self.hidden_sizes = hidden_sizes
        self.norm = norm
        self.dropout = dropout
        self.scaling = scaling
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):  # noqa: D105
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags

    _parameter_checks = {
        "loss": OneOf(lambda: available_losses("multilabel")),
        "loss_params": loss_params_rule(),
        "threshold": Rule(lambda v: v in TUNING_RULES or (is_real_number(v) and 0.0 < v < 1.0), "a number in (0, 1), 'tune' or 'tune_example_f1'"),
        "n_members": integer(1),
        "n_jobs": Rule(lambda v: v is None or (is_integer(v) and v != 0), "None or a non-zero integer (-1 = one process per CPU)"),
    }

    # -- fitting -----------------------------------------------------------
    def _check_param_relations(self) -> None:
        """``pos_weight`` given only for a loss that takes it, and only once."""
        explicit_weights = not (isinstance(self.pos_weight, str) and self.pos_weight == "auto")
        if explicit_weights and "pos_weight" not in self._loss_class().supplied:
            weighted = " or ".join(f"loss={name!r}" for name in available_losses("multilabel") if "pos_weight" in get_loss_entry(name, "multilabel").module.supplied)
            raise InputError(
                f"pos_weight is used only by {weighted}, not by {self.loss!r}; pass {weighted} or leave pos_weight='auto'"
            )
        if explicit_weights and "pos_weight" in (self.loss_params or {}):
            raise InputError("pos_weight is given twice, as a parameter and in loss_params; keep one")

    def _loss_class(self) -> type[Loss]:
        return get_loss_entry(self.loss, "multilabel").module

    def _build_loss(self, Y_train: np.ndarray) -> torch.nn.Module:
        """The loss, with per-label positive weights (``pos_weight``) for a loss that takes them and was given none in ``loss_params``."""
        params = dict(self.loss_params or {})
        if "pos_weight" in self._loss_class().supplied and "pos_weight" not in params:
            if isinstance(self.pos_weight, str):
                if self.pos_weight != "auto":
                    raise InputError(f"pos_weight must be 'auto' or one number per label, got {self.pos_weight!r}")
                params["pos_weight"] = positive_weights(Y_train)
            else:
                weights = np.asarray(self.pos_weight, dtype=np.float32).reshape(-1)
                if len(weights) != Y_train.shape[1] or not np.all(weights > 0):
                    raise InputError(
                        f"pos_weight needs one positive number per label ({Y_train.shape[1]}), got {len(weights)} values"
                    )
                params["pos_weight"] = torch.from_numpy(weights)
        return self._loss_module("multilabel", params)

    def fit(self, X: Any, y: Any) -> MultiLabelClassifier:
        """Fit on features ``X`` (n, d) and labels ``y`` (0/1 matrix, label lists, or one label per sample)."""
        self._check_params()
        return self._fit(self._seed(self.random_state), X, y)

    def _fit(self, seed: int, X: Any, y: Any, source: ChunkedSource | None = None) -> MultiLabelClassifier:
        """The fit after the parameter checks: on ``X`` and ``y`` in memory, or streamed from ``source``.

        Streamed (:func:`~weaklabel.estimators.streaming.fit_multilabel_stream`), ``X`` and ``y`` are a sample
        of ``source``: the scaler, the label set, ``pos_weight`` and the thresholds come from it, every sampled
        row counts as training (no validation split), and the network trains on ``source``, scaled as read.
        """
        X = self._validate_X(X, reset=True)
        if source is None and len(X) < 2:
            raise InputError(f"X has {len(X)} sample; at least 2 samples are needed to fit")
        self.label_encoder_ = LabelEncoder().fit(y)
        Y = self.label_encoder_.transform(y)
        check_same_length(X, len(Y))
        self.classes_ = self.label_encoder_.classes_
        self.label_format_ = self.label_encoder_.format_
        if self.label_format_ == "single" and len(self.classes_) < 2:
            raise InputError(
                f"y holds only 1 class ({self.classes_[0]!r}); a classifier needs at least 2 classes"
            )
        self._warn_degenerate_labels(Y)

        if source is None and int(self.n_members) > 1:
            if distributed.is_distributed():  # the members' folds are not split across ranks (not yet)
                warnings.warn(
                    f"n_members={self.n_members} under torchrun: one network is trained, data-parallel across the "
                    "ranks; pass n_members=1 to silence this", UserWarning, stacklevel=3,
                )
            elif len(X) >= 2 * int(self.n_members):
                return self._fit_members(seed, X, Y)
            else:
                warnings.warn(
                    f"n_members={self.n_members} needs at least {2 * int(self.n_members)} samples (2 per fold), got {len(X)}; "
                    "one network is trained instead", UserWarning, stacklevel=3,
                )
        train_idx, val_idx = self._split(len(X), seed) if source is None else (np.arange(len(X)), None)
        self._fit_scaler(X[train_idx], seed)
        all_inputs = self.scaler_.transform(X)
        if source is None:
            self.net_ = self._fit_network(all_inputs, Y, FoldJob(train_idx, val_idx, seed, ""))
        else:
            self.net_ = self._fit_streamed(all_inputs, Y, source, seed)
        self.thresholds_ = self._fit_thresholds(all_inputs, Y, train_idx if val_idx is None else val_idx)
        return self

    def _member_spec(self, n_inputs: int, n_labels: int) -> dict[str, Any]:
        return {"encoder": self._encoder_spec(n_inputs), "head": {"type": "linear", "out_features": n_labels}}

    def _fit_network(self, inputs: np.ndarray, Y: np.ndarray, job: FoldJob) -> Network:
        """One network on the scaled ``inputs[job.rows]``, early-stopped on ``inputs[job.held_out]`` (None: no validation)."""
        net = self._build_network(self._member_spec(flat_width(inputs), Y.shape[1]), job.seed)
        loss = self._build_loss(Y[job.rows])
        module = torch.nn.ModuleDict({"net": net, "loss": loss})
        tensors = {"x": torch.from_numpy(inputs), "y": torch.from_numpy(Y)}
        train = {k: v[torch.from_numpy(job.rows)] for k, v in tensors.items()}
        val = None if job.held_out is None else {k: v[torch.from_numpy(job.held_out)] for k, v in tensors.items()}
        self._train(
            module, loss_function(loss, net, training=True), train, val, job.seed,
            val_loss_fn=loss_function(loss, net, training=False), stage=job.stage,
        )
        return net.eval()

    def _fit_streamed(self, sample_inputs: np.ndarray, Y: np.ndarray, source: ChunkedSource, seed: int) -> Network:
        """One network trained on ``source``, scaled as read (no validation split; the sample gives ``pos_weight``)."""
        net = self._build_network(self._member_spec(flat_width(sample_inputs), Y.shape[1]), seed)
        loss = self._build_loss(Y)
        module = torch.nn.ModuleDict({"net": net, "loss": loss})
        scaler = self.scaler_

        def transform(arrays: Arrays) -> Arrays:
            return {"x": scaler.transform(arrays["x"].astype(np.float32, copy=False)), "y": arrays["y"].astype(np.float32)}

        source.transform = transform
        self._train(module, loss_function(loss, net, training=True), source, None, seed, val_loss_fn=loss_function(loss, net, training=False))
        return net.eval()

    def _fit_members(self, seed: int, X: np.ndarray, Y: np.ndarray) -> MultiLabelClassifier:
        """``n_members`` cross-fitted networks (member ``k`` holds out fold ``k``), averaged in probability; the
        thresholds are tuned on the out-of-fold probabilities of every row."""
        n_members = int(self.n_members)
        self._fit_scaler(X, seed)
        inputs = self.scaler_.transform(X)
        jobs = [dataclasses.replace(job, stage=f"member{k}") for k, job in enumerate(fold_jobs(len(X), n_members, seed, 0))]
        members = self._fit_member_networks(inputs, Y, jobs)
        self.net_ = ProbabilityEnsemble(members).eval()
        self.network_spec_ = ensemble_spec(self._member_spec(flat_width(inputs), Y.shape[1]), n_members)
        if self.threshold not in TUNING_RULES:
            self.thresholds_ = np.full(Y.shape[1], float(self.threshold))
            return self
        out_of_fold = np.zeros(Y.shape, dtype=np.float64)
        for net, job in zip(members, jobs, strict=True):
            out_of_fold[job.held_out] = self._probabilities(self._network_outputs(inputs[job.held_out], net=net))
        if self.threshold == "tune_example_f1":
            self.thresholds_ = np.full(Y.shape[1], example_f1_threshold(Y, out_of_fold))
        else:
            self.thresholds_ = np.asarray(tune_thresholds(Y, out_of_fold, rule="max"), dtype=np.float64)
        return self

    def _fit_member_networks(self, inputs: np.ndarray, Y: np.ndarray, jobs: list[FoldJob]) -> list[Network]:
        """One network per job: in this process, or ``n_jobs`` at a time in worker processes."""
        n_jobs = min(joblib.effective_n_jobs(self.n_jobs), len(jobs))
        if n_jobs == 1:
            return [self._fit_network(inputs, Y, job) for job in jobs]
        logger.info("%d member networks on %d processes", len(jobs), n_jobs)
        worker = copy.copy(self)
        worker.verbose = 0  # progress bars of parallel processes would interleave
        worker.__dict__.pop("net_", None)  # a refit's previous model need not travel to every worker
        results = in_processes(functools.partial(_fit_network_in_worker, worker), [(inputs, Y, job) for job in jobs], n_jobs)
        self.n_epochs_, self.history_ = results[-1][1]
        return [net for net, _ in results]

    def _warn_degenerate_labels(self, Y: np.ndarray) -> None:
        counts = Y.sum(axis=0)
        never = [self.classes_[j] for j in np.flatnonzero(counts == 0)]
        if never:
            warnings.warn(f"labels {never[:10]} have no positive sample; they will always score low", UserWarning, stacklevel=3)

    def _fit_thresholds(self, inputs: np.ndarray, Y: np.ndarray, rows: np.ndarray) -> np.ndarray:
        if self.threshold not in TUNING_RULES:
            return np.full(Y.shape[1], float(self.threshold))
        unseen = [self.classes_[j] for j in np.flatnonzero((Y[rows].sum(axis=0) == 0) & (Y.sum(axis=0) > 0))]
        if unseen and self.label_format_ != "single" and self.threshold == "tune":  # one label per sample: predict takes the top label, no threshold
            warnings.warn(
                f"labels {unseen[:10]} have no positive among the {len(rows)} rows thresholds are tuned on; they keep "
                "the threshold 0.5; raise validation_fraction or pass a threshold", UserWarning, stacklevel=3,
            )
        # predict_proba's own float32 values for these rows, so a threshold at the lowest validation score keeps
        # that row positive (scored in another batch layout a row can differ by one float32 ulp)
        scores = self._probabilities(self._network_outputs(inputs[rows])).astype(np.float64)
        if self.threshold == "tune_example_f1":
            return np.full(Y.shape[1], example_f1_threshold(Y[rows], scores))
        return np.asarray(tune_thresholds(Y[rows], scores, rule="one_se"), dtype=np.float64)

    # -- prediction --------------------------------------------------------
    def decision_function(self, X: Any) -> np.ndarray:
        """Logits, shape (n, n_labels) (for label sets and 0/1 matrices).

        Fitted on one label per sample (``label_format_ == "single"``): the log class
        probabilities, ``log predict_proba``; with two classes, scikit-learn's binary shape
        (n,), that of ``classes_[1]`` minus that of ``classes_[0]`` (positive → ``classes_[1]``).
        """
        logits = self._outputs(X)
        if self.label_format_ != "single":
            return logits
        return binary_decision(torch.log_softmax(torch.nn.functional.logsigmoid(torch.from_numpy(logits)), dim=1).numpy())

    def predict_proba(self, X: Any) -> np.ndarray:
        """Per-label probabilities σ(logit), shape (n, n_labels); rows need not sum to 1.

        Fitted on one label per sample (``label_format_ == "single"``), the classes exclude each
        other: each row σ(logit) is divided by its sum, so it sums to 1 (scikit-learn's class
        probabilities, as log-loss and calibration expect); the top label is unchanged.
        """
        return self._probabilities(self._outputs(X))

    def _probabilities(self, logits: np.ndarray) -> np.ndarray:
        """σ(logits), each row divided by its sum when the classes are exclusive (``label_format_ == "single"``)."""
        z = torch.from_numpy(logits)
        if self.label_format_ == "single":
            return torch.softmax(torch.nn.functional.logsigmoid(z), dim=1).numpy()  # σ(z) / Σ σ(z)
        return torch.sigmoid(z).numpy()

    def labels_from_proba(self, proba: np.ndarray) -> np.ndarray:
        """The decision rule of :meth:`predict` as a 0/1 matrix (int64) from :meth:`predict_proba`'s ``proba``:
        each label at or above its threshold, or, fitted on one label per sample, the top label."""
        self._check_is_fitted()
        if self.label_format_ == "single":
            return top_k_matrix(proba, 1)
        return (proba >= self.thresholds_).astype(np.int64)

    def predict(self, X: Any) -> Any:
        """Predicted labels in the format of ``y`` at fit: 0/1 matrix, label lists, or (one label per sample) the top label."""
        proba = self.predict_proba(X)
        return self.label_encoder_.inverse_transform(self.labels_from_proba(proba), scores=proba)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Macro mean average precision of ``predict_proba(X)`` against ``y`` (labels without positives skipped;
        for one label per sample, of the class probabilities)."""
        if sample_weight is not None:
            raise InputError("score does not support sample_weight")
        self._check_is_fitted()
        Y = self.label_encoder_.transform(y)
        proba = self.predict_proba(X)
        check_same_length(proba, len(Y))
        return float(mean_average_precision(Y, proba))

    # -- persistence -------------------------------------------------------
    def _extra_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {"labels": self.label_encoder_.get_config()}, {"thresholds": np.asarray(self.thresholds_, dtype=np.float64)}

    def _set_extra_state(self, config: dict[str, Any], tensors: dict[str, np.ndarray]) -> None:
        self.label_encoder_ = LabelEncoder.from_config(config["labels"])
        self.classes_ = self.label_encoder_.classes_
        self.label_format_ = self.label_encoder_.format_
        self.thresholds_ = np.array(tensors["thresholds"])


def _fit_network_in_worker(estimator: MultiLabelClassifier, *job: Any) -> tuple[Network, tuple[int, list[dict[str, Any]]]]:
    """A worker process's :meth:`MultiLabelClassifier._fit_network`, with its epochs and history (set on the
    worker's copy of the estimator, so they travel back with the network)."""
    net = estimator._fit_network(*job)
    return net, (estimator.n_epochs_, estimator.history_)
