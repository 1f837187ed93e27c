"""Heads: map encoder features to one score per label or class."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch import nn

from ..exceptions import InputError

_HEADS: dict[str, Callable[..., nn.Module]] = {}


def register_head(name: str) -> Callable[[type[nn.Module]], type[nn.Module]]:
    """Class decorator: make a head buildable from ``{"type": name, ...}``."""

    def decorate(cls: type[nn.Module]) -> type[nn.Module]:
        _HEADS[name] = cls
        return cls

    return decorate


def build_head(spec: dict[str, Any]) -> nn.Module:
    """Build a head from its spec."""
    spec = dict(spec)
    kind = spec.pop("type")
    if kind not in _HEADS:
        raise InputError(f"unknown head {kind!r}; choose one of {sorted(_HEADS)}")
    return _HEADS[kind](**spec)


@register_head("linear")
class LinearHead(nn.Linear):
    """Affine map to one logit per label: ``z = W f + b``."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        super().__init__(in_features, out_features, bias=bias)
