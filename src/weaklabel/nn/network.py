"""A network = encoder + head, built from a JSON-able spec."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from .encoders import build_encoder
from .ensemble import ProbabilityEnsemble
from .heads import build_head

#: builders of networks that are not ``encoder + head``, keyed by the one top-level key of their spec
_NETWORK_KINDS: dict[str, Callable[[dict[str, Any]], nn.Module]] = {}


def register_network_kind(key: str) -> Callable[[Callable[[dict[str, Any]], nn.Module]], Callable[[dict[str, Any]], nn.Module]]:
    """Decorator: ``build_network({key: params})`` calls the decorated ``builder(params)``.

    A module that defines a network of its own shape (say, K members stacked in one tensor) registers it here, so
    that this module, which every model directory's spec goes through, needs no import of it.
    """

    def decorate(builder: Callable[[dict[str, Any]], nn.Module]) -> Callable[[dict[str, Any]], nn.Module]:
        _NETWORK_KINDS[key] = builder
        return builder

    return decorate


class Network(nn.Module):
    """``head(encoder(x))``; ``embed`` returns the encoder's features."""

    def __init__(self, encoder: nn.Module, head: nn.Module) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = head

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Encoder features of ``x``."""
        return self.encoder(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Scores of ``x``, one per label or class."""
        return self.head(self.encoder(x))


def ensemble_spec(member: dict[str, Any], size: int) -> dict[str, Any]:
    """The spec of a :class:`ProbabilityEnsemble` of ``size`` networks built from ``member``."""
    return {"ensemble": {"size": int(size), "member": member}}


def build_network(spec: dict[str, Any]) -> nn.Module:
    """Build ``Network`` from ``{"encoder": {...}, "head": {...}}``, a :class:`ProbabilityEnsemble`
    from :func:`ensemble_spec`'s ``{"ensemble": {"size": M, "member": {...}}}``, or K MLPs trained at once
    and averaged, :class:`~weaklabel.nn.batched.MemberAverage`, from :func:`~weaklabel.nn.batched.averaged_spec`
    (any kind registered with :func:`register_network_kind`).

    The head's ``in_features`` is filled in from the encoder's ``out_features``.
    """
    registered = [key for key in spec if key in _NETWORK_KINDS]
    if registered:
        return _NETWORK_KINDS[registered[0]](spec[registered[0]])
    if "ensemble" in spec:
        ensemble = spec["ensemble"]
        return ProbabilityEnsemble([build_network(ensemble["member"]) for _ in range(int(ensemble["size"]))])
    encoder = build_encoder(spec["encoder"])
    head = build_head({"in_features": encoder.out_features, **spec["head"]})
    return Network(encoder, head)
