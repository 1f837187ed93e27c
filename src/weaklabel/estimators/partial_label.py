"""PartialLabelClassifier: one class per item, learned from a set of candidate classes per item."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from sklearn.base import ClassifierMixin

from ..data.labels import LabelEncoder, as_label_input
from ..data.validation import check_same_length
from ..exceptions import InputError
from ..losses import Loss, available_losses, get_loss_entry
from ..metrics import top_k_matrix
from ..persistence import register_estimator
from ..training import loss_callbacks
from ._base import NeuralEstimator, binary_decision, loss_params_rule
from ._loss_inputs import loss_function
from ._params import OneOf

FAMILY = "partial_label"


def training_outputs(net: torch.nn.Module, x: torch.Tensor) -> Callable[[], torch.Tensor]:
    """``predict()`` for a loss's epoch hooks: ``net``'s outputs on every row of ``x`` as it computes them in
    training (train mode: dropout on, batch normalisation with the statistics of the rows themselves), on the
    device it trains on; its buffers (the running statistics) and its mode are restored after.

    Train mode, as in the second forward pass of RC's official code: in eval mode the running statistics of the
    first epochs (a few batches with momentum 0.1) are far from the data's, and weights re-estimated from those
    outputs lock in their errors (RC on digits, q = 0.7, seed 0: 85% test accuracy from eval-mode outputs, 93%
    from train-mode ones, 94% with no batch norm).
    """

    @torch.no_grad()
    def predict() -> torch.Tensor:
        was_training = net.training
        saved = {name: buffer.clone() for name, buffer in net.named_buffers()}
        net.train()
        device = next(net.parameters()).device
        outputs = torch.cat([net(chunk.to(device)) for chunk in x.split(8192)])
        for name, buffer in net.named_buffers():
            buffer.copy_(saved[name])
        net.train(was_training)
        return outputs

    return predict


@register_estimator
class PartialLabelClassifier(ClassifierMixin, NeuralEstimator):
    """Classifier trained from candidate sets: each item has several candidate classes, exactly one of them true.

    An MLP with one softmax output per class. ``fit`` takes the candidate sets; ``predict`` gives one class
    per item and ``predict_proba`` class probabilities (rows sum to 1).

    Parameters
    ----------
    loss : {"proden", "rc", "cc", "naive"}
        Partial-label loss (:mod:`weaklabel.losses.partial_label`): ``"proden"`` (progressive identification,
        Lv et al. ICML 2020), ``"rc"`` (risk-consistent) and ``"cc"`` (classifier-consistent; both Feng et al.
        NeurIPS 2020), ``"naive"`` (every candidate with weight ``1/|S|``). The default was chosen by
        ``weaklabel bench partial-label`` (``benchmarks/results/partial-label/report.md``).
    loss_params : dict, optional
        Keyword arguments of the loss (``{"reduction": "sum"}`` is the only one the losses take).
    hidden_sizes, norm, dropout : MLP shape (``hidden_sizes=()`` gives a linear model).
    scaling : {"ple", "quantile", "robust", "standard", "none"}
        Input transform fitted on the training split (:mod:`weaklabel.data.preprocessing`).
    max_epochs, batch_size, learning_rate, weight_decay : AdamW training. The batch is smaller than the other
        estimators' (32, not 256): telling the true class from the candidates takes many steps, and on the
        benchmark's tables of 1,000 to 4,000 items 256 left PRODEN behind (seed 0: leaves at q = 0.7, 41.7% test
        accuracy against 66.7% with 32; instance-dependent 44.9% against 71.4%; digits at q = 0.7, 90.9% against 94.3%).
    validation_fraction : float
        Share of the items held out for early stopping, which monitors the negative log-likelihood of their
        candidate sets (:func:`~weaklabel.losses.partial_label.cc_loss`), whatever the loss.
    patience : int or None
        Epochs without validation improvement before stopping (best weights restored).
    device : "auto", "cpu" or "cuda"
    random_state : int, RandomState or None
    verbose : int
        0 = silent, 1 = progress bar.

    Attributes
    ----------
    classes_ : ndarray of class names (str, int or bool, as given).
    mean_candidates_ : the average candidate-set size of the training items (1 = fully supervised).
    candidate_format_ : how the candidate sets were given: ``"sets"`` (label lists), ``"matrix"`` (0/1) or
        ``"single"`` (one class per item: ordinary supervised training).
    feature_names_in_ : column names of a DataFrame ``X`` at fit, when all are strings (predict then checks them).
    """

    def __init__(
        self,
        loss: str = "proden",
        loss_params: dict[str, Any] | None = None,
        hidden_sizes: tuple[int, ...] = (512, 512),
        norm: str | None = "batch",
        dropout: float = 0.1,
        scaling: str = "ple",
        max_epochs: int = 200,
        batch_size: int = 32,
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

    _parameter_checks = {
        "loss": OneOf(lambda: available_losses(FAMILY)),
        "loss_params": loss_params_rule(),
    }

    # -- labels ----------------------------------------------------------------
    def _encode_candidates(self, candidates: Any) -> np.ndarray:
        """Candidate sets (label lists, a 0/1 matrix, or one class per item) as an (n, K) 0/1 float32 matrix;
        sets ``classes_`` and the encoder that turns class indices back into names."""
        candidates = as_label_input(candidates, one_label_per_sample=True)  # an (n, 1) column is one class per item
        encoder = LabelEncoder().fit(candidates)
        C = encoder.transform(candidates)
        if encoder.n_classes < 2:
            raise InputError(f"the candidate sets hold only 1 class ({encoder.classes_[0]!r}); a classifier needs at least 2 classes")
        empty = np.flatnonzero(C.sum(axis=1) == 0)
        if len(empty):
            raise InputError(
                f"sample {int(empty[0])} (data row {int(empty[0]) + 1} of a file) has an empty candidate set ({len(empty)} such "
                "samples); every item needs its candidate classes, the true one among them: drop those items or give their candidates"
            )
        self.candidate_format_ = encoder.format_
        # predictions are one class per item, whatever format the candidates came in
        self.label_encoder_ = LabelEncoder.from_config({**encoder.get_config(), "format": "single"})
        self.classes_ = self.label_encoder_.classes_
        return C

    def _loss_class(self) -> type[Loss]:
        return get_loss_entry(self.loss, FAMILY).module

    # -- fitting ---------------------------------------------------------------
    def fit(self, X: Any, y: Any) -> PartialLabelClassifier:
        """Fit on features ``X`` (n, d) and each item's candidate classes ``y``: label lists (``[["cat", "dog"],
        ["dog"], ...]``), a 0/1 matrix (n, n_classes), or one class per item (ordinary supervised training)."""
        self._check_params()
        seed = self._seed(self.random_state)
        X = self._validate_X(X, reset=True)
        if len(X) < 2:
            raise InputError(f"X has {len(X)} sample; at least 2 samples are needed to fit")
        C = self._encode_candidates(y)
        check_same_length(X, len(C))
        self.mean_candidates_ = float(C.sum(axis=1).mean())

        train_idx, val_idx = self._split(len(X), seed)
        self._fit_scaler(X[train_idx], seed)
        inputs = self.scaler_.transform(X)
        spec = {"encoder": self._encoder_spec(inputs.shape[1]), "head": self._loss_class().head_spec(len(self.classes_))}
        net = self._build_network(spec, seed)
        loss = self._loss_module(FAMILY, self.loss_params or {})
        tensors = {"x": torch.from_numpy(inputs), "y": torch.from_numpy(C)}
        train = {k: v[torch.from_numpy(train_idx)] for k, v in tensors.items()}
        val = None if val_idx is None else {k: v[torch.from_numpy(val_idx)] for k, v in tensors.items()}
        loss.setup(train["y"], seed)
        self._train(
            torch.nn.ModuleDict({"net": net, "loss": loss}),
            loss_function(loss, net, training=True), train, val, seed,
            callbacks=loss_callbacks(loss, training_outputs(net, train["x"])),
            val_loss_fn=loss_function(loss, net, training=False),
            lr_multipliers=loss.lr_multipliers,
        )
        self.net_ = net.eval()
        return self

    # -- prediction ------------------------------------------------------------
    def _log_proba(self, X: Any) -> torch.Tensor:
        return torch.log_softmax(torch.from_numpy(self._outputs(X)).double(), dim=1)

    def decision_function(self, X: Any) -> np.ndarray:
        """Class log-probabilities, shape (n, n_classes); with two classes, scikit-learn's binary shape (n,): that of
        ``classes_[1]`` minus that of ``classes_[0]`` (positive → ``classes_[1]``)."""
        return binary_decision(self._log_proba(X).numpy())

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log of :meth:`predict_proba`, shape (n, n_classes)."""
        return self._log_proba(X).numpy()

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities softmax(logits), rows sum to 1, shape (n, n_classes)."""
        return self._log_proba(X).exp().numpy()

    def labels_from_proba(self, proba: np.ndarray) -> np.ndarray:
        """The decision rule of :meth:`predict` as a 0/1 matrix (int64) from :meth:`predict_proba`'s ``proba``: the most probable class."""
        self._check_is_fitted()
        return top_k_matrix(proba, 1)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each item (names as given at fit)."""
        proba = self.predict_proba(X)
        return self.label_encoder_.inverse_transform(self.labels_from_proba(proba), scores=proba)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy of :meth:`predict` against the true class of each item ``y`` (one class per item)."""
        self._check_is_fitted()
        truth = self.true_classes(y)
        proba = self.predict_proba(X)
        check_same_length(proba, len(truth))
        return float(np.average(proba.argmax(axis=1) == truth, weights=sample_weight))

    def true_classes(self, y: Any) -> np.ndarray:
        """Column indices (into ``classes_``) of ``y``, one known class per item; a row with other than one class is an error."""
        self._check_is_fitted()
        Y = self.label_encoder_.transform(as_label_input(y, one_label_per_sample=True))
        counts = Y.sum(axis=1)
        if not (counts == 1).all():
            row = int(np.flatnonzero(counts != 1)[0])
            raise InputError(
                f"accuracy needs the one true class of each item; sample {row} (data row {row + 1} of a file) has "
                f"{int(counts[row])} classes"
            )
        return Y.argmax(axis=1)

    # -- persistence -------------------------------------------------------------
    def _extra_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {"labels": self.label_encoder_.get_config(), "candidate_format": self.candidate_format_, "mean_candidates": self.mean_candidates_}, {}

    def _set_extra_state(self, config: dict[str, Any], tensors: dict[str, np.ndarray]) -> None:
        self.label_encoder_ = LabelEncoder.from_config(config["labels"])
        self.classes_ = self.label_encoder_.classes_
        self.candidate_format_ = config["candidate_format"]
        self.mean_candidates_ = config["mean_candidates"]
