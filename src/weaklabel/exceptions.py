"""Exceptions raised by weaklabel.

Every error a user can cause derives from :class:`WeaklabelError`, so the
command line can print its message without a traceback. Each message names
the problem and the fix.
"""

from __future__ import annotations

from sklearn.exceptions import NotFittedError as _SklearnNotFittedError


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


class NotFittedError(WeaklabelError, _SklearnNotFittedError):
    """An estimator was used before ``fit`` (also a scikit-learn ``NotFittedError``)."""
