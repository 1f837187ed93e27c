"""Short renderings of names and values for the readers' error messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

_MAX_LISTED = 20


def list_names(names: Sequence[Any]) -> str:
    """Up to 20 names, quoted and comma-separated, for a message ("(none)" when empty)."""
    shown = ", ".join(repr(str(n)) for n in list(names)[:_MAX_LISTED])
    if len(names) > _MAX_LISTED:
        shown += f", ... ({len(names)} in all)"
    return shown or "(none)"


def short(value: Any) -> str:
    """A value's repr cut to 60 characters, for a message."""
    if isinstance(value, np.generic):
        value = value.item()
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
