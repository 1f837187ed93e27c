"""The network methods of SelfSupervisedClassifier: SCAN and min-max SCAN on given features.

Method (Van Gansbeke et al., "SCAN: Learning to Classify Images without
Labels", ECCV 2020, on given features instead of a pretext network):

1. mine each scaled sample's ``n_neighbors`` nearest neighbours
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

:class:`ScanFitting` holds these steps for :class:`~weaklabel.estimators.SelfSupervisedClassifier`
(``method="minmax_scan"`` or ``"scan"``), which reads its parameters.
"""

from __future__ import annotations

import copy
import logging
import math
import time
import warnings
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ..algorithms.graph_refinement import refine_heads
from ..algorithms.pair_sampling import PairSampler
from ..data.graph import SPECTRAL_MAX_ROWS, spectral_embedding_of, spectral_partitions
from ..data.neighbors import knn, near_radius, neighbor_recall, sample_far, searches_exactly
from ..exceptions import TrainingDivergedError
from ..losses import Loss, build_loss, get_loss_entry
from ..losses.clustering import scan_objective
from ..nn import Network, build_head
from ..runtime import resolve_device, spawn_seeds, stream_seed
from ..training import History, NetworkProgress, Trainer

logger = logging.getLogger("weaklabel")

INITS = ("auto", "spectral", "random")
#: ``neighbor_search`` → :func:`~weaklabel.data.neighbors.knn`'s ``exact``
NEIGHBOR_SEARCHES = {"auto": None, "exact": True, "approximate": False}
#: below this recall of an approximate neighbour search, measured on ``_RECALL_QUERIES`` rows, the fit warns
MIN_NEIGHBOR_RECALL = 0.9
_RECALL_QUERIES = 256
_INIT_STEPS = 100  # at least this many cross-entropy steps towards the spectral partition (and at least one epoch)
_DUPLICATE_WARN = 0.05  # warn when more than this share of samples has only exact duplicates as neighbours
#: the graph refinement's budget of ``n × n_neighbors × n_classes × refined heads`` values per step, which bounds
#: both its memory (16 MB per float32 tensor; the autograd graph keeps a few) and its time (digits, 1.8 M values
#: with every head: about 2.5 s for 150 steps on 2 cores)
REFINE_MAX_ELEMENTS = 1 << 22


class ScanFitting:
    """SCAN and min-max SCAN steps (a mixin of SelfSupervisedClassifier, whose parameters they read)."""

    def _fit_scan(self, Xs: np.ndarray, K: int, n_init: int, seed: int) -> None:
        """Fit ``K`` classes to the scaled rows ``Xs`` with ``n_init`` independent runs (see the module docstring);
        sets ``net_``, ``labels_`` and the run's attributes."""
        start = time.perf_counter()
        exact = NEIGHBOR_SEARCHES[self.neighbor_search]
        dist, neighbors = knn(Xs, int(self.n_neighbors), metric=self.metric, exact=exact, random_state=seed)
        self._warn_duplicates(dist)
        if not searches_exactly(len(Xs), exact):
            self._check_neighbor_recall(Xs, neighbors, seed)
        device = resolve_device(self.device)
        data = PairSampler(torch.from_numpy(Xs), torch.from_numpy(neighbors), self.metric, device, run_streams(seed)["pairs"])
        loss_class = self._loss_class()
        if "far_mask" in loss_class.inputs:  # far radii for the batch's far pairs, one far sample for scoring heads
            near = 1.0 / K
            data.far_radius = torch.from_numpy(near_radius(Xs, near, self.metric, random_state=seed)).to(device)
            data.far = torch.from_numpy(sample_far(Xs, 1, self.metric, near_fraction=near, random_state=seed))

        H = int(self.n_heads)
        loss = build_loss(self.method, "clustering", **{name: float(getattr(self, name)) for name in loss_class.supplied})
        self.timings_ = {"neighbors": time.perf_counter() - start, "init": 0.0, "training": 0.0, "refinement": 0.0}
        train_idx, val_idx = self._split(len(Xs), seed)
        rows = {"row": torch.from_numpy(train_idx)}
        val = None if val_idx is None else {"row": torch.from_numpy(val_idx)}
        stages = [f"restart{r}" for r in range(n_init)] if n_init > 1 else [""]
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
        # one bar over the runs when there are several (each run's networks report to it), the usual bars otherwise
        with NetworkProgress(n_init, int(self.verbose) if n_init > 1 else 0, type(self).__name__) as progress:
            for restart, (run_seed, stage) in enumerate(zip(_run_seeds(seed, n_init), stages)):
                progress.next_network()
                try:
                    net, history = self._fit_restart(Xs.shape[1], embedding, data, loss, rows, val, run_seed, stage)
                except TrainingDivergedError as exc:  # counts as an infinite loss, as a diverged head does
                    diverged = exc
                    self.restart_losses_.append(float("inf"))
                    if n_init > 1:
                        warnings.warn(f"run {restart} of n_init={n_init} diverged ({exc}); it counts as an infinite loss", UserWarning, stacklevel=2)
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
            self._fit_towards(self.net_, data, refined[:, self.best_head_, None].numpy(), run_streams(run_seed)["refined"])  # predict carries labels_
            self.timings_["refinement"] += time.perf_counter() - start
        if self.self_labeling_epochs > 0:
            data.reseed(run_streams(run_seed)["self_labelling_pairs"])  # the kept run's own streams, whatever ran after it
            self._self_label(data, run_streams(run_seed)["self_labelling"])
        self.net_.eval()
        self.labels_ = self.predict_proba_scaled(Xs).argmax(axis=1)

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

    def _fit_restart(
        self, n_inputs: int, embedding: np.ndarray | None, data: PairSampler, loss: torch.nn.Module,
        rows: dict[str, torch.Tensor], val: dict[str, torch.Tensor] | None, seed: int, stage: str,
    ) -> tuple[Network, History]:
        """One clustering run from its own start (network initialisation, spectral partitions, pair sampling)."""
        K, H = self.n_classes_, int(self.n_heads)
        net = self._build_network({"encoder": self._encoder_spec(n_inputs), "head": {"type": "linear", "out_features": K * H}}, seed)
        data.reseed(run_streams(seed)["pairs"])
        if embedding is not None and not self._resumes(stage):  # a resumed run's checkpoint overwrites its start
            start = time.perf_counter()
            self._fit_partitions(net, data, spectral_partitions(embedding, K, n_partitions=H, random_state=seed), seed)
            self.timings_["init"] += time.perf_counter() - start

        def loss_fn(batch: dict[str, torch.Tensor]) -> torch.Tensor:
            return loss(*data.loss_inputs(net, batch["row"], type(loss).inputs, H, K))

        start = time.perf_counter()
        history = self._train(
            torch.nn.ModuleDict({"net": net, "loss": loss}), loss_fn, rows, val, seed, callbacks=[data], stage=stage,
            fingerprint_data={"X": data.X, "neighbors": data.neighbors},  # the rows index these: a resume needs the same
        )
        self.timings_["training"] += time.perf_counter() - start
        return net, history

    def _spectral_start(self, n: int) -> bool:
        return self.init == "spectral" or (self.init == "auto" and n <= SPECTRAL_MAX_ROWS)

    def _fit_partitions(self, net: Network, data: PairSampler, labels: np.ndarray, seed: int) -> None:
        """The spectral start of the clustering phase: each head towards its own partition ``labels[:, h]``."""
        self._fit_towards(net, data, labels, run_streams(seed)["spectral_start"], phase="spectral start")

    def _fit_towards(self, net: Network, data: PairSampler, labels: np.ndarray, seed: int, phase: str = "towards the refined classes") -> None:
        """Cross-entropy of head h towards ``labels[:, h]`` (n, H) for about 100 steps, at least one epoch; ``phase``
        names the progress bar."""
        targets = torch.from_numpy(labels).to(data.device)
        H = labels.shape[1]

        def loss_fn(batch: dict[str, torch.Tensor]) -> torch.Tensor:
            rows = batch["row"]
            logits = net(data.inputs(rows)).view(len(rows), H, -1)
            return F.cross_entropy(logits.flatten(0, 1), targets[rows].flatten())

        epochs = math.ceil(_INIT_STEPS / math.ceil(len(labels) / int(self.batch_size)))
        self._cross_entropy_phase(net, loss_fn, torch.arange(len(labels)), epochs, seed, phase)

    def _cross_entropy_phase(self, net: Network, loss_fn: Any, rows: torch.Tensor, epochs: int, seed: int, phase: str) -> History:
        """A fixed number of epochs of ``loss_fn`` over ``rows`` (no early stopping, no checkpoint); its progress
        bar is named ``phase``."""
        config = self._training_config(seed)
        config.max_epochs, config.patience = int(epochs), None
        config.desc = f"{config.desc}, {phase}"
        history = Trainer(net, loss_fn, config).fit({"row": rows})
        net.to("cpu")
        return history

    def _loss_class(self) -> type[Loss]:
        """The class of the ``method``'s loss: its declared inputs say whether far pairs are mined, its supplied arguments which
        of ``entropy_weight`` and ``far_weight`` it takes."""
        return get_loss_entry(self.method, "clustering").module

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
    def _head_losses(self, net: Network, data: PairSampler, loss: torch.nn.Module, H: int, K: int) -> list[float]:
        """Each head's loss on all samples, each paired with its nearest neighbour (and, for a loss with far pairs,
        one far sample): :func:`~weaklabel.losses.clustering.scan_objective`."""
        n = len(data.X)
        logits = torch.from_numpy(self._network_outputs(data.X.numpy(), net=net)).view(n, H, K)
        far = None if data.far is None else data.far[:, 0]
        total = scan_objective(logits, data.neighbors[:, 0], far, float(self.entropy_weight), float(self.far_weight))
        return [float(v) if math.isfinite(v) else math.inf for v in total.tolist()]  # a diverged head is never kept

    def _refine_on_graph(
        self, net: Network, data: PairSampler, loss: torch.nn.Module, H: int, K: int, n_refined: int
    ) -> tuple[list[float], torch.Tensor]:
        """Each head's SCAN loss over all neighbour pairs, minimised over free per-sample logits from the
        network's outputs (:func:`~weaklabel.algorithms.graph_refinement.refine_heads`); returns the refined
        losses and classes ``(n, H)``.

        With ``n_refined < H`` only the heads of lowest network loss are refined; the others get an
        infinite loss (never kept) and their network classes.
        """
        n = data.neighbors.shape[0]
        logits = torch.from_numpy(self._network_outputs(data.X.numpy(), net=net)).view(n, H, K)
        heads = np.arange(H) if n_refined >= H else np.argsort(self._head_losses(net, data, loss, H, K), kind="stable")[:n_refined]
        return refine_heads(logits, data.neighbors, float(self.entropy_weight), int(self.refinement_steps), heads)

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

    def _self_label(self, data: PairSampler, seed: int) -> None:
        """Class-balanced cross-entropy on the confident samples' classes, fixed after the clustering phase.

        SCAN's self-labelling step, with a random neighbour of each confident
        sample standing in for the strong augmentation.
        """
        net, K = self.net_, self.n_classes_
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

        history = self._cross_entropy_phase(net, loss_fn, torch.from_numpy(np.flatnonzero(confident)), int(self.self_labeling_epochs), seed, "self-labelling")
        self.history_ = self.history_ + history.epochs
        self.n_epochs_ += history.n_epochs

    # -- prediction --------------------------------------------------------
    def predict_proba_scaled(self, Xs: np.ndarray) -> np.ndarray:
        """Class probabilities of already-scaled inputs (n, n_classes)."""
        return torch.softmax(torch.from_numpy(self._network_outputs(Xs)), dim=1).numpy()

def _json_losses(losses: list[float]) -> list[float | None]:
    """Losses for the saved JSON, which has no infinity: a diverged head or run is ``None``."""
    return [v if math.isfinite(v) else None for v in losses]


def _loaded_losses(values: list[float | None]) -> list[float]:
    return [math.inf if v is None else float(v) for v in values]


def run_streams(run_seed: int) -> dict[str, int]:
    """The seed of each random stream of a clustering run seeded ``run_seed`` (distinct within a run).

    ``"training"`` (the network's initial weights, the spectral partitions, the clustering phase's dropout and
    shuffles), ``"pairs"`` (which neighbour each row is paired with), ``"spectral_start"``, ``"refined"`` and
    ``"self_labelling"`` (the shuffles and dropout of the cross-entropy phases towards the spectral partitions,
    the refined classes and the confident classes), ``"self_labelling_pairs"`` (the neighbours self-labelling
    trains). The offsets ``+0`` to ``+4`` are those the published figures were measured with; self-labelling's
    pairs had ``+3``, the spectral start's stream, and now have a stream of their own (:func:`stream_seed`).
    """
    return {
        "training": run_seed,
        "self_labelling": run_seed + 1,
        "pairs": run_seed + 2,
        "spectral_start": run_seed + 3,
        "refined": run_seed + 4,
        "self_labelling_pairs": stream_seed(run_seed, "self-labelling pairs"),
    }


def _run_seeds(seed: int, n_init: int) -> list[int]:
    """Seeds of the ``n_init`` clustering runs: ``seed`` itself first (so ``n_init=1`` is the plain fit), then
    independent streams spawned from it (no two (seed, run) pairs share one)."""
    return [seed] + spawn_seeds(seed, n_init - 1)
