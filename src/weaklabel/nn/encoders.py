"""Encoders: map an input batch to a feature vector.

Every encoder is built from a JSON-able spec (``{"type": ..., **kwargs}``), so
a saved model can be rebuilt without executing code from the model file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn

from ..exceptions import InputError

_ENCODERS: dict[str, Callable[..., nn.Module]] = {}


def register_encoder(name: str) -> Callable[[type[nn.Module]], type[nn.Module]]:
    """Class decorator: make an encoder buildable from ``{"type": name, ...}``."""

    def decorate(cls: type[nn.Module]) -> type[nn.Module]:
        _ENCODERS[name] = cls
        return cls

    return decorate


def build_encoder(spec: dict[str, Any]) -> nn.Module:
    """Build an encoder from its spec; the result has an ``out_features`` attribute."""
    spec = dict(spec)
    kind = spec.pop("type")
    if kind not in _ENCODERS:
        raise InputError(f"unknown encoder {kind!r}; choose one of {sorted(_ENCODERS)}")
    return _ENCODERS[kind](**spec)


_NORMS: dict[str, Callable[[int], nn.Module]] = {
    "batch": nn.BatchNorm1d,
    "layer": nn.LayerNorm,
}

_ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
}


@register_encoder("mlp")
class MLPEncoder(nn.Sequential):
    """Multi-layer perceptron: ``[Linear → norm → activation → dropout] × len(hidden_sizes)``.

    With ``hidden_sizes=()`` it is the identity and ``out_features == in_features``
    (a linear model once a head is put on top).
    """

    def __init__(
        self,
        in_features: int,
        hidden_sizes: Sequence[int] = (256, 256),
        norm: str | None = "batch",
        activation: str = "relu",
        dropout: float = 0.0,
    ) -> None:
        if norm is not None and norm not in _NORMS:
            raise InputError(f"unknown norm {norm!r}; choose one of {sorted(_NORMS)} or None")
        if activation not in _ACTIVATIONS:
            raise InputError(f"unknown activation {activation!r}; choose one of {sorted(_ACTIVATIONS)}")
        if not 0.0 <= dropout < 1.0:
            raise InputError(f"dropout must be in [0, 1), got {dropout}")
        layers: list[nn.Module] = []
        width = in_features
        for size in hidden_sizes:
            layers.append(nn.Linear(width, size, bias=norm is None))
            if norm is not None:
                layers.append(_NORMS[norm](size))
            layers.append(_ACTIVATIONS[activation]())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = size
        super().__init__(*layers)
        self.in_features = in_features
        self.out_features = width

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The shape of one input row: ``(in_features,)``."""
        return (self.in_features,)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # noqa: D102 (nn.Sequential)
        return super().forward(x.flatten(1)) if x.ndim > 2 else super().forward(x)
