"""Seeding: one integer seed → reproducible initialisation and shuffling."""

from __future__ import annotations

import zlib

import numpy as np
import torch
from sklearn.utils import check_random_state

from ..exceptions import InputError

#: integer seeds are in [0, MAX_SEED): every seed derived from one (``seed + k``) stays a valid numpy seed
MAX_SEED = 2**31


def resolve_seed(random_state: int | np.random.RandomState | None) -> int:
    """An int seed from a scikit-learn style ``random_state`` (None → fresh entropy).

    An integer outside [0, 2**31) is refused: reducing it modulo 2**31 made two different seeds
    (5 and 5 + 2**31) train the same model.
    """
    if isinstance(random_state, (int, np.integer)):
        if not 0 <= int(random_state) < MAX_SEED:
            raise InputError(f"an integer random_state must be in [0, 2**31), got {int(random_state)}")
        return int(random_state)
    return int(check_random_state(random_state).randint(0, MAX_SEED - 1))


def spawn_seeds(seed: int, n: int) -> list[int]:
    """``n`` int seeds from independent streams spawned from ``seed`` (numpy ``SeedSequence``): unlike
    ``seed + i``, two different ``seed`` values never share one."""
    return [int(child.generate_state(1)[0] % 2**31) for child in np.random.SeedSequence(seed).spawn(int(n))]


def stream_seed(seed: int, stream: str) -> int:
    """An int seed for the random stream named ``stream`` of a run seeded ``seed`` (numpy ``SeedSequence`` of
    ``seed`` and the name's CRC-32): two names, or two seeds, never share one, nor do :func:`spawn_seeds`'
    children (whose entropy is ``seed`` alone)."""
    return int(np.random.SeedSequence([int(seed), zlib.crc32(stream.encode("utf-8"))]).generate_state(1)[0] % 2**31)


def torch_generator(seed: int, device: str | torch.device = "cpu") -> torch.Generator:
    """A private generator, so training never disturbs the global torch RNG."""
    gen = torch.Generator(device=device)
    gen.manual_seed(seed)
    return gen
