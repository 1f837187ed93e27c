"""SinglePositiveClassifier: scores for every label from one observed positive per item."""

from __future__ import annotations

import copy
import functools
import logging
from typing import Any

import joblib
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import ClassifierMixin

from ..algorithms.cross_fitting import FoldJob, cross_fit, in_processes
from ..algorithms.expected_positives import estimate_expected_positives
from ..data.labels import LabelEncoder
from ..data.validation import check_same_length
from ..exceptions import InputError
from ..losses import Loss, available_losses, get_loss_entry
from ..metrics import mean_average_precision, top_k_matrix
from ..nn import Network, ensemble_spec
from ..nn.batched import MemberAverage, averaged_spec
from ..nn.label_embedding import LabelEmbeddingHead
from ..persistence import register_estimator
from ..training import NetworkProgress, loss_callbacks
from ._base import NeuralEstimator, flat_width, loss_params_rule
from ._loss_inputs import loss_function, member_loss_function
from ._params import OneOf, Rule, check_parameters, integer, is_integer, is_real_number, real

logger = logging.getLogger("weaklabel")

#: members averaged by default (``n_members=None``): one batched network of 5 MLPs
DEFAULT_MEMBERS = 5

@register_estimator
class SinglePositiveClassifier(ClassifierMixin, NeuralEstimator):
    """Multi-label classifier trained from observed positives only (clicks, likes, one tag per item).

    Every label not observed for an item is *unknown*, not negative. ``predict_proba`` gives a
    score for every label; items that truly sit between labels can score high on several.

    Parameters
    ----------
    loss : str
        A positive-only loss (:mod:`weaklabel.losses.positive_only`): ``"softmax"`` (default: the
        softmax over labels of the observed positive), ``"role"``, ``"selection_likelihood"``,
        ``"assume_negative"``, ``"label_smoothing"``, ``"weak_negative"``, ``"epr"``, ``"em_apl"``,
        ``"large_loss"`` or ``"label_embedding"`` (min-max in a label-embedding space, with the
        distance head of :mod:`weaklabel.nn.label_embedding`). The default, 5 members averaged, was
        chosen by ``weaklabel bench positive-only`` (benchmarks/results/positive-only/report.md): against
        assume-negative with 5 members, LRAP / mAP 0.749 / 45.5 vs 0.734 / 44.7 on yeast (every seed),
        34.0 vs 30.5 mAP on bibtex, level on scene, emotions and tmc2007, below on multi-digits
        (91.6 vs 92.9), at 2.7–4× one assume-negative network's time. The previous default,
        ``loss="role", refine_rounds=3`` (20 networks, 20–70× that time), stays available: it is the
        better choice on multi-digits (96.3 mAP) and below assume-negative averaged alike on yeast and emotions.
    n_members : int, optional
        Networks averaged, trained at once as one batched network
        (:class:`~weaklabel.nn.batched.BatchedMLP`: stacked weights, one batched matrix product per
        layer; each member has its own initial weights and dropout, all see the same batches and stop
        together on the sum of their validation losses). The scores are the members' mean
        probability (mean softmax for ``loss="softmax"``). ``None``: 5, or 1 with ``fast=True``, with
        refinement (whose fold networks are averaged already), or with a loss that keeps per-item
        state or reads another head (``role``, ``em_apl``, ``label_embedding``), which train one network.
    fast : bool
        One network instead of 5 (``n_members=None`` only): about the cost of one assume-negative network.
    refine_rounds : int
        Rounds of cross-fitted refinement (0, the default = the network(s) trained with ``loss``). Round 0 trains
        one network per fold with ``loss`` on the other folds, and their out-of-fold scores become
        soft labels ``P(label true | observed positives)``
        (:func:`~weaklabel.losses.positive_only.selection_posterior`); each of the
        ``refine_rounds`` rounds after it trains one network per fold on the previous round's soft
        labels by binary cross-entropy. The model is the last round's fold networks, averaged in
        probability (:class:`~weaklabel.nn.ProbabilityEnsemble`). So ``loss`` shapes only round 0
        (its head is kept in every round). Costs ``(refine_rounds + 1) * refine_folds`` fits.
        Models saved before the ensemble (one network trained on the last soft labels) load and
        predict as they were saved.
    refine_folds : int
        Folds of each refinement round (≥ 2).
    n_jobs : int, optional
        Fold networks of a refinement round trained at once, each in its own process (joblib),
        as in scikit-learn: ``None`` = 1 (in this process), ``-1`` = one per CPU; at most
        ``refine_folds`` are used. Each process trains with ``torch.get_num_threads() // n_jobs``
        threads (at least 1) and shows no progress bar. The networks and their seeds are those of
        the sequential fit, so the model differs from it only by the floating-point rounding of
        other thread counts (none when this process has one thread). On 2 cores, 10 fold networks
        (512-512, multi-digits) took 58 s with ``n_jobs=2`` against 64 s in one process with both
        threads and 96 s with one (``weaklabel bench speed``, part (e)). Ignored when
        ``refine_rounds=0`` (one network); not available under ``torchrun``.
    expected_positives : float, optional
        Expected number of true labels per item, k in [1, n_labels], used by ``"epr"`` and
        ``"role"``. ``None``: estimated from the data by
        :func:`estimate_expected_positives` (distinct observed labels among near neighbours),
        stored in ``expected_positives_``. Single positives cannot identify k, so the estimate
        is a heuristic: it reads high where near neighbours carry different label sets (tabular
        data more than images). Refinement re-estimates every label from the data, which makes
        the refined scores depend little on k.
    loss_params : dict, optional
        Keyword arguments of the loss (e.g. ``{"alpha": 0.2}`` for em_apl).
    embedding_dim : int
        Dimension of the label-embedding space (``"label_embedding"`` only).
    threshold : float
        ``predict`` keeps the labels with probability ≥ threshold (when ``top_k`` is None). With
        ``loss="softmax"`` the scores are a distribution over labels (they sum to 1), so at most one
        label can reach 0.5: ``top_k`` or a lower threshold is the rule to use there.
    top_k : int, optional
        ``predict`` keeps the ``top_k`` highest-scored labels instead.
    hidden_sizes, norm, dropout, scaling, max_epochs, batch_size, learning_rate, weight_decay, validation_fraction, patience, device, random_state, verbose
        As in :class:`~weaklabel.estimators.MultiLabelClassifier`. Early stopping monitors the
        loss on the validation split's *observed* labels (stateless part of the loss); in a
        refinement round, the soft-label loss on the validation split.

    Attributes
    ----------
    classes_ : ndarray of label names.
    label_format_ : "matrix", "sets" or "single": the format of ``y`` at fit (``predict`` returns a 0/1 matrix
        for ``"matrix"``, else label lists).
    expected_positives_ : the k used (None when the loss needs none).
    net_ : the fitted network; with members the :class:`~weaklabel.nn.batched.MemberAverage` of their
        :class:`~weaklabel.nn.batched.BatchedMLP`; with refinement the :class:`~weaklabel.nn.ProbabilityEnsemble` of
        the last round's fold networks.
    n_members_ : networks averaged by the loss's fit (1 with refinement).
    scores_ : how outputs became scores (``"sigmoid"`` or ``"softmax"``, the loss's declaration).
    n_epochs_, history_ : the epochs and per-epoch losses of the last network trained.
    feature_names_in_ : column names of a DataFrame ``X`` at fit, when all are strings (predict then checks them).
    """

    _allow_images = True

    def __init__(
        self,
        loss: str = "softmax",
        n_members: int | None = None,
        fast: bool = False,
        expected_positives: float | None = None,
        loss_params: dict[str, Any] | None = None,
        embedding_dim: int = 16,
        refine_rounds: int = 0,
        refine_folds: int = 5,
        n_jobs: int | None = None,
        threshold: float = 0.5,
        top_k: int | None = None,
        hidden_sizes: tuple[int, ...] = (512, 512),
        norm: str | None = "batch",
        dropout: float = 0.1,
        scaling: str = "ple",
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
        self.n_members = n_members
        self.fast = fast
        self.expected_positives = expected_positives
        self.loss_params = loss_params
        self.embedding_dim = embedding_dim
        self.refine_rounds = refine_rounds
        self.refine_folds = refine_folds
        self.n_jobs = n_jobs
        self.threshold = threshold
        self.top_k = top_k
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

    # -- checks --------------------------------------------------------------
    _parameter_checks = {
        "loss": OneOf(lambda: available_losses("positive_only")),
        "loss_params": loss_params_rule(),
        "threshold": real(lambda v: 0.0 < v < 1.0, "a number in (0, 1)"),
        "top_k": Rule(lambda v: v is None or (is_integer(v) and v >= 1), "a positive integer or None"),
        "embedding_dim": integer(1),
        "n_members": integer(1, none_means="5 members, or 1 where only one network applies"),
        "fast": Rule(lambda v: isinstance(v, (bool, np.bool_)), "True or False"),
        "refine_rounds": integer(0),
        "refine_folds": integer(2),
        "n_jobs": Rule(lambda v: v is None or (is_integer(v) and v != 0), "None or a non-zero integer (-1 = one process per CPU)"),
    }

    def _check_param_relations(self) -> None:
        if self.fast and self.n_members is not None:
            raise InputError(f"fast=True trains one network; it cannot be combined with n_members={self.n_members}: set one of them")
        if self.n_members is not None and int(self.n_members) > 1:
            why = self._why_one_network()
            if why:
                raise InputError(f"n_members={self.n_members} is not available {why}; set n_members=1 (or None)")
        if "expected_positives" in (self.loss_params or {}):
            raise InputError(
                "give expected_positives as the estimator's parameter (expected_positives=...), not in loss_params: "
                "there it is checked against the number of labels and reported as expected_positives_"
            )

    def _check_decision_rule(self) -> None:
        """``threshold`` and ``top_k``, which :meth:`predict` reads (also when set after the fit)."""
        check_parameters(self, {name: self._parameter_checks[name] for name in ("threshold", "top_k")})

    def _check_labels(self, Y: np.ndarray) -> None:
        n_labels = Y.shape[1]
        if n_labels < 2:
            raise InputError(
                f"y holds only {n_labels} label ({list(self.classes_)}); positive-only learning needs at least 2 "
                "labels (classes): with one label every item is trivially positive"
            )
        empty = np.flatnonzero(Y.sum(axis=1) == 0)
        if len(empty):
            raise InputError(
                f"row {int(empty[0])} of y (counting from 0) has no observed positive label ({len(empty)} such rows); every item needs at "
                "least one observed positive: drop those rows or give them a label"
            )
        k = self.expected_positives
        if k is not None and not (is_real_number(k) and 1.0 <= float(k) <= n_labels):
            raise InputError(
                f"expected_positives must be a number in [1, {n_labels}] (the mean number of true labels per item), "
                f"got {k!r}; pass None to estimate it from the data"
            )

    # -- fitting -------------------------------------------------------------
    def _loss_class(self) -> type[Loss]:
        """The class of ``loss``, whose declarations (head, expected positives, inputs) the fit follows."""
        return get_loss_entry(self.loss, "positive_only").module

    def _why_one_network(self) -> str:
        """Why the members cannot be trained as one batched network ('' when they can)."""
        cls = self._loss_class()
        head = cls.head_spec(2)["type"]
        if int(self.refine_rounds):
            return "with refinement (refine_rounds > 0), whose fold networks are averaged already"
        if head != "linear":
            return f"with loss={self.loss!r}, which reads a {head} head (members have linear heads)"
        if cls.setup is not Loss.setup or cls.has_epoch_hooks():
            return f"with loss={self.loss!r}, which keeps per-item state (members would share it)"
        if self.norm not in ("batch", None):
            return f"with norm={self.norm!r} (members support norm='batch' or None)"
        return ""

    def _members(self) -> int:
        """Networks averaged by the loss's fit: ``n_members``, or by default 5 where they apply (1 with ``fast``)."""
        if self.n_members is not None:
            return int(self.n_members)
        return 1 if self.fast or self._why_one_network() else DEFAULT_MEMBERS

    def _build_loss(self) -> torch.nn.Module:
        k = self.expected_positives_
        return self._loss_module("positive_only", self.loss_params or {}, None if k is None else {"expected_positives": k})

    def _network_spec(self, n_inputs: int, n_labels: int) -> dict[str, Any]:
        """The spec of one network: the MLP encoder and the head the loss asks for (:meth:`~weaklabel.losses.Loss.head_spec`)."""
        return {"encoder": self._encoder_spec(n_inputs), "head": self._loss_class().head_spec(n_labels, embedding_dim=self.embedding_dim)}

    def fit(self, X: Any, y: Any) -> SinglePositiveClassifier:
        """Fit on features ``X`` and observed positives ``y`` (one label per item, label lists, or a 0/1 matrix)."""
        self._check_params()
        seed = self._seed(self.random_state)
        X = self._validate_X(X, reset=True)
        if len(X) < 2:
            raise InputError(f"X has {len(X)} sample; at least 2 samples are needed to fit")
        self.label_encoder_ = LabelEncoder().fit(y)
        self.classes_ = self.label_encoder_.classes_
        self.label_format_ = self.label_encoder_.format_
        Y = self.label_encoder_.transform(y)
        check_same_length(X, len(Y))
        self._check_labels(Y)
        if self.refine_rounds and len(X) < 2 * int(self.refine_folds):
            raise InputError(
                f"refine_folds={self.refine_folds} needs at least {2 * int(self.refine_folds)} items (2 per fold), got {len(X)}; "
                "lower refine_folds or set refine_rounds=0"
            )

        train_idx, _ = self._split(len(X), seed)
        self._fit_scaler(X[train_idx], seed)
        inputs = self.scaler_.transform(X)
        self.expected_positives_ = None
        if "expected_positives" in self._loss_class().supplied:
            k = self.expected_positives
            self.expected_positives_ = float(k) if k is not None else estimate_expected_positives(inputs[train_idx], Y[train_idx], seed)
        self.scores_ = self._loss_class().scores if int(self.refine_rounds) == 0 else "sigmoid"
        self.n_members_ = self._members()
        if self.n_members_ > 1:
            self.net_ = self._fit_members(inputs.reshape(len(inputs), -1), Y, seed)
            return self
        if int(self.refine_rounds) == 0:
            self.net_ = self._fit_network(inputs, Y, None, seed, stage="")
            return self
        rounds, folds = int(self.refine_rounds) + 1, int(self.refine_folds)
        with NetworkProgress(rounds * folds, int(self.verbose), type(self).__name__) as progress:
            self.net_ = cross_fit(
                Y, folds, rounds - 1, seed,
                train_round=functools.partial(self._fit_fold_networks, inputs, Y, progress),
                probabilities=lambda net, rows: torch.sigmoid(torch.from_numpy(self._network_outputs(inputs[rows], net=net))).numpy(),
            )
        self.network_spec_ = ensemble_spec(self._network_spec(flat_width(inputs), Y.shape[1]), len(self.net_.members))
        return self

    def _fit_members(self, inputs: np.ndarray, Y: np.ndarray, seed: int) -> MemberAverage:
        """``n_members_`` networks trained at once with the loss, as one :class:`BatchedMLP` (same batches, each
        member its own initial weights and dropout; early stopping on the sum of their validation losses)."""
        train_idx, val_idx = self._split(len(inputs), seed)
        spec = averaged_spec(self.n_members_, inputs.shape[1], Y.shape[1], self.hidden_sizes, self.norm, float(self.dropout))
        net = self._build_network(spec, seed)
        columns = {"x": torch.from_numpy(inputs), "y": torch.from_numpy(Y)}
        train = {k: v[train_idx] for k, v in columns.items()}
        val = None if val_idx is None else {k: v[val_idx] for k, v in columns.items()}
        loss = self._build_loss()
        module = torch.nn.ModuleDict({"net": net.members, "loss": loss})
        self._train(
            module, member_loss_function(loss, net.members, training=True), train, val, seed,
            val_loss_fn=member_loss_function(loss, net.members, training=False), lr_multipliers=loss.lr_multipliers,
        )
        return net.eval()

    def _fit_fold_networks(
        self, inputs: np.ndarray, Y: np.ndarray, progress: NetworkProgress, jobs: list[FoldJob], targets: np.ndarray | None
    ) -> list[Network]:
        """One network per fold job, on its rows (with the loss when ``targets`` is None, else by BCE on the soft
        ``targets``): in this process, or ``n_jobs`` at a time in worker processes; each counted on ``progress``."""
        args = [(inputs[job.rows], Y[job.rows], None if targets is None else targets[job.rows], job.seed, job.stage) for job in jobs]
        where = f"round {jobs[0].round + 1} of {int(self.refine_rounds) + 1}"
        n_jobs = min(joblib.effective_n_jobs(self.n_jobs), len(args))
        if n_jobs == 1:
            networks = []
            for arg in args:
                progress.next_network(where)
                networks.append(self._fit_network(*arg))
            return networks
        logger.info("refinement: %d fold networks on %d processes", len(args), n_jobs)
        worker = copy.copy(self)
        worker.verbose = 0  # progress bars of parallel processes would interleave
        worker.__dict__.pop("net_", None)  # a refit's previous model need not travel to every worker
        results = in_processes(functools.partial(_fit_network_in_worker, worker), args, n_jobs)
        progress.advance(len(args), where)
        self.n_epochs_, self.history_ = results[-1][1]
        return [net for net, _ in results]

    def _fit_network(self, inputs: np.ndarray, Y: np.ndarray, targets: np.ndarray | None, seed: int, stage: str) -> Network:
        """Train one network on scaled ``inputs``: with the loss on the observed ``Y``, or by BCE on soft ``targets``."""
        train_idx, val_idx = self._split(len(inputs), seed)
        net = self._build_network(self._network_spec(flat_width(inputs), Y.shape[1]), seed)
        columns = {"x": torch.from_numpy(inputs), "y": torch.from_numpy(Y)}
        if targets is not None:
            columns["t"] = torch.from_numpy(targets)
        train = {k: v[train_idx] for k, v in columns.items()}
        val = None if val_idx is None else {k: v[val_idx] for k, v in columns.items()}
        if targets is not None:

            def soft_label_loss(batch: dict[str, torch.Tensor]) -> torch.Tensor:
                return F.binary_cross_entropy_with_logits(net(batch["x"]), batch["t"])

            self._train(net, soft_label_loss, train, val, seed, stage=stage)
            return net.eval()
        loss = self._build_loss()
        loss.setup(train["y"], seed)
        module = torch.nn.ModuleDict({"net": net, "loss": loss})

        @torch.no_grad()
        def predict_train() -> torch.Tensor:
            was_training = net.training
            net.eval()
            device = next(net.parameters()).device
            out = torch.cat([net(chunk.to(device)) for chunk in train["x"].split(8192)])
            net.train(was_training)
            return out

        self._train(
            module, loss_function(loss, net, training=True), train, val, seed, loss_callbacks(loss, predict_train),
            loss_function(loss, net, training=False), loss.lr_multipliers, stage=stage,
        )
        return net.eval()

    # -- prediction ------------------------------------------------------------
    def decision_function(self, X: Any) -> np.ndarray:
        """Logits, shape (n, n_labels): of the members' mean probability when several are averaged; with
        ``scores_ == "softmax"`` the log of the members' mean softmax."""
        if self._scores() == "sigmoid":
            return self._outputs(X)
        return np.log(np.clip(self.predict_proba(X), np.finfo(np.float32).tiny, None))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Per-label scores in [0, 1], shape (n, n_labels): σ(logit) per label (rows need not sum to 1), or,
        with ``scores_ == "softmax"``, the members' mean softmax over labels (rows sum to 1)."""
        if self._scores() == "sigmoid":
            return torch.sigmoid(torch.from_numpy(self.decision_function(X))).numpy()
        inputs = self._transform_inputs(X)
        if isinstance(self.net_, MemberAverage):
            return self._network_outputs(inputs.reshape(len(inputs), -1), net=_MeanSoftmax(self.net_.members))
        return torch.softmax(torch.from_numpy(self._network_outputs(inputs)), dim=1).numpy()

    def _scores(self) -> str:
        self._check_is_fitted()
        return getattr(self, "scores_", "sigmoid")

    def embed(self, X: Any) -> np.ndarray:
        """Items' positions in the label-embedding space (``loss="label_embedding"`` with one network: ``refine_rounds=0``)."""
        head = self._label_embedding_head("embed")
        inputs = torch.from_numpy(self._transform_inputs(X))
        with torch.no_grad():
            return head.points(self.net_.embed(inputs)).numpy()

    def label_embeddings(self) -> np.ndarray:
        """Label embeddings (n_labels, embedding_dim) (``loss="label_embedding"`` with one network: ``refine_rounds=0``)."""
        head = self._label_embedding_head("label_embeddings")
        with torch.no_grad():
            return head.embeddings().numpy()

    def _label_embedding_head(self, method: str) -> torch.nn.Module:
        """The fitted network's label-embedding head, or a clear error naming why ``method`` has none."""
        self._check_is_fitted()
        if isinstance(self.net_, MemberAverage):
            raise InputError(f"{method} needs a model fitted with loss='label_embedding'; this one has a LinearHead on each of its {self.net_.members.n_members} members")
        head = self.net_.head if isinstance(self.net_, Network) else self.net_.members[0].head
        if not isinstance(head, LabelEmbeddingHead):  # the fitted head, whatever loss is set now
            raise InputError(f"{method} needs a model fitted with loss='label_embedding'; this one has a {type(head).__name__}")
        if not isinstance(self.net_, Network):
            raise InputError(
                f"{method} needs a single network, but this model averages {len(self.net_.members)} refined networks, "
                "each with its own space; fit with refine_rounds=0 to get one label-embedding space"
            )
        return head

    def labels_from_proba(self, proba: np.ndarray) -> np.ndarray:
        """The decision rule of :meth:`predict` as a 0/1 matrix (int64) from :meth:`predict_proba`'s ``proba``:
        the labels scoring at least ``threshold``, or the ``top_k`` best."""
        self._check_is_fitted()
        self._check_decision_rule()
        if self.top_k is None:
            return (proba >= self.threshold).astype(np.int64)
        return top_k_matrix(proba, int(self.top_k))

    def predict(self, X: Any) -> Any:
        """Predicted label sets: the labels with score ≥ ``threshold``, or the ``top_k`` best.

        A 0/1 matrix when ``y`` at fit was one, else label lists; also when ``y`` gave one label per
        item, since one observed positive does not make an item's true labels one.
        """
        chosen = self.labels_from_proba(self.predict_proba(X))
        if self.label_format_ == "single":
            return self.label_encoder_.label_lists(chosen)
        return self.label_encoder_.inverse_transform(chosen)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Macro mean average precision against full labels ``y`` (0/1 matrix or label lists)."""
        if sample_weight is not None:
            raise InputError("score does not support sample_weight")
        self._check_is_fitted()
        Y = self.label_encoder_.transform(y)
        proba = self.predict_proba(X)
        check_same_length(proba, len(Y))
        return float(mean_average_precision(Y, proba))

    # -- persistence -----------------------------------------------------------
    #: parameters added after the first saved models, with the value those models were trained with
    _legacy_params = {"refine_rounds": 0, "refine_folds": 5, "n_jobs": None, "n_members": 1, "fast": False}

    def _extra_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        config = {"labels": self.label_encoder_.get_config(), "expected_positives_": self.expected_positives_}
        return {**config, "scores_": self.scores_, "n_members_": self.n_members_}, {}

    def _set_extra_state(self, config: dict[str, Any], tensors: dict[str, np.ndarray]) -> None:
        self.label_encoder_ = LabelEncoder.from_config(config["labels"])
        self.classes_ = self.label_encoder_.classes_
        self.label_format_ = self.label_encoder_.format_
        self.expected_positives_ = config["expected_positives_"]
        # models saved before members and softmax scores: one network (or fold networks), sigmoid scores
        self.scores_ = config.get("scores_", "sigmoid")
        self.n_members_ = config.get("n_members_", 1)


def _fit_network_in_worker(estimator: SinglePositiveClassifier, *job: Any) -> tuple[Network, tuple[int, list[dict[str, Any]]]]:
    """A worker process's :meth:`SinglePositiveClassifier._fit_network`, with its epochs and history (set on the
    worker's copy of the estimator, so they travel back with the network)."""
    net = estimator._fit_network(*job)
    return net, (estimator.n_epochs_, estimator.history_)


class _MeanSoftmax(torch.nn.Module):
    """The mean over a :class:`BatchedMLP`'s members of their softmax over labels, ``(B, n_labels)``."""

    def __init__(self, members: torch.nn.Module) -> None:
        super().__init__()
        self.members = members

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.members(x), dim=-1).mean(dim=0)
