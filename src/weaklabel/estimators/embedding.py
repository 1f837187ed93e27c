"""EmbeddingClassifier: classification as clustering, an embedding where each class is a tight cluster."""

from __future__ import annotations

import math
import warnings
from typing import Any, cast

import numpy as np
import torch
from sklearn.base import ClassifierMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin

from ..data.labels import LabelEncoder, as_label_input, detect_format
from ..data.preprocessing import FeatureScaler
from ..data.validation import check_same_length
from ..exceptions import InputError
from ..losses import available_losses, get_loss_entry
from ..losses.metric import MetricLoss
from ..nn.conv import random_shift
from ..persistence import register_estimator
from ..training import Callback
from ._base import NeuralEstimator, binary_decision, flat_width, loss_params_rule
from ._loss_inputs import loss_function
from ._params import OneOf, integer
from ._serialisation import json_safe

ENCODERS = ("auto", "mlp", "conv")


class CosineLR(Callback):
    """Cosine learning-rate decay over the run: ``lr_t = lr_0 · ½(1 + cos(π t / T))`` for epoch ``t`` of ``T``
    (Loshchilov & Hutter, "SGDR", ICLR 2017, without restarts)."""

    def __init__(self, total_epochs: int) -> None:
        self.total_epochs = total_epochs
        self.base_lrs: list[float] = []

    def on_fit_start(self, trainer: Any) -> None:
        if not self.base_lrs:  # a resumed run keeps the learning rates it started with
            self.base_lrs = [g["lr"] for g in trainer.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        return {"base_lrs": list(self.base_lrs)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.base_lrs = list(state["base_lrs"])

    def on_epoch_start(self, trainer: Any) -> None:
        factor = 0.5 * (1.0 + math.cos(math.pi * trainer.epoch / self.total_epochs))
        for group, base in zip(trainer.optimizer.param_groups, self.base_lrs):
            group["lr"] = base * factor


@register_estimator
class EmbeddingClassifier(ClassifierMixin, TransformerMixin, ClassNamePrefixFeaturesOutMixin, NeuralEstimator):
    """Classifier whose network outputs an embedding; a metric-learning loss makes each class a tight cluster.

    The network is an encoder (MLP for feature matrices, a small conv net for
    images) and a linear projection to ``embedding_dim``; the loss
    (:mod:`weaklabel.losses.metric`) owns the class weights or centres and
    turns embeddings into class scores.

    Parameters
    ----------
    loss : {"softmax", "center", "cosine", "cosface", "arcface"}
        ``softmax``: linear classifier + cross-entropy (baseline); ``center``:
        + λ/2 ‖f − c_y‖² (Wen et al. 2016); ``cosine``: NormFace (Wang et al.
        2017); ``cosface`` / ``arcface``: cosine softmax with an additive
        cosine / angular margin.
    embedding_dim : int ≥ 1
        Size of the embedding (2 for pictures without PCA).
    loss_params : dict, optional
        Keyword arguments of the loss (e.g. ``{"lam": 0.01, "alpha": 0.5}``
        for center, ``{"scale": 30, "margin": 0.35}`` for cosface).
    encoder : {"auto", "mlp", "conv"}
        ``"auto"``: conv for 3-D ``(n, h, w)`` and 4-D ``(n, c, h, w)``
        inputs, MLP for 2-D ``(n, d)``.
    channels : conv widths, one block each (see :class:`weaklabel.nn.conv.ConvEncoder`).
    hidden_sizes, norm : MLP shape.
    dropout : float
        Dropout in the MLP, channel dropout in the conv net.
    augment_shift : int ≥ 0
        Images only: each training image is translated by a random offset of
        up to this many pixels per axis (edge pixels replicated). 0 = off.
    scaling : {"auto", "standard", "robust", "quantile", "ple", "none"}
        Input transform fitted on the training split. ``"auto"``: ``"none"``
        for the conv encoder (it standardises each channel itself with a
        global mean and variance, which keeps shifted images consistent) and
        ``"standard"`` (per column, per pixel for images) for the MLP.
    max_epochs, batch_size, learning_rate, weight_decay : AdamW training,
        with cosine learning-rate decay over ``max_epochs``.
    validation_fraction, patience : early stopping on the validation loss
        (``patience=None`` trains all epochs).
    device, random_state, verbose : as in every weaklabel estimator.

    Attributes
    ----------
    classes_ : ndarray of class names (str or int, as given).
    loss_ : the fitted loss module (class weights / centres).
    loss_spec_ : what ``loss_`` was built from (``loss``, ``loss_params``, ``embedding_dim`` at fit), so a
        ``set_params`` after the fit changes neither prediction nor the saved model.
    encoder_ : "mlp" or "conv", the encoder used.
    feature_names_in_ : column names of a DataFrame ``X`` at fit, when all are strings (predict then checks them).
    """

    _allow_images = True

    def __init__(
        self,
        loss: str = "cosine",
        embedding_dim: int = 64,
        loss_params: dict[str, Any] | None = None,
        encoder: str = "auto",
        channels: tuple[int, ...] = (32, 64, 128),
        hidden_sizes: tuple[int, ...] = (256, 256),
        norm: str | None = "batch",
        dropout: float = 0.0,
        augment_shift: int = 1,
        scaling: str = "auto",
        max_epochs: int = 60,
        batch_size: int = 128,
        learning_rate: float = 2e-3,
        weight_decay: float = 1e-4,
        validation_fraction: float = 0.1,
        patience: int | None = None,
        device: str = "auto",
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 1,
    ) -> None:
        self.loss = loss
        self.embedding_dim = embedding_dim
        self.loss_params = loss_params
        self.encoder = encoder
        self.channels = channels
        self.hidden_sizes = hidden_sizes
        self.norm = norm
        self.dropout = dropout
        self.augment_shift = augment_shift
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
        tags.transformer_tags.preserves_dtype = ["float32"]  # the network computes in float32 whatever the input
        return tags

    # -- checks ------------------------------------------------------------
    _parameter_checks = {
        "loss": OneOf(lambda: available_losses("metric")),
        "embedding_dim": integer(1),
        "encoder": OneOf(ENCODERS),
        "augment_shift": integer(0),
        "loss_params": loss_params_rule(),
    }

    def _resolve_encoder(self, X: np.ndarray) -> str:
        if self.encoder == "auto":
            return "conv" if X.ndim in (3, 4) else "mlp"
        if self.encoder == "conv" and X.ndim not in (3, 4):
            raise InputError(
                f"encoder='conv' needs images of shape (n, height, width) or (n, channels, height, width); got "
                f"X of shape {X.shape}. Reshape flat pixels, e.g. X.reshape(-1, 1, 8, 8), or use encoder='mlp'"
            )
        return self.encoder

    def _scaling_method(self, encoder: str) -> str:
        if self.scaling == "auto":
            return "none" if encoder == "conv" else "standard"
        if encoder == "conv" and self.scaling == "ple":
            raise InputError("scaling='ple' turns pixels into many columns and cannot feed the conv encoder; use 'auto' or 'standard'")
        return self.scaling

    def _encode_labels(self, y: Any, X: np.ndarray) -> np.ndarray:
        y = as_label_input(y, one_label_per_sample=True)
        encoder = LabelEncoder().fit(y)
        if encoder.format_ != "single":
            raise InputError(
                f"EmbeddingClassifier takes one label per sample (a 1-D list or array of str or int); got labels in "
                f"{encoder.format_!r} format. For several labels per sample use MultiLabelClassifier"
            )
        targets = encoder.transform(y).argmax(axis=1)
        check_same_length(X, len(targets))
        if encoder.n_classes < 2:
            raise InputError(f"y holds only 1 class ({encoder.classes_[0]!r}); a classifier needs at least 2 classes")
        counts = np.bincount(targets, minlength=encoder.n_classes)
        single = [encoder.classes_[j] for j in np.flatnonzero(counts == 1)]
        if single:
            warnings.warn(
                f"classes {single[:10]} have a single sample; MAP@R and precision@1 are undefined for them "
                "(no other sample of the class to retrieve). Add samples or drop these classes",
                UserWarning,
                stacklevel=3,
            )
        self.label_encoder_ = encoder
        self.classes_ = encoder.classes_
        return targets.astype(np.int64)

    # -- fitting -----------------------------------------------------------
    def _network_spec(self, encoder: str, inputs: np.ndarray) -> dict[str, Any]:
        if encoder == "conv":
            c, h, w = (1, *inputs.shape[1:]) if inputs.ndim == 3 else inputs.shape[1:]
            spec = {"type": "conv", "in_channels": c, "height": h, "width": w, "channels": [int(k) for k in self.channels], "dropout": float(self.dropout)}
        else:
            spec = self._encoder_spec(flat_width(inputs))
        return {"encoder": spec, "head": {"type": "linear", "out_features": int(self.embedding_dim)}}

    def _loss_spec(self) -> dict[str, Any]:
        """What the loss module is built from: the loss, its ``loss_params`` and the embedding size."""
        return {"loss": self.loss, "loss_params": dict(self.loss_params or {}), "embedding_dim": int(self.embedding_dim)}

    def _build_loss(self, n_classes: int, spec: dict[str, Any]) -> MetricLoss:
        fixed = {"n_classes": n_classes, "embedding_dim": spec["embedding_dim"]}
        return cast(MetricLoss, self._loss_module("metric", spec["loss_params"], fixed, name=spec["loss"]))

    def fit(self, X: Any, y: Any) -> EmbeddingClassifier:
        """Fit on features ``X`` ((n, d) or images (n, [c,] h, w)) and one label per sample ``y``."""
        self._check_params()
        seed = self._seed(self.random_state)
        X = self._validate_X(X, reset=True)
        self.encoder_ = self._resolve_encoder(X)
        targets = self._encode_labels(y, X)

        train_idx, val_idx = self._split(len(X), seed)
        self.scaler_ = FeatureScaler(self._scaling_method(self.encoder_), random_state=seed).fit(X[train_idx])
        inputs = self.scaler_.transform(X)
        net = self._build_network(self._network_spec(self.encoder_, inputs), seed)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed + 1)
            self.loss_spec_ = self._loss_spec()
            loss = self._build_loss(len(self.classes_), self.loss_spec_)
        module = torch.nn.ModuleDict({"net": net, "loss": loss})

        shift = int(self.augment_shift) if self.encoder_ == "conv" else 0
        generator = torch.Generator().manual_seed(seed + 2)
        train_loss = loss_function(loss, net, training=True, transform=lambda x: random_shift(x, shift, generator))
        val_loss = loss_function(loss, net, training=False)
        tensors = {"x": torch.from_numpy(inputs), "y": torch.from_numpy(targets)}
        train = {k: v[torch.from_numpy(train_idx)] for k, v in tensors.items()}
        val = None if val_idx is None else {k: v[torch.from_numpy(val_idx)] for k, v in tensors.items()}
        self._train(module, train_loss, train, val, seed, callbacks=[CosineLR(int(self.max_epochs))], val_loss_fn=val_loss)
        self.net_ = net.eval()
        self.loss_ = loss.eval()
        return self

    @property
    def distance_(self) -> str:
        """The embedding's geometry, as the fitted loss declares it (:attr:`weaklabel.losses.Loss.distance`):
        ``"cosine"`` for the normalised losses, else ``"euclidean"``."""
        self._check_is_fitted()
        return get_loss_entry(self.loss_spec_["loss"], "metric").module.distance

    # -- prediction --------------------------------------------------------
    def transform(self, X: Any) -> np.ndarray:
        """Embeddings, shape (n, embedding_dim)."""
        return self._outputs(X)

    @property
    def _n_features_out(self) -> int:
        """Width of :meth:`transform`'s output (the fitted network's), for ``get_feature_names_out``
        (``embeddingclassifier0``, …) and so ``set_output(transform="pandas")``."""
        self._check_is_fitted()
        return int(self.network_spec_["head"]["out_features"])

    @torch.no_grad()
    def _class_scores(self, X: Any) -> np.ndarray:
        """Logits of the loss for every class (without any training margin), shape (n, n_classes)."""
        # not self.transform: under set_output(transform="pandas") that returns a DataFrame
        embeddings = self._outputs(X)  # checks the fit before loss_ is read
        return self.loss_.logits(torch.from_numpy(embeddings)).numpy()

    def decision_function(self, X: Any) -> np.ndarray:
        """Class scores (logits of the loss, without any training margin), shape (n, n_classes).

        With two classes, scikit-learn's binary convention: shape (n,), the score of
        ``classes_[1]`` minus that of ``classes_[0]`` (positive → ``classes_[1]``).
        """
        return binary_decision(self._class_scores(X))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities softmax(scores), rows sum to 1, shape (n, n_classes)."""
        return torch.softmax(torch.from_numpy(self._class_scores(X)).double(), dim=1).numpy()

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each sample (names as given at fit)."""
        scores = self._class_scores(X)
        return self.label_encoder_.inverse_transform(np.zeros_like(scores), scores=scores)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy of ``predict(X)`` against ``y``; labels never seen at fit are an error."""
        self._check_is_fitted()
        y = as_label_input(y, one_label_per_sample=True)
        if detect_format(y) != "single":
            raise InputError("score takes one label per sample (a 1-D list or array)")
        truth = self.label_encoder_.transform(y).argmax(axis=1)
        scores = self._class_scores(X)
        check_same_length(scores, len(truth))
        correct = (scores.argmax(axis=1) == truth).astype(np.float64)
        return float(np.average(correct, weights=sample_weight))

    # -- persistence -------------------------------------------------------
    @classmethod
    def _from_model_state(cls, config: dict[str, Any], tensors: dict[str, np.ndarray]) -> EmbeddingClassifier:
        params = {**config["params"], "channels": tuple(config["params"]["channels"])}  # JSON stored a list
        return super()._from_model_state({**config, "params": params}, tensors)

    def _extra_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        tensors = {f"loss.{k}": v.detach().cpu().numpy() for k, v in self.loss_.state_dict().items()}
        return {"labels": self.label_encoder_.get_config(), "encoder_used": self.encoder_, "loss_spec": json_safe(self.loss_spec_)}, tensors

    def _set_extra_state(self, config: dict[str, Any], tensors: dict[str, np.ndarray]) -> None:
        self.label_encoder_ = LabelEncoder.from_config(config["labels"])
        self.classes_ = self.label_encoder_.classes_
        self.encoder_ = config["encoder_used"]
        # models saved before the fitted loss was recorded: the parameters saved with them
        self.loss_spec_ = config.get("loss_spec") or self._loss_spec()
        with torch.random.fork_rng(devices=[]):  # its initial parameters are overwritten: leave the user's torch RNG alone
            loss = self._build_loss(len(self.classes_), self.loss_spec_)
        state = {k[len("loss.") :]: torch.from_numpy(np.array(v)) for k, v in tensors.items() if k.startswith("loss.")}
        loss.load_state_dict(state, strict=True)
        self.loss_ = loss.eval()
