"""Hyper-parameter checks, declared once per estimator: scikit-learn's ``_parameter_constraints`` idea, with
this project's messages (under another name, ``_parameter_checks``, so scikit-learn's own validation never
reads them).

An estimator class maps each parameter to a constraint in ``_parameter_checks``; the base class merges
the dicts along the class hierarchy (the shared parameters first) and :func:`check_parameters` checks them at
the start of ``fit``, in that order, raising :class:`~weaklabel.exceptions.InputError` with one of two
messages: ``"<name> must be <expected>, got <value>"`` (:class:`Rule`) or
``"unknown <name> <value>; choose one of <choices>"`` (:class:`OneOf`). Checks that relate two parameters,
or a parameter and the data, stay in the estimator.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..exceptions import InputError

__all__ = ["Custom", "OneOf", "Rule", "check_parameters", "integer", "is_integer", "is_real_number", "real"]


def is_real_number(value: Any) -> bool:
    """Whether ``value`` is a real number: a Python or NumPy integer or float, not a bool."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def is_integer(value: Any) -> bool:
    """Whether ``value`` is a Python or NumPy integer, not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


@dataclass(frozen=True)
class Rule:
    """``test(value)`` must hold; else ``"<name> must be <expected>, got <value!r>"``."""

    test: Callable[[Any], bool]
    expected: str

    def check(self, name: str, value: Any) -> None:
        if not self.test(value):
            raise InputError(f"{name} must be {self.expected}, got {value!r}")


@dataclass(frozen=True)
class OneOf:
    """``value`` must be one of ``choices`` (a sequence, shown as given, or a function giving it at check time,
    e.g. the registered losses); else ``"unknown <name> <value!r>; choose one of <choices>"``."""

    choices: Sequence[Any] | Callable[[], Sequence[Any]]

    def check(self, name: str, value: Any) -> None:
        choices = self.choices() if callable(self.choices) else self.choices
        if value not in choices:
            raise InputError(f"unknown {name} {value!r}; choose one of {choices}")


@dataclass(frozen=True)
class Custom:
    """``check(value)`` raises its own :class:`~weaklabel.exceptions.InputError` (e.g. the device's)."""

    function: Callable[[Any], object]

    def check(self, name: str, value: Any) -> None:
        self.function(value)


Constraint = Rule | OneOf | Custom


def integer(low: int, none_means: str | None = None) -> Rule:
    """An integer (not a bool) ≥ ``low``, or None where ``none_means`` says what None does."""
    allowed = f"None ({none_means}) or an integer ≥ {low}" if none_means else f"an integer ≥ {low}"
    return Rule(lambda v: (v is None and none_means is not None) or (is_integer(v) and v >= low), allowed)


def real(valid: Callable[[float], bool], expected: str) -> Rule:
    """A real number (not a bool) for which ``valid`` holds, as ``expected`` says."""
    return Rule(lambda v: is_real_number(v) and valid(float(v)), expected)


def check_parameters(estimator: Any, constraints: Mapping[str, Constraint]) -> None:
    """Check ``estimator``'s parameters against ``constraints``, in order; the first violation raises."""
    for name, constraint in constraints.items():
        constraint.check(name, getattr(estimator, name))
