"""Encoders, heads, the network that joins them, and ensembles of networks."""

from . import (
    batched,  # noqa: F401  (registers the "averaged_mlp" network kind)
    conv,  # noqa: F401  (registers the "conv" encoder)
    label_embedding,  # noqa: F401  (registers the "label_embedding" head)
)
from .encoders import MLPEncoder, build_encoder, register_encoder
from .ensemble import ProbabilityEnsemble
from .heads import LinearHead, build_head, register_head
from .network import Network, build_network, ensemble_spec, register_network_kind

__all__ = [
    "LinearHead",
    "MLPEncoder",
    "Network",
    "ProbabilityEnsemble",
    "build_encoder",
    "build_head",
    "build_network",
    "ensemble_spec",
    "register_encoder",
    "register_head",
    "register_network_kind",
]
