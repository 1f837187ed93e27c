"""Every data set built into weaklabel, in one place (nothing is downloaded).

Standard multi-label sets (Mulan / MEKA collection, shipped as package data, checksummed):

>>> from weaklabel.datasets import list_datasets, load_multilabel, load_yeast
>>> list_datasets()
['yeast', 'scene', 'emotions', 'bibtex', 'tmc2007']
>>> yeast = load_yeast()                      # all rows; .split says "train"/"test" per row
>>> X_train, X_test, Y_train, Y_test = yeast.train_test()   # the source's 1,500/917 split

Generators and other tables: :func:`make_sparse_multilabel` (sparse labels with a known Bayes
rule, :func:`bayes_rule`), :func:`make_multidigits` (canvases of scikit-learn digits),
:func:`load_movies` (``ggplot2movies``, needs the ``bench`` extra).
Provenance and citations of the standard sets: ``weaklabel/datasets/files/README.md``.
"""

from ..data.datasets import Dataset, bayes_rule, load_movies, make_sparse_multilabel
from ..data.multidigits import make_multidigits
from ._standard import (
    SPLIT_SEED,
    MultiLabelDataset,
    dataset_path,
    list_datasets,
    load_bibtex,
    load_emotions,
    load_multilabel,
    load_scene,
    load_tmc2007,
    load_yeast,
)

__all__ = [
    "Dataset",
    "MultiLabelDataset",
    "SPLIT_SEED",
    "bayes_rule",
    "dataset_path",
    "list_datasets",
    "load_bibtex",
    "load_emotions",
    "load_movies",
    "load_multilabel",
    "load_scene",
    "load_tmc2007",
    "load_yeast",
    "make_multidigits",
    "make_sparse_multilabel",
]
