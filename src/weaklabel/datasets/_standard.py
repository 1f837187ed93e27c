"""The five standard multi-label sets shipped as package data (yeast, scene, emotions, bibtex, tmc2007).

Each file's SHA-256 is checked before it is read: a damaged or replaced file is an
:class:`~weaklabel.exceptions.InputError` naming the set and the fix, never wrong data.
Provenance and citations: ``files/README.md`` beside the data.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np

from ..data.datasets import Dataset
from ..exceptions import InputError

#: seed of the fixed 80/20 split of the sets whose source has none
SPLIT_SEED = 0
#: test share of that split
TEST_FRACTION = 0.2

Subset = Literal["all", "train", "test"]
SUBSETS = ("all", "train", "test")


@dataclass(frozen=True)
class _Source:
    sha256: str
    domain: str
    citation: str


_SOURCES: dict[str, _Source] = {
    "yeast": _Source(
        "9d9e1247e66ec3e68a212390badf188e95577985b292a0cc121765e84e3fa469",
        "gene function classes from micro-array expression and phylogenetic profiles",
        'A. Elisseeff and J. Weston, "A kernel method for multi-labelled classification", NIPS 14, 2001.',
    ),
    "scene": _Source(
        "ded170869505a2e1e5c07db26dcfcff715a1f19a487d4dc86849c5ac32bdc97f",
        "natural-scene image classes from colour moments",
        'M. R. Boutell, J. Luo, X. Shen and C. M. Brown, "Learning multi-label scene classification", '
        "Pattern Recognition 37(9), 2004.",
    ),
    "emotions": _Source(
        "5b5fc3d1fbb48be63a18756a98d22eb54c3a64e6776873cd8722e7303fe4b841",
        "emotions evoked by music, from rhythm and timbre features",
        'K. Trohidis, G. Tsoumakas, G. Kalliris and I. Vlahavas, "Multi-label classification of music into '
        'emotions", ISMIR 2008.',
    ),
    "bibtex": _Source(
        "9d4895d6bf656763a7bf8b4c20b065c90e4469b0067ae35510e9efbde3cb31fe",
        "BibSonomy publication tags from binary word features",
        'I. Katakis, G. Tsoumakas and I. Vlahavas, "Multilabel text classification for automated tag '
        'suggestion", ECML/PKDD 2008 Discovery Challenge.',
    ),
    "tmc2007": _Source(
        "8c54ce36b3ff2392c0fb44ecb545f79cb0dc3abc6fa78e4245582966d4b0fede",
        "aviation safety report categories from binary word features (500-word version)",
        'A. N. Srivastava and B. Zane-Ulman, "Discovering recurring anomalies in text reports regarding '
        'complex space systems", IEEE Aerospace Conference, 2005.',
    ),
}


@dataclass
class MultiLabelDataset(Dataset):
    """A standard multi-label set: :class:`~weaklabel.data.Dataset` plus its name, split and citation.

    ``split`` holds ``"train"`` or ``"test"`` per row: the source's split where it has one
    (``split_origin == "source"``), else the fixed seeded 80/20 split (:data:`SPLIT_SEED`).
    """

    name: str = ""
    split: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    split_origin: str = ""
    citation: str = ""

    def subset(self, part: Subset) -> MultiLabelDataset:
        """The rows of ``part`` ("train", "test" or "all")."""
        _check_subset(part)
        if part == "all":
            return self
        rows = self.split == part
        return MultiLabelDataset(
            X=self.X[rows], Y=self.Y[rows], feature_names=self.feature_names, label_names=self.label_names,
            description=self.description, name=self.name, split=self.split[rows], split_origin=self.split_origin,
            citation=self.citation,
        )

    def train_test(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``X_train, X_test, Y_train, Y_test`` on the set's split (scikit-learn's ``train_test_split`` order)."""
        train, test = self.subset("train"), self.subset("test")
        return train.X, test.X, train.Y, test.Y


def list_datasets() -> list[str]:
    """Names of the standard multi-label sets shipped with weaklabel."""
    return list(_SOURCES)


def _check_subset(subset: str) -> None:
    if subset not in SUBSETS:
        raise InputError(f"unknown subset {subset!r}; choose one of {', '.join(SUBSETS)}")


def dataset_path(name: str) -> Path:
    """Where the packaged ``.npz`` of set ``name`` lies (whether or not it is intact)."""
    if name not in _SOURCES:
        raise InputError(f"unknown data set {name!r}; available: {', '.join(_SOURCES)}")
    return Path(str(resources.files(__package__).joinpath("files", f"{name}.npz")))


def _verified_bytes(name: str) -> bytes:
    """The file of set ``name``, refused unless its SHA-256 is the one recorded here."""
    path = dataset_path(name)
    fix = "reinstall weaklabel (pip install --force-reinstall weaklabel), or in a clone restore it with git checkout -- " + (
        f"src/weaklabel/datasets/files/{name}.npz"
    )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"the packaged data set {name!r} cannot be read ({path}: {exc.strerror or exc}); {fix}") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != _SOURCES[name].sha256:
        raise InputError(
            f"the packaged data set {name!r} is damaged ({path} has SHA-256 {digest[:12]}…, expected "
            f"{_SOURCES[name].sha256[:12]}…); {fix}"
        )
    return data


def _seeded_split(n: int) -> np.ndarray:
    """``"train"``/``"test"`` per row: the first ``round(0.2 n)`` rows of a seed-0 permutation are the test part."""
    split = np.full(n, "train", dtype=object)
    split[np.random.default_rng(SPLIT_SEED).permutation(n)[: int(round(TEST_FRACTION * n))]] = "test"
    return split


def load_multilabel(name: str, subset: Subset = "all") -> MultiLabelDataset:
    """Load standard multi-label set ``name`` (see :func:`list_datasets`), all rows or one ``subset``.

    Returns a :class:`MultiLabelDataset`: ``X`` (n, d) float32, ``Y`` (n, L) 0/1 float32, ``label_names``,
    ``feature_names`` (``x0``, ``x1``, ...: the files keep none), ``split`` (``"train"``/``"test"`` per row:
    the source's for yeast and scene, else a fixed 80/20 split drawn with seed 0), ``description`` and ``citation``.
    """
    _check_subset(subset)
    with np.load(io.BytesIO(_verified_bytes(name)), allow_pickle=False) as archive:
        X = archive["X"].astype(np.float32)
        Y = archive["Y"].astype(np.float32)
        labels = [str(label) for label in archive["labels"]]
        source_split = archive["split"]
    if (source_split >= 0).all():
        split, origin = np.where(source_split == 0, "train", "test").astype(object), "source"
    else:
        split, origin = _seeded_split(len(X)), f"seeded {round(100 * (1 - TEST_FRACTION))}/{round(100 * TEST_FRACTION)}, seed {SPLIT_SEED}"
    source = _SOURCES[name]
    n_train, n_test = int((split == "train").sum()), int((split == "test").sum())
    data = MultiLabelDataset(
        X=X,
        Y=Y,
        feature_names=[f"x{j}" for j in range(X.shape[1])],
        label_names=labels,
        description=(
            f"{name}: {source.domain}; {len(X)} items × {X.shape[1]} features, {Y.shape[1]} labels "
            f"({Y.sum(axis=1).mean():.2f} per item); split {n_train}/{n_test} ({origin})"
        ),
        name=name,
        split=split,
        split_origin=origin,
        citation=source.citation,
    )
    return data.subset(subset)


def load_yeast(subset: Subset = "all") -> MultiLabelDataset:
    """Yeast gene functions (Elisseeff & Weston 2001): 2,417 × 103, 14 labels, source split 1,500/917."""
    return load_multilabel("yeast", subset)


def load_scene(subset: Subset = "all") -> MultiLabelDataset:
    """Natural scenes (Boutell et al. 2004): 2,407 × 294, 6 labels, source split 1,211/1,196."""
    return load_multilabel("scene", subset)


def load_emotions(subset: Subset = "all") -> MultiLabelDataset:
    """Music emotions (Trohidis et al. 2008): 593 × 72, 6 labels; seeded 80/20 split."""
    return load_multilabel("emotions", subset)


def load_bibtex(subset: Subset = "all") -> MultiLabelDataset:
    """BibSonomy tags (Katakis et al. 2008): 7,395 × 1,836 binary words, 159 labels; seeded 80/20 split."""
    return load_multilabel("bibtex", subset)


def load_tmc2007(subset: Subset = "all") -> MultiLabelDataset:
    """Aviation safety reports (Srivastava & Zane-Ulman 2005): 28,596 × 500 binary words, 22 labels; seeded 80/20 split."""
    return load_multilabel("tmc2007", subset)
