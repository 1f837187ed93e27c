"""Encoders, heads and the network that joins them."""

from .encoders import MLPEncoder, build_encoder, register_encoder
from .heads import LinearHead, build_head, register_head
from .network import Network, build_network
from . import conv  # noqa: F401  (registers the "conv" encoder)

__all__ = [
    "LinearHead",
    "MLPEncoder",
    "Network",
    "build_encoder",
    "build_head",
    "build_network",
    "register_encoder",
    "register_head",
]
