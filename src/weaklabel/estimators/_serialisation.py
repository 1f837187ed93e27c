"""Hyper-parameters as plain JSON for the saved model's config.json, and back (a RandomState by its state)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import InputError, ModelFileError

__all__ = ["RANDOM_STATE_KEY", "json_safe", "random_state_from_json"]


#: the JSON key under which a ``random_state`` given as a RandomState is saved (its Mersenne Twister state)
RANDOM_STATE_KEY = "numpy.random.RandomState"


def json_safe(value: Any) -> Any:
    """A hyper-parameter as plain JSON (tuples → lists, NumPy scalars → Python, a RandomState → its state)."""
    if isinstance(value, np.random.RandomState):
        kind = value.get_state(legacy=False)["bit_generator"]
        if kind != "MT19937":
            raise InputError(f"random_state RandomState({kind}) cannot be saved; pass an integer seed or RandomState(seed)")
        _, keys, pos, has_gauss, cached_gaussian = value.get_state()
        return {RANDOM_STATE_KEY: {"keys": np.asarray(keys).tolist(), "pos": int(pos), "has_gauss": int(has_gauss), "cached_gaussian": float(cached_gaussian)}}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise InputError(f"hyper-parameter value {value!r} cannot be saved; use numbers, strings, lists or dicts")


def random_state_from_json(value: Any) -> Any:
    """Inverse of :func:`json_safe` for ``random_state``: a saved RandomState state → that RandomState."""
    if not (isinstance(value, dict) and set(value) == {RANDOM_STATE_KEY}):
        return value
    state = value[RANDOM_STATE_KEY]
    try:
        generator = np.random.RandomState()
        generator.set_state(("MT19937", np.asarray(state["keys"], dtype=np.uint32), state["pos"], state["has_gauss"], state["cached_gaussian"]))
    except (KeyError, IndexError, TypeError, ValueError, OverflowError) as exc:
        raise ModelFileError(f"config.json's random_state is not a valid RandomState state ({exc}): the model directory is damaged") from None
    return generator
