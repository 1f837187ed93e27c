"""Peer methods the benchmarks compare against, scikit-learn style: ML-kNN and binary relevance."""

from .binary_relevance import BinaryRelevance
from .mlknn import MLkNN

__all__ = ["BinaryRelevance", "MLkNN"]
