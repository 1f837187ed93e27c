"""Exceptions raised by weaklabel.

Every error a user can cause derives from :class:`WeaklabelError`, so the
command line can print its message without a traceback. Each message names
the problem and the fix.
"""

from __future__ import annotations


class WeaklabelError(Exception):
    """Base class of every error a user can cause."""


class InputError(WeaklabelError, ValueError):
    """Bad data, labels, files or arguments given to weaklabel."""


class ModelFileError(WeaklabelError, ValueError):
    """A model directory that is missing, incomplete, tampered with or of another version."""


class NotFittedError(WeaklabelError, AttributeError):
    """An estimator was used before ``fit``."""
