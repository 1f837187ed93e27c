"""SelfSupervisedClassifier: classes learned from unlabelled data with SCAN-style losses.

Method (Van Gansbeke et al., "SCAN: Learning to Classify Images without
Labels", ECCV 2020, on given features instead of a pretext network):

1. scale the features, mine each sample's ``n_neighbors`` nearest neighbours
   (:func:`weaklabel.data.neighbors.knn`) and, for ``minmax_scan``, its far
   radius (:func:`weaklabel.data.neighbors.near_radius`) and one far sample
   for scoring heads (:func:`weaklabel.data.neighbors.sample_far`);
2. start from spectral partitions of the same neighbour graph
   (:func:`weaklabel.data.graph.spectral_partitions`, one k-means
   discretisation of the normalised-cut embedding per head): about 100 steps
   of cross-entropy towards them, so the local optimiser begins near the
   relaxed normalised cut instead of a random split (``init``);
3. train an MLP with ``n_heads`` softmax heads at once on the loss (each
   step pairs every sample of the batch with one random neighbour; for
   ``minmax_scan`` it also pushes apart every pair of the batch farther
   apart than the sample's far radius, an estimate of the distance that
   holds its nearest ``1/n_classes`` of the data);
4. refine on the graph (``refinement_steps``): starting from every head's
   outputs on the training samples, optimise the SCAN loss over *all*
   ``n_neighbors`` pairs of every sample directly in per-sample class logits
   (no network), which moves the samples the network's smooth function got
   wrong towards their neighbours' class;
5. keep the head with the lowest loss on all the data (after refinement, the
   refined loss), over ``n_init`` independent runs of steps 2–4; with
   refinement, train the kept head's network by cross-entropy towards its
   refined classes, so that ``predict`` carries them to new samples;
6. optionally self-label: samples whose top probability reaches
   ``confidence_threshold`` become pseudo-labels, and class-balanced
   cross-entropy trains a random *neighbour* of each confident sample towards
   it (the neighbour stands in for SCAN's strong augmentation).
"""

from __future__ import annotations

import copy
import math
import logging
import time
import warnings
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import ClusterMixin

from ..data.graph import SPECTRAL_MAX_ROWS, spectral_embedding_of, spectral_partitions
from ..data.neighbors import METRICS, knn, near_radius, neighbor_recall, sample_far, searches_exactly
from ..exceptions import InputError, TrainingDivergedError
from ..losses import available_losses, build_loss
from ..losses.clustering import log_similarity, neighborhood_scan_loss
from ..nn import Network, build_head
from ..persistence import register_estimator
from ..runtime import resolve_device, spawn_seeds, torch_generator
from ..training import Callback, History, Trainer
from ._base import NeuralEstimator

logger = logging.getLogger("weaklabel")

_SCORE_CHUNK = 65_536
INITS = ("auto", "spectral", "random")
#: ``neighbor_search`` → :func:`~weaklabel.data.neighbors.knn`'s ``exact``
NEIGHBOR_SEARCHES = {"auto": None, "exact": True, "approximate": False}
#: below this recall of an approximate neighbour search, measured on ``_RECALL_QUERIES`` rows, the fit warns
MIN_NEIGHBOR_RECALL = 0.9
_RECALL_QUERIES = 256
_INIT_STEPS = 100  # at least this many cross-entropy steps towards the spectral partition (and at least one epoch)
_DUPLICATE_WARN = 0.05  # warn when more than this share of samples has only exact duplicates as neighbours
_REFINE_LR = 0.05
#: the graph refinement's budget of ``n × n_neighbors × n_classes × refined heads`` values per step, which bounds
#: both its memory (16 MB per float32 tensor; the autograd graph keeps a few) and its time (digits, 1.8 M values
#: with every head: about 2.5 s for 150 steps on 2 cores)
REFINE_MAX_ELEMENTS = 1 << 22


@register_estimator
class SelfSupervisedClassifier(ClusterMixin, NeuralEstimator):
    """Learn ``n_classes`` classes from unlabelled features (SCAN / min-max SCAN).

    Parameters
    ----------
    n_classes : int
        Number of classes to learn (≥ 2, < number of samples).
    n_neighbors : int
        Nearest neighbours mined per sample (pulled to the same class).
    loss : {"minmax_scan", "scan"}
        See :mod:`weaklabel.losses.clustering`.
    entropy_weight : float
        Weight ``w`` of the entropy of the mean prediction (keeps every class in use).
    far_weight : float
        Weight of the push term on far samples (``minmax_scan`` only).
    n_heads : int
        Softmax heads trained at once on the shared encoder; the one with the
        lowest loss on all the data is kept (a cheap form of restarts: the heads share the
        encoder; after a spectral start each begins from its own discretisation of the
        spectral embedding; ``n_init`` gives fully independent runs).
    n_init : int
        Independent clustering runs, as in :class:`sklearn.cluster.KMeans` (each with its own
        network initialisation, spectral partition and pair sampling; the neighbour search, far
        radii and validation split are shared); the run whose best head has the lowest loss is
        kept (a diverged head or run counts as an infinite loss, a run with a warning; when all diverge,
        ``fit`` raises :class:`~weaklabel.exceptions.TrainingDivergedError`). Costs ``n_init`` trainings (the
        spectral embedding is computed once).
    metric : {"euclidean", "cosine"}
        Distance of the neighbour search, on the scaled features.
    neighbor_search : {"auto", "exact", "approximate"}
        ``"auto"``: exact up to :data:`~weaklabel.data.neighbors.EXACT_MAX_ROWS` rows, IVF above
        (:mod:`weaklabel.data.neighbors`). After an approximate search its recall is measured on
        256 sampled rows against the exact search, and a warning names it when below
        :data:`MIN_NEIGHBOR_RECALL` (on data without cluster structure, e.g. 60,000 × 16 Gaussian
        rows, it finds 0.68). ``"exact"`` costs time growing with n² (about 15 s at 50,000 × 64 on
        2 cores).
    init : {"auto", "spectral", "random"}
        Start of the clustering phase. ``"spectral"``: about 100 steps (at least one epoch) of
        cross-entropy of each head towards its own spectral partition of the neighbour graph
        (k-means with one initialisation, seeded per head, on the normalised-cut embedding; the
        embedding costs an eigen-decomposition of the n × n sparse graph; with one k-means per
        head, the start took 10–12 s at 50,000 rows, 100 classes and one head on 2 cores). ``"random"``: the network's random
        initialisation. ``"auto"``: spectral up to 50,000 rows
        (:data:`~weaklabel.data.graph.SPECTRAL_MAX_ROWS`), random above.
    refinement_steps : int
        Full-batch Adam steps (learning rate 0.05) of the graph refinement (0 = none): each head's
        training-sample logits become free parameters, optimised on
        ``−(1/(n·k)) Σ_i Σ_j log⟨p_i, p_{n_ij}⟩ − w · H(p̄)`` over every sample's ``k = n_neighbors``
        neighbours (:func:`~weaklabel.losses.clustering.neighborhood_scan_loss`). Heads and runs are
        then compared by this refined loss, and the kept network is trained towards its head's
        refined classes (cross-entropy, about 100 steps and at least one epoch). In
        ``weaklabel bench self-supervised``, digits (``scaling="none"``): 0.910 → 0.962 accuracy over seeds 0–2 and
        0.883 → 0.920 over twelve runs, with the lowest refined loss of 5 runs at 0.964; the 2-D
        blob sets and wine lose 0.001–0.010. It improves the fitted samples' classes
        (``labels_``), not how the network generalises: fit on 80% of digits, the other 20%
        scored 0.952 against 0.954 without it (``benchmarks/heldout_digits.py``). A step costs
        ``n × n_neighbors × n_classes`` values per head: within :data:`REFINE_MAX_ELEMENTS` every
        head is refined; above it only the heads with the lowest network loss that fit (the others
        count as an infinite loss), and data too large for one head skips the refinement (logged).
    self_labeling_epochs : int
        Epochs of confident-sample fine-tuning after the clustering phase (0 = none).
    confidence_threshold : float
        Top probability a sample needs to become a pseudo-label.
    hidden_sizes, norm, dropout : MLP shape.
    scaling : {"standard", "none", "robust", "quantile", "ple"}
        Input transform; neighbours are mined on the transformed features.
        Use ``"none"`` for features sharing one unit (pixels, embeddings): on raw digits
        pixels the default scores 0.867 against 0.962 (``benchmarks/digits_scaling.py``).
    max_epochs, batch_size, learning_rate, weight_decay : AdamW training of the clustering phase
        (learning rate 1e-2: at 1e-3, 50 epochs left well-separated blobs merged in pairs).
    validation_fraction, patience : held-out share for early stopping on the loss (0 = none).
    device : "auto", "cpu" or "cuda"
    random_state : int, RandomState or None
    verbose : int
        0 = silent, 1 = progress bar.

    Attributes
    ----------
    classes_ : ndarray ``arange(n_classes)``.
    labels_ : ndarray (n,) of the training samples' classes (not saved by ``save``).
    restart_losses_ : list of each ``n_init`` run's lowest head loss; ``best_restart_`` the kept run.
    head_losses_ : list of the kept run's head losses (``inf`` for a diverged head; the refined losses
        when the graph refinement ran, ``inf`` for a head left out of it); ``best_head_`` the kept head.
    refined_ : whether the graph refinement ran.
    timings_ : dict of seconds spent on the neighbour search (incl. far radii), on the spectral
        start (``"init"``: 0 when random, and only the runs that started afresh when a checkpointed fit
        resumes), on training and on the graph refinement (``"refinement"``, incl. training the kept
        network towards it), each summed over the ``n_init`` runs.
    n_epochs_, history_ : epochs of the kept run's clustering phase and of self-labelling (not of the spectral start or of training towards the refined classes).
    """

    def __init__(
        self,
        n_classes: int = 10,
        n_neighbors: int = 10,
        loss: str = "minmax_scan",
        entropy_weight: float = 5.0,
        far_weight: float = 1.0,
        n_heads: int = 10,
        n_init: int = 1,
        metric: str = "euclidean",
        neighbor_search: str = "auto",
        init: str = "auto",
        refinement_steps: int = 150,
        self_labeling_epochs: int = 0,
        confidence_threshold: float = 0.99,
        hidden_sizes: tuple[int, ...] = (256, 256),
        norm: str | None = "batch",
        dropout: float = 0.0,
        scaling: str = "standard",
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
        self.n_neighbors = n_neighbors
        self.loss = loss
        self.entropy_weight = entropy_weight
        self.far_weight = far_weight
        self.n_heads = n_heads
        self.n_init = n_init
        self.metric = metric
        self.neighbor_search = neighbor_search
        self.init = init
        self.refinement_steps = refinement_steps
        self.self_labeling_epochs = self_labeling_epochs
        self.confidence_threshold = confidence_threshold
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

    # -- checks ------------------------------------------------------------
    def _check_params(self) -> None:
        super()._check_params()
        if self.loss not in available_losses("clustering"):
            raise InputError(f"unknown loss {self.loss!r}; choose one of {available_losses('clustering')}")
        if self.metric not in METRICS:
            raise InputError(f"unknown metric {self.metric!r}; choose one of {METRICS}")
        if self.neighbor_search not in NEIGHBOR_SEARCHES:
            raise InputError(f"unknown neighbor_search {self.neighbor_search!r}; choose one of {list(NEIGHBOR_SEARCHES)}")
        if self.init not in INITS:
            raise InputError(f"unknown init {self.init!r}; choose one of {INITS}")
        for name, low in (("n_classes", 2), ("n_neighbors", 1), ("n_heads", 1), ("n_init", 1), ("refinement_steps", 0), ("self_labeling_epochs", 0)):
            self._check_integer(name, low)
        for name in ("entropy_weight", "far_weight"):
            self._check_real(name, lambda v: math.isfinite(v) and v >= 0, "a finite number ≥ 0")
        self._check_real("confidence_threshold", lambda v: 0 < v < 1, "a number in (0, 1)")

    def _check_neighbor_recall(self, Xs: np.ndarray, neighbors: np.ndarray, seed: int) -> None:
        """Warn when the approximate neighbour graph misses many exact neighbours (measured on a sample)."""
        recall = neighbor_recall(Xs, neighbors, self.metric, n_queries=_RECALL_QUERIES, random_state=seed)
        logger.info("approximate neighbour search: recall@%d %.3f on a sample", neighbors.shape[1], recall)
        if recall < MIN_NEIGHBOR_RECALL:
            warnings.warn(
                f"the approximate neighbour search found {recall:.0%} of the exact {neighbors.shape[1]} nearest "
                f"neighbours (on {min(_RECALL_QUERIES, len(Xs))} sampled rows), so the neighbour graph is noisy for this data; pass "
                f"neighbor_search='exact' (its time grows with n²: about 15 s at 50,000 × 64 rows on 2 cores)",
                UserWarning,
                stacklevel=3,
            )

    def _check_sizes(self, n: int) -> None:
        if self.n_classes >= n:  # n classes of one sample each is no clustering (and no spectral start)
            raise InputError(f"n_classes={self.n_classes} must be smaller than the number of samples (n_samples={n}); lower n_classes or give more samples")
        if self.n_neighbors >= n:
            raise InputError(f"n_neighbors={self.n_neighbors} must be smaller than the number of samples ({n}); lower n_neighbors")

    # -- fitting -----------------------------------------------------------
    def fit(self, X: Any, y: Any = None) -> "SelfSupervisedClassifier":
        """Learn classes from ``X`` (n, d); ``y`` is ignored (present for scikit-learn pipelines)."""
        self._check_params()
        seed = self._seed(self.random_state)
        X = self._validate_X(X, reset=True)
        self._check_sizes(len(X))
        Xs = self._fit_scaler(X, seed)
        start = time.perf_counter()
        exact = NEIGHBOR_SEARCHES[self.neighbor_search]
        dist, neighbors = knn(Xs, int(self.n_neighbors), metric=self.metric, exact=exact, random_state=seed)
        self._warn_duplicates(dist)
        if not searches_exactly(len(Xs), exact):
            self._check_neighbor_recall(Xs, neighbors, seed)
        device = resolve_device(self.device)
        data = _PairData(torch.from_numpy(Xs), torch.from_numpy(neighbors), self.metric, device, seed)
        if self.loss == "minmax_scan":
            near = 1.0 / int(self.n_classes)
            data.far_radius = torch.from_numpy(near_radius(Xs, near, self.metric, random_state=seed)).to(device)
            data.far = torch.from_numpy(sample_far(Xs, 1, self.metric, near_fraction=near, random_state=seed))

        K, H = int(self.n_classes), int(self.n_heads)
        loss = build_loss(self.loss, "clustering", **self._loss_params())
        self.timings_ = {"neighbors": time.perf_counter() - start, "init": 0.0, "training": 0.0, "refinement": 0.0}
        train_idx, val_idx = self._split(len(Xs), seed)
        rows = {"row": torch.from_numpy(train_idx)}
        val = None if val_idx is None else {"row": torch.from_numpy(val_idx)}
        stages = [f"restart{r}" for r in range(int(self.n_init))] if self.n_init > 1 else [""]
        embedding = None
        if self._spectral_start(len(Xs)) and not all(map(self._resumes, stages)):
            start = time.perf_counter()
            embedding = spectral_embedding_of(neighbors, K, random_state=seed)
            self.timings_["init"] += time.perf_counter() - start
        n_refined = min(H, REFINE_MAX_ELEMENTS // (len(Xs) * neighbors.shape[1] * K)) if int(self.refinement_steps) > 0 else 0
        self.refined_ = n_refined > 0
        if int(self.refinement_steps) > 0 and n_refined < H:
            logger.info("graph refinement of %d of %d heads: %d samples × %d neighbours × %d classes per head, budget REFINE_MAX_ELEMENTS",
                        n_refined, H, len(Xs), neighbors.shape[1], K)
        self.restart_losses_: list[float] = []
        best, diverged = None, None
        for restart, (run_seed, stage) in enumerate(zip(_run_seeds(seed, int(self.n_init)), stages)):
            try:
                net, history = self._fit_restart(Xs.shape[1], embedding, data, loss, rows, val, run_seed, stage)
            except TrainingDivergedError as exc:  # counts as an infinite loss, as a diverged head does
                diverged = exc
                self.restart_losses_.append(float("inf"))
                if int(self.n_init) > 1:
                    warnings.warn(f"run {restart} of n_init={self.n_init} diverged ({exc}); it counts as an infinite loss", UserWarning, stacklevel=2)
                continue
            if self.refined_:
                start = time.perf_counter()
                head_losses, refined = self._refine_on_graph(net, data, loss, H, K, n_refined)
                self.timings_["refinement"] += time.perf_counter() - start
            else:
                head_losses, refined = self._head_losses(net, data, loss, H, K), None
            self.restart_losses_.append(min(head_losses))
            if self.restart_losses_[-1] < min([np.inf, *self.restart_losses_[:-1]]):  # finite, and the lowest so far
                best, self.best_restart_, self.head_losses_ = (net, history, run_seed, refined), restart, head_losses
        if best is None:
            raise diverged or TrainingDivergedError(
                f"the clustering loss of every head is not finite (learning_rate={self.learning_rate:g}); "
                "lower learning_rate or check the inputs for extreme values"
            )
        net, history, run_seed, refined = best
        self.n_epochs_, self.history_ = history.n_epochs, history.epochs
        self.best_head_ = int(np.argmin(self.head_losses_))
        self.net_ = self._keep_head(net, self.best_head_, K)
        if refined is not None:
            start = time.perf_counter()
            self._fit_towards(self.net_, data, refined[:, self.best_head_, None].numpy(), run_seed + 4)  # predict carries labels_
            self.timings_["refinement"] += time.perf_counter() - start
        if self.self_labeling_epochs > 0:
            data.reseed(run_seed + 1)  # the kept run's own streams, whatever ran after it
            self._self_label(data, run_seed)
        self.net_.eval()
        self.classes_ = np.arange(K)
        self.labels_ = self.predict_proba_scaled(Xs).argmax(axis=1)
        return self

    def _fit_restart(
        self, n_inputs: int, embedding: np.ndarray | None, data: "_PairData", loss: torch.nn.Module,
        rows: dict[str, torch.Tensor], val: dict[str, torch.Tensor] | None, seed: int, stage: str,
    ) -> tuple[Network, History]:
        """One clustering run from its own start (network initialisation, spectral partitions, pair sampling)."""
        K, H = int(self.n_classes), int(self.n_heads)
        net = self._build_network({"encoder": self._encoder_spec(n_inputs), "head": {"type": "linear", "out_features": K * H}}, seed)
        data.reseed(seed)
        if embedding is not None and not self._resumes(stage):  # a resumed run's checkpoint overwrites its start
            start = time.perf_counter()
            self._fit_partitions(net, data, spectral_partitions(embedding, K, n_partitions=H, random_state=seed), seed)
            self.timings_["init"] += time.perf_counter() - start

        def loss_fn(batch: dict[str, torch.Tensor]) -> torch.Tensor:
            return loss(*data.pair_logits(net, batch["row"], H, K))

        start = time.perf_counter()
        history = self._train(
            torch.nn.ModuleDict({"net": net, "loss": loss}), loss_fn, rows, val, seed, callbacks=[data], stage=stage,
            fingerprint_data={"X": data.X, "neighbors": data.neighbors},  # the rows index these: a resume needs the same
        )
        self.timings_["training"] += time.perf_counter() - start
        return net, history

    def _spectral_start(self, n: int) -> bool:
        return self.init == "spectral" or (self.init == "auto" and n <= SPECTRAL_MAX_ROWS)

    def _fit_partitions(self, net: Network, data: "_PairData", labels: np.ndarray, seed: int) -> None:
        """The spectral start of the clustering phase: each head towards its own partition ``labels[:, h]``."""
        self._fit_towards(net, data, labels, seed + 3)

    def _fit_towards(self, net: Network, data: "_PairData", labels: np.ndarray, seed: int) -> None:
        """Cross-entropy of head h towards ``labels[:, h]`` (n, H) for about 100 steps, at least one epoch."""
        targets = torch.from_numpy(labels).to(data.device)
        H = labels.shape[1]

        def loss_fn(batch: dict[str, torch.Tensor]) -> torch.Tensor:
            rows = batch["row"]
            logits = net(data.inputs(rows)).view(len(rows), H, -1)
            return F.cross_entropy(logits.flatten(0, 1), targets[rows].flatten())

        epochs = math.ceil(_INIT_STEPS / math.ceil(len(labels) / int(self.batch_size)))
        self._cross_entropy_phase(net, loss_fn, torch.arange(len(labels)), epochs, seed)

    def _cross_entropy_phase(self, net: Network, loss_fn: Any, rows: torch.Tensor, epochs: int, seed: int) -> History:
        """A fixed number of epochs of ``loss_fn`` over ``rows`` (no early stopping, no checkpoint)."""
        config = self._training_config(seed)
        config.max_epochs, config.patience = int(epochs), None
        history = Trainer(net, loss_fn, config).fit({"row": rows})
        net.to("cpu")
        return history

    def _loss_params(self) -> dict[str, float]:
        params = {"entropy_weight": float(self.entropy_weight)}
        if self.loss == "minmax_scan":
            params["far_weight"] = float(self.far_weight)
        return params

    def _warn_duplicates(self, dist: np.ndarray) -> None:
        """Warn when many samples' k nearest neighbours are all exact copies (distance 0 up to float32 rounding:
        1-cos of two copies comes out up to ~2e-7, so a copy is a distance below 1e-6, or 1e-5 of the median)."""
        tolerance = max(1e-6, 1e-5 * float(np.median(dist[:, -1])))
        share = float(np.mean(dist[:, -1] <= tolerance))
        if share > _DUPLICATE_WARN:
            warnings.warn(
                f"{share:.0%} of the samples have only exact duplicates among their {dist.shape[1]} nearest neighbours, "
                "so their neighbourhoods carry no information; drop duplicate rows (e.g. np.unique(X, axis=0)) or "
                "raise n_neighbors above the number of copies",
                UserWarning,
                stacklevel=3,
            )

    @torch.no_grad()
    def _head_losses(self, net: Network, data: "_PairData", loss: torch.nn.Module, H: int, K: int) -> list[float]:
        """Each head's loss on all samples, each paired with its nearest neighbour (and, for minmax_scan, one far sample)."""
        n = len(data.X)
        logits = torch.from_numpy(self._network_outputs(data.X.numpy(), net=net)).view(n, H, K)
        mean_p = torch.zeros(H, K)
        pull = torch.zeros(H)
        push = torch.zeros(H)
        for s in range(0, n, _SCORE_CHUNK):
            chunk = logits[s : s + _SCORE_CHUNK]
            mean_p += F.softmax(chunk, dim=-1).sum(dim=0)
            pull -= log_similarity(chunk, logits[data.neighbors[s : s + _SCORE_CHUNK, 0]]).sum(dim=0)
            if data.far is not None:
                sim = log_similarity(chunk, logits[data.far[s : s + _SCORE_CHUNK, 0]]).exp().clamp_max(1 - 1e-6)
                push -= torch.log1p(-sim).sum(dim=0)
        mean_p = (mean_p / n).clamp_min(1e-8)
        entropy = -(mean_p * mean_p.log()).sum(dim=-1)
        total = (pull + float(self.far_weight) * push) / n - float(self.entropy_weight) * entropy
        return [float(v) if math.isfinite(v) else math.inf for v in total.tolist()]  # a diverged head is never kept

    def _refine_on_graph(
        self, net: Network, data: "_PairData", loss: torch.nn.Module, H: int, K: int, n_refined: int
    ) -> tuple[list[float], torch.Tensor]:
        """Each head's SCAN loss over all neighbour pairs, minimised over free per-sample logits from the
        network's outputs; returns the refined losses and classes ``(n, H)``.

        With ``n_refined < H`` only the heads of lowest network loss are refined; the others get an
        infinite loss (never kept) and their network classes.
        """
        n = data.neighbors.shape[0]
        logits = torch.from_numpy(self._network_outputs(data.X.numpy(), net=net)).view(n, H, K)
        heads = np.arange(H) if n_refined >= H else np.argsort(self._head_losses(net, data, loss, H, K), kind="stable")[:n_refined]
        refined, table = refine_on_graph(logits[:, heads], data.neighbors, float(self.entropy_weight), int(self.refinement_steps))
        losses = [math.inf] * H
        classes = logits.argmax(dim=-1)
        for position, head in enumerate(heads.tolist()):
            losses[head] = refined[position] if math.isfinite(refined[position]) else math.inf
        classes[:, torch.from_numpy(heads)] = table.argmax(dim=-1)
        return losses, classes

    def _keep_head(self, net: Network, head: int, K: int) -> Network:
        """A network with only head ``head``'s K outputs (what is saved and predicts)."""
        spec = copy.deepcopy(self.network_spec_)
        spec["head"]["out_features"] = K
        with torch.random.fork_rng(devices=[]):  # its initial weights are overwritten: leave the user's torch RNG alone
            new_head = build_head({"in_features": net.head.in_features, **spec["head"]})
        with torch.no_grad():
            new_head.weight.copy_(net.head.weight[head * K : (head + 1) * K])
            new_head.bias.copy_(net.head.bias[head * K : (head + 1) * K])
        self.network_spec_ = spec
        return Network(net.encoder, new_head)

    def _self_label(self, data: "_PairData", seed: int) -> None:
        """Class-balanced cross-entropy on the confident samples' classes, fixed after the clustering phase.

        SCAN's self-labelling step, with a random neighbour of each confident
        sample standing in for the strong augmentation.
        """
        net, K = self.net_, int(self.n_classes)
        proba = self.predict_proba_scaled(data.X.numpy())
        confident = proba.max(axis=1) >= float(self.confidence_threshold)
        targets = torch.from_numpy(proba.argmax(axis=1))
        counts = np.bincount(targets.numpy()[confident], minlength=K)
        logger.info("self-labelling on %d confident samples (per class %s)", int(confident.sum()), counts.tolist())
        if counts.min() == 0:
            logger.warning("self-labelling skipped: classes %s have no sample with probability ≥ %s", np.flatnonzero(counts == 0).tolist(), self.confidence_threshold)
            return
        weight = torch.from_numpy(1.0 / counts).float().to(data.device)
        targets = targets.to(data.device)

        def loss_fn(batch: dict[str, torch.Tensor]) -> torch.Tensor:
            anchors, partners = data.anchor_neighbor(batch["row"])
            logits = net(torch.cat([anchors, partners]))
            return F.cross_entropy(logits, targets[batch["row"]].repeat(2), weight=weight)

        history = self._cross_entropy_phase(net, loss_fn, torch.from_numpy(np.flatnonzero(confident)), int(self.self_labeling_epochs), seed + 1)
        self.history_ = self.history_ + history.epochs
        self.n_epochs_ += history.n_epochs

    # -- prediction --------------------------------------------------------
    def predict_proba_scaled(self, Xs: np.ndarray) -> np.ndarray:
        """Class probabilities of already-scaled inputs (n, n_classes)."""
        return torch.softmax(torch.from_numpy(self._network_outputs(Xs)), dim=1).numpy()

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n, n_classes); rows sum to 1."""
        return self.predict_proba_scaled(self._transform_inputs(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row (ints in ``classes_``)."""
        return self.predict_proba(X).argmax(axis=1)

    # -- persistence -------------------------------------------------------
    #: parameters added after the first saved models, with the value those models were trained with
    _legacy_params = {"init": "random", "n_init": 1, "refinement_steps": 0, "neighbor_search": "auto"}

    def _extra_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        state = {"best_head": self.best_head_, "head_losses": _json_losses(self.head_losses_)}
        return {**state, "best_restart": self.best_restart_, "restart_losses": _json_losses(self.restart_losses_), "refined": self.refined_}, {}

    def _set_extra_state(self, config: dict[str, Any], tensors: dict[str, np.ndarray]) -> None:
        self.best_head_ = int(config["best_head"])
        self.head_losses_ = _loaded_losses(config["head_losses"])
        # models saved before n_init existed ran once
        self.best_restart_ = int(config.get("best_restart", 0))
        self.restart_losses_ = _loaded_losses(config.get("restart_losses", [min(self.head_losses_)]))
        self.refined_ = bool(config.get("refined", False))  # models saved before the graph refinement had none
        self.classes_ = np.arange(int(self.network_spec_["head"]["out_features"]))  # the fitted K, whatever n_classes is now


def refine_on_graph(logits: torch.Tensor, neighbors: torch.Tensor, entropy_weight: float, steps: int) -> tuple[list[float], torch.Tensor]:
    """The graph refinement: ``steps`` full-batch Adam steps (learning rate 0.05) on free per-sample logits.

    Minimises :func:`~weaklabel.losses.clustering.neighborhood_scan_loss` over every (sample, neighbour)
    pair of ``neighbors`` (n, k), starting from ``logits`` (n, H, K). Returns each head's loss at the end
    and the refined logits (detached).
    """
    table = logits.clone().requires_grad_()
    optimizer = torch.optim.Adam([table], lr=_REFINE_LR)
    for _ in range(int(steps)):
        step_loss = neighborhood_scan_loss(table, neighbors, float(entropy_weight), reduction="none")
        optimizer.zero_grad(set_to_none=True)
        step_loss.sum().backward()
        optimizer.step()
    with torch.no_grad():
        return neighborhood_scan_loss(table, neighbors, float(entropy_weight), reduction="none").tolist(), table.detach()


def _json_losses(losses: list[float]) -> list[float | None]:
    """Losses for the saved JSON, which has no infinity: a diverged head or run is ``None``."""
    return [v if math.isfinite(v) else None for v in losses]


def _loaded_losses(values: list[float | None]) -> list[float]:
    return [math.inf if v is None else float(v) for v in values]


def _run_seeds(seed: int, n_init: int) -> list[int]:
    """Seeds of the ``n_init`` clustering runs: ``seed`` itself first (so ``n_init=1`` is the plain fit), then
    independent streams spawned from it (no two (seed, run) pairs share one)."""
    return [seed] + spawn_seeds(seed, n_init - 1)


class _PairData(Callback):
    """Scaled inputs, the neighbour table and (min-max) each row's far radius; assembles training batches.

    A training callback only for its state: the neighbour-sampling generator is checkpointed with the trainer.
    """

    def __init__(self, X: torch.Tensor, neighbors: torch.Tensor, metric: str, device: torch.device, seed: int) -> None:
        self.X, self.neighbors, self.metric, self.device = X, neighbors, metric, device
        self.far: torch.Tensor | None = None  # (n, 1) far samples for scoring heads
        self.far_radius: torch.Tensor | None = None  # (n,) distance beyond which a row is far
        self._X = X.to(device)
        self._neighbors = neighbors.to(device)
        self.reseed(seed)

    def reseed(self, seed: int) -> None:
        """A fresh pair-sampling generator (one per clustering run)."""
        self.generator = torch_generator(seed + 2, self.device)

    def state_dict(self) -> dict[str, Any]:
        return {"generator": self.generator.get_state()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.generator.set_state(state["generator"])

    def inputs(self, rows: torch.Tensor) -> torch.Tensor:
        return self._X[rows]

    def anchor_neighbor(self, rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs of the anchors and of one random neighbour each."""
        col = torch.randint(self._neighbors.shape[1], (len(rows),), generator=self.generator, device=self.device)
        return self._X[rows], self._X[self._neighbors[rows, col]]

    def far_mask(self, x: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        """``m_ij = d(x_i, x_j) > radius_i`` over the batch, in the metric of the neighbour search."""
        if self.metric == "cosine":
            u = F.normalize(x, dim=1)
            dist = 1.0 - u @ u.T
        else:
            dist = torch.cdist(x, x)
        return dist > self.far_radius[rows, None]

    def pair_logits(self, net: torch.nn.Module, rows: torch.Tensor, H: int, K: int) -> list[torch.Tensor]:
        """Loss inputs: logits (b, H, K) of the anchors and of one random neighbour each, plus the far mask for min-max."""
        anchors, partners = self.anchor_neighbor(rows)
        logits = net(torch.cat([anchors, partners])).view(2, len(rows), H, K)
        out = list(logits.unbind(0))
        if self.far_radius is not None:
            out.append(self.far_mask(anchors, rows))
        return out
