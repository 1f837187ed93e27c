"""Exceptions raised by weaklabel.

Every error a user can cause derives from :class:`WeaklabelError`, so the
command line can print its message without a traceback. Each message names
the problem and the fix.
"""

from __future__ import annotations

from typing import Any


class WeaklabelError(Exception):
    """Base class of every error a user can cause."""


class InputError(WeaklabelError, ValueError):
    """Bad data, labels, files or arguments given to weaklabel."""


class ModelFileError(WeaklabelError, ValueError):
    """A model directory that is missing, incomplete, tampered with or of another version."""


class InputTypeError(InputError, TypeError):
    """Input of a type that cannot be converted (e.g. a dict where a number belongs)."""


class TrainingDivergedError(WeaklabelError, FloatingPointError):
    """The training loss became NaN or infinite (a learning rate too high, or extreme input values)."""


def _not_fitted_error() -> type:
    from sklearn.exceptions import NotFittedError as SklearnNotFittedError

    class NotFittedError(WeaklabelError, SklearnNotFittedError):
        """An estimator was used before ``fit`` (also a scikit-learn ``NotFittedError``)."""

    NotFittedError.__module__, NotFittedError.__qualname__ = __name__, "NotFittedError"
    return NotFittedError


def __getattr__(name: str) -> Any:
    """``NotFittedError``, made on first use: it derives from scikit-learn's, whose import (about a second) the
    command line's help and argument errors should not wait for (PEP 562)."""
    if name == "NotFittedError":
        globals()[name] = _not_fitted_error()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
