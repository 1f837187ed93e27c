"""Name → loss registry.

Each loss is a pure function plus a :class:`~weaklabel.losses.Loss` module. The
module class is registered under a name and a family (``"multilabel"``,
``"positive_only"``, ``"clustering"``, ``"metric"``, or any new one: a family is
simply the name its estimator looks losses up by), so estimators and the
command line can build a loss from a string and list what is on offer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ..exceptions import InputError
from ._base import Loss

_M = TypeVar("_M", bound=type[Loss])


@dataclass(frozen=True)
class LossEntry:
    """One registered loss: its name, family and module class."""

    name: str
    family: str
    module: type[Loss]

    @property
    def summary(self) -> str:
        """First line of the module's docstring."""
        doc = (self.module.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""


_REGISTRY: dict[tuple[str, str], LossEntry] = {}


def register_loss(name: str, family: str) -> Callable[[_M], _M]:
    """Class decorator: register a :class:`~weaklabel.losses.Loss` subclass under ``(family, name)``."""

    def decorate(cls: _M) -> _M:
        if not (isinstance(cls, type) and issubclass(cls, Loss)):
            raise TypeError(f"loss {name!r} must be a subclass of weaklabel.losses.Loss, which declares what it needs")
        key = (family, name)
        if key in _REGISTRY:
            raise ValueError(f"loss {name!r} is already registered in family {family!r}")
        _REGISTRY[key] = LossEntry(name=name, family=family, module=cls)
        return cls

    return decorate


def families() -> list[str]:
    """The loss families registered so far, sorted."""
    return sorted({family for family, _ in _REGISTRY})


def available_losses(family: str) -> list[str]:
    """Names of the losses registered in ``family``, sorted."""
    return sorted(name for fam, name in _REGISTRY if fam == family)


def get_loss_entry(name: str, family: str) -> LossEntry:
    """The registry entry for ``name`` in ``family``; a clear error if unknown."""
    try:
        return _REGISTRY[(family, name)]
    except KeyError:
        known = ", ".join(repr(n) for n in available_losses(family))
        raise InputError(
            f"unknown {family.replace('_', '-')} loss {name!r}; choose one of {known}"
        ) from None


def build_loss(name: str, family: str, **kwargs: Any) -> Loss:
    """Instantiate the loss module registered as ``name`` in ``family``."""
    return get_loss_entry(name, family).module(**kwargs)
