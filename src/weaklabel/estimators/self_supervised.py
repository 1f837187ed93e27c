"""SelfSupervisedClassifier: classes learned from unlabelled features.

Three methods (``method``):

- ``"mixture_graph"`` (default): a Gaussian mixture chosen by BIC, its components merged into classes by the
  lowest normalised cut of the samples' nearest-neighbour graph; where the data want more Gaussians than the
  mixture's grid allows, the classes come from the graph's spectral embedding instead
  (:mod:`weaklabel.algorithms.mixture_graph`). No network is trained.
- ``"minmax_scan"`` and ``"scan"``: an MLP trained on the neighbour-consistency losses of SCAN
  (:mod:`weaklabel.estimators._scan`, :mod:`weaklabel.losses.clustering`).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from sklearn.base import ClusterMixin

from ..algorithms.class_count import class_count_evidence
from ..algorithms.mixture import standard_log_jacobian
from ..algorithms.mixture_graph import GRAPH_RUNS, MIXTURE_RESTARTS, MixtureGraphModel, fit_mixture_graph
from ..data.neighbors import METRICS
from ..data.preprocessing import METHODS as SCALINGS
from ..data.preprocessing import spread_scaling
from ..exceptions import InputError
from ..losses import available_losses
from ..persistence import register_estimator
from ..training import StageBar
from ._base import NeuralEstimator
from ._params import OneOf, Rule, integer, is_integer, real
from ._scan import INITS, NEIGHBOR_SEARCHES, ScanFitting, _json_losses, _loaded_losses

logger = logging.getLogger("weaklabel")

MIXTURE_GRAPH = "mixture_graph"


def methods() -> tuple[str, ...]:
    """``"mixture_graph"`` and the registered clustering losses (``"minmax_scan"``, ``"scan"``)."""
    return (MIXTURE_GRAPH, *available_losses("clustering"))


@register_estimator
class SelfSupervisedClassifier(ClusterMixin, ScanFitting, NeuralEstimator):
    """Learn classes from unlabelled features.

    Parameters
    ----------
    n_classes : int or "auto"
        Number of classes to learn (≥ 2, < number of samples), or ``"auto"``: estimated from the data, between
        2 and 15 (:mod:`weaklabel.algorithms.class_count`); the number used is ``n_classes_``.
    method : {"mixture_graph", "minmax_scan", "scan"}
        ``"mixture_graph"``: a Gaussian mixture chosen by BIC (spherical, diagonal or full covariances, up to
        3K components), its components merged into K classes by the lowest normalised cut of the
        ``n_neighbors``-nearest-neighbour graph; when BIC wants the grid's largest count (no few-Gaussian
        structure: rings, moons, strokes) the classes come from a Gaussian mixture in the graph's spectral
        embedding, and new rows get the vote of their nearest fitted rows
        (:mod:`weaklabel.algorithms.mixture_graph`). No uniform class prior: the mixture's weights set the class
        sizes. ``"minmax_scan"`` / ``"scan"``: an MLP trained on min-max SCAN (neighbours pulled together, far
        samples pushed apart, every class kept in use) or SCAN (:mod:`weaklabel.estimators._scan`); the
        parameters marked *(networks)* below apply to these two only.
    n_neighbors : int
        Nearest neighbours per sample in the neighbour graph (and, for the networks, pulled to one class).
    n_init : int or "auto"
        ``"mixture_graph"``: EM runs from k-means++ starts (the highest likelihood kept) and, on the graph path,
        mixtures in the embedding (the lowest normalised cut kept); ``"auto"`` = 20 and 10
        (:data:`~weaklabel.algorithms.mixture_graph.MIXTURE_RESTARTS`, ``GRAPH_RUNS``). Networks: independent
        clustering runs, as in :class:`sklearn.cluster.KMeans` (each with its own network initialisation,
        spectral partition and pair sampling; the neighbour search, far radii and validation split are shared);
        the run whose best head has the lowest loss is kept (a diverged head or run counts as an infinite loss,
        a run with a warning; when all diverge, ``fit`` raises
        :class:`~weaklabel.exceptions.TrainingDivergedError`); ``"auto"`` = 1.
    scaling : {"auto", "standard", "none", "robust", "quantile", "ple"}
        Input transform; the mixture and the neighbours work on the transformed features. ``"auto"``:
        ``"standard"`` when the columns' spreads differ a lot (largest standard deviation > 6 × the median one,
        :func:`~weaklabel.data.preprocessing.spread_scaling`: a table of lengths, masses and counts), else
        ``"none"`` (one unit: pixels, embeddings, coordinates; standardising digits' pixels inflates the empty
        border ones). The choice is ``scaling_``.
    metric : {"euclidean", "cosine"}
        Distance of the neighbour search, on the scaled features (the mixture is Euclidean).
    neighbor_search : {"auto", "exact", "approximate"}
        ``"auto"``: exact up to :data:`~weaklabel.data.neighbors.EXACT_MAX_ROWS` rows, IVF above
        (:mod:`weaklabel.data.neighbors`; the mixture–graph method's graph has at most that many rows, so it is
        exact unless ``"approximate"``). After an approximate search of the networks its recall is measured on
        256 sampled rows against the exact search, and a warning names it when below
        :data:`~weaklabel.estimators._scan.MIN_NEIGHBOR_RECALL` (on data without cluster structure, e.g.
        60,000 × 16 Gaussian rows, it finds 0.68). ``"exact"`` costs time growing with n² (about 15 s at
        50,000 × 64 on 2 cores).
    entropy_weight : float
        *(networks)* Weight ``w`` of the entropy of the mean prediction (keeps every class in use).
    far_weight : float
        *(networks)* Weight of the push term on far samples (``minmax_scan`` only).
    n_heads : int
        *(networks)* Softmax heads trained at once on the shared encoder; the one with the lowest loss on all
        the data is kept (after a spectral start each begins from its own discretisation of the spectral
        embedding).
    init : {"auto", "spectral", "random"}
        *(networks)* Start of the clustering phase. ``"spectral"``: about 100 steps (at least one epoch) of
        cross-entropy of each head towards its own spectral partition of the neighbour graph (k-means with one
        initialisation, seeded per head, on the normalised-cut embedding; 10–12 s at 50,000 rows, 100 classes
        and one head on 2 cores). ``"random"``: the network's random initialisation. ``"auto"``: spectral up to
        50,000 rows (:data:`~weaklabel.data.graph.SPECTRAL_MAX_ROWS`), random above.
    refinement_steps : int
        *(networks)* Full-batch Adam steps (learning rate 0.05) of the graph refinement (0 = none): each head's
        training-sample logits become free parameters, optimised on
        ``−(1/(n·k)) Σ_i Σ_j log⟨p_i, p_{n_ij}⟩ − w · H(p̄)`` over every sample's ``k = n_neighbors``
        neighbours (:func:`~weaklabel.losses.clustering.neighborhood_scan_loss`); heads and runs are then
        compared by this refined loss, and the kept network is trained towards its head's refined classes.
        It improves the fitted samples' classes (``labels_``: digits 0.910 → 0.962 with
        ``scaling="none"``), not how the network generalises (``benchmarks/heldout_digits.py``). A step costs
        ``n × n_neighbors × n_classes`` values per head: within
        :data:`~weaklabel.estimators._scan.REFINE_MAX_ELEMENTS` every head is refined, above it only the heads
        of lowest network loss that fit, and data too large for one head skips it (logged).
    self_labeling_epochs : int
        *(networks)* Epochs of confident-sample fine-tuning after the clustering phase (0 = none).
    confidence_threshold : float
        *(networks)* Top probability a sample needs to become a pseudo-label.
    hidden_sizes, norm, dropout : *(networks)* MLP shape.
    max_epochs, batch_size, learning_rate, weight_decay : *(networks)* AdamW training of the clustering phase
        (learning rate 1e-2: at 1e-3, 50 epochs left well-separated blobs merged in pairs).
    validation_fraction, patience : *(networks)* held-out share for early stopping on the loss (0 = none).
    device : "auto", "cpu" or "cuda"
        *(networks)* Where the network trains; the mixture–graph method runs on the CPU.
    random_state : int, RandomState or None
    verbose : int
        0 = silent, 1 = progress bars: the networks' epochs (with the loss, in 4 significant digits), the
        mixture–graph method's steps (sweep, restarts, graph), shown once a fit has run for a second.

    Attributes
    ----------
    classes_ : ndarray ``arange(n_classes_)``.
    n_classes_ : int, the number of classes learned (``n_classes``, or its estimate for ``"auto"``).
    labels_ : ndarray (n,) of the training samples' classes (not saved by ``save``); ``predict`` on the
        training rows gives them back (the mixture's classes, or the graph path's vote, where each row's
        nearest fitted row is itself).
    scaling_ : the scaling used (``"auto"`` resolved).
    path_ : ``"mixture"`` (M = K components), ``"merge"`` (M > K merged on the graph) or ``"graph"``
        (mixture–graph method only).
    n_components_, covariance_type_ : the lowest-BIC mixture's (mixture–graph method only).
    bic_ : list of every sweep candidate (``covariance_type``, ``n_components``, ``bic``), lowest first, the BIC
        on the raw feature scale for ``scaling`` standard or none (the transformed scale otherwise).
    restart_losses_, best_restart_, head_losses_, best_head_, refined_, n_epochs_, history_ : *(networks)* each
        run's lowest head loss and the kept run; the kept run's head losses (``inf`` for a diverged head) and
        head; whether the graph refinement ran; epochs of the clustering phase and of self-labelling.
    timings_ : dict of seconds per phase (mixture–graph: ``sweep``, ``mixture``, ``graph``, ``merge``,
        ``graph_path``; networks: ``neighbors``, ``init``, ``training``, ``refinement``).
    """

    _fitted_attributes = ("net_", "mixture_graph_")
    #: parameters added after the first saved models, with the value those models were trained with
    _legacy_params = {"init": "random", "n_init": 1, "refinement_steps": 0, "neighbor_search": "auto"}

    def __init__(
        self,
        n_classes: int | str = 10,
        method: str = MIXTURE_GRAPH,
        n_neighbors: int = 10,
        n_init: int | str = "auto",
        scaling: str = "auto",
        metric: str = "euclidean",
        neighbor_search: str = "auto",
        entropy_weight: float = 5.0,
        far_weight: float = 1.0,
        n_heads: int = 10,
        init: str = "auto",
        refinement_steps: int = 150,
        self_labeling_epochs: int = 0,
        confidence_threshold: float = 0.99,
        hidden_sizes: tuple[int, ...] = (256, 256),
        norm: str | None = "batch",
        dropout: float = 0.0,
        max_epochs: int = 50,
        batch_size: int = 256,
        learning_rate: float = 1e-2,
        weight_decay: float = 1e-4,
        validation_fraction: float = 0.0,
        patience: int | None = None,
        device: str = "auto",
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 1,
    ) -> None:
        self.n_classes = n_classes
        self.method = method
        self.n_neighbors = n_neighbors
        self.n_init = n_init
        self.scaling = scaling
        self.metric = metric
        self.neighbor_search = neighbor_search
        self.entropy_weight = entropy_weight
        self.far_weight = far_weight
        self.n_heads = n_heads
        self.init = init
        self.refinement_steps = refinement_steps
        self.self_labeling_epochs = self_labeling_epochs
        self.confidence_threshold = confidence_threshold
        self.hidden_sizes = hidden_sizes
        self.norm = norm
        self.dropout = dropout
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # -- checks ------------------------------------------------------------
    _parameter_checks = {
        "method": OneOf(methods),
        "n_classes": Rule(lambda v: v == "auto" or (is_integer(v) and v >= 2), "an integer ≥ 2 or 'auto' (estimated from the data)"),
        "n_init": Rule(lambda v: v == "auto" or (is_integer(v) and v >= 1), "an integer ≥ 1 or 'auto'"),
        "scaling": OneOf(("auto", *SCALINGS)),
        "metric": OneOf(METRICS),
        "neighbor_search": OneOf(list(NEIGHBOR_SEARCHES)),
        "init": OneOf(INITS),
        "n_neighbors": integer(1),
        "n_heads": integer(1),
        "refinement_steps": integer(0),
        "self_labeling_epochs": integer(0),
        "entropy_weight": real(lambda v: np.isfinite(v) and v >= 0, "a finite number ≥ 0"),
        "far_weight": real(lambda v: np.isfinite(v) and v >= 0, "a finite number ≥ 0"),
        "confidence_threshold": real(lambda v: 0 < v < 1, "a number in (0, 1)"),
    }

    def _check_sizes(self, n: int) -> None:
        if self.n_classes != "auto" and self.n_classes >= n:  # n classes of one sample each is no clustering
            raise InputError(f"n_classes={self.n_classes} must be smaller than the number of samples (n_samples={n}); lower n_classes or give more samples")
        if self.n_neighbors >= n:
            raise InputError(f"n_neighbors={self.n_neighbors} must be smaller than the number of samples ({n}); lower n_neighbors")
        if self.n_classes == "auto" and n < 4:
            raise InputError(f"n_classes='auto' needs at least 4 samples to compare class counts, got {n}; give n_classes or more samples")

    @classmethod
    def _upgrade_params(cls, params: dict[str, Any]) -> dict[str, Any]:
        """Models saved before ``method`` existed named their loss ``loss`` (always a network method)."""
        if "loss" in params:
            params = {**params, "method": params["loss"]}
            del params["loss"]
        return params

    # -- fitting -----------------------------------------------------------
    def fit(self, X: Any, y: Any = None) -> SelfSupervisedClassifier:
        """Learn classes from ``X`` (n, d); ``y`` is ignored (present for scikit-learn pipelines)."""
        self._check_params()
        seed = self._seed(self.random_state)
        X = self._validate_X(X, reset=True)
        self._check_sizes(len(X))
        Xs = self._fit_scaler(X, seed)
        self.n_classes_ = self._resolve_n_classes(Xs, seed)
        if self.method == MIXTURE_GRAPH:
            self._fit_mixture_graph(Xs, seed)
        else:
            self._fit_scan(Xs, self.n_classes_, 1 if self.n_init == "auto" else int(self.n_init), seed)
        self.classes_ = np.arange(self.n_classes_)
        return self

    def _scaling_for(self, X: np.ndarray) -> str:
        self.scaling_ = spread_scaling(X) if self.scaling == "auto" else self.scaling
        return self.scaling_

    def _resolve_n_classes(self, Xs: np.ndarray, seed: int) -> int:
        if self.n_classes != "auto":
            return int(self.n_classes)
        evidence = class_count_evidence(Xs, seed, int(self.n_neighbors), self.metric, NEIGHBOR_SEARCHES[self.neighbor_search])
        logger.info("n_classes='auto': %d classes (lowest-BIC mixture: %d components)", evidence.n_classes(), evidence.n_components)
        return evidence.n_classes()

    def _fit_mixture_graph(self, Xs: np.ndarray, seed: int) -> None:
        if self._checkpointing:
            logger.info("the mixture–graph method trains no network: there is nothing to checkpoint")
        restarts, runs = (MIXTURE_RESTARTS, GRAPH_RUNS) if self.n_init == "auto" else (int(self.n_init),) * 2
        jacobian = standard_log_jacobian(self.scaler_.state["std"]) if self.scaling_ == "standard" else 0.0
        with StageBar(int(self.verbose), desc=f"{type(self).__name__} (mixture–graph)") as bar:
            fit = fit_mixture_graph(
                Xs, self.n_classes_, seed=seed, n_restarts=restarts, n_graph_runs=runs, n_neighbors=int(self.n_neighbors),
                metric=self.metric, exact=NEIGHBOR_SEARCHES[self.neighbor_search], log_jacobian=jacobian, progress=bar,
            )
        self.mixture_graph_, self.labels_ = fit.model, fit.labels
        self.path_, self.n_components_, self.covariance_type_ = fit.model.path, fit.n_components, fit.covariance_type
        self.bic_, self.timings_ = fit.bic, fit.timings

    # -- prediction --------------------------------------------------------
    def predict_proba_scaled(self, Xs: np.ndarray) -> np.ndarray:
        """Class probabilities of already-scaled inputs ``(n, n_classes_)``."""
        if hasattr(self, "mixture_graph_"):
            return self.mixture_graph_.predict_proba(Xs)
        return super().predict_proba_scaled(Xs)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape ``(n, n_classes_)``; rows sum to 1."""
        return self.predict_proba_scaled(self._transform_inputs(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row (ints in ``classes_``)."""
        return self.predict_proba(X).argmax(axis=1)

    # -- persistence -------------------------------------------------------
    def _extra_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        if hasattr(self, "mixture_graph_"):
            state = {**self.mixture_graph_.config(), "n_components": self.n_components_, "covariance_type": self.covariance_type_, "bic": self.bic_}
            return {"n_classes": self.n_classes_, "mixture_graph": state}, {f"mixture_graph.{k}": v for k, v in self.mixture_graph_.arrays().items()}
        state = {"best_head": self.best_head_, "head_losses": _json_losses(self.head_losses_)}
        return {**state, "best_restart": self.best_restart_, "restart_losses": _json_losses(self.restart_losses_), "refined": self.refined_}, {}

    def _set_extra_state(self, config: dict[str, Any], tensors: dict[str, np.ndarray]) -> None:
        self.scaling_ = self.scaler_.method
        if "mixture_graph" in config:
            state = config["mixture_graph"]
            prefix = "mixture_graph."
            self.mixture_graph_ = MixtureGraphModel.from_state(state, {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)})
            self.path_, self.n_components_, self.covariance_type_, self.bic_ = state["path"], int(state["n_components"]), state["covariance_type"], state["bic"]
            self.n_classes_ = int(config["n_classes"])
        else:
            self.best_head_ = int(config["best_head"])
            self.head_losses_ = _loaded_losses(config["head_losses"])
            # models saved before n_init existed ran once
            self.best_restart_ = int(config.get("best_restart", 0))
            self.restart_losses_ = _loaded_losses(config.get("restart_losses", [min(self.head_losses_)]))
            self.refined_ = bool(config.get("refined", False))  # models saved before the graph refinement had none
            self.n_classes_ = int(self.network_spec_["head"]["out_features"])  # the fitted K, whatever n_classes is now
        self.classes_ = np.arange(self.n_classes_)
