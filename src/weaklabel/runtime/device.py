"""The device a fit or a prediction runs on."""

from __future__ import annotations

import re

import torch

from ..exceptions import InputError


def resolve_device(device: str | torch.device) -> torch.device:
    """``"auto"`` → CUDA when available, else CPU; ``"cpu"``, ``"cuda"`` and ``"cuda:N"`` as given.

    Raises :class:`~weaklabel.exceptions.InputError` for any other name and for a
    CUDA device this machine does not have.
    """
    name = str(device)
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not re.fullmatch(r"cpu|cuda(:\d+)?", name):
        raise InputError(f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {device!r}")
    resolved = torch.device(name)
    if resolved.type == "cuda":
        _check_cuda(resolved)
    return resolved


def _check_cuda(device: torch.device) -> None:
    """``device`` must be a CUDA device this machine has."""
    if not torch.cuda.is_available():
        raise InputError(
            f"device {str(device)!r} needs CUDA, which this machine's torch {torch.__version__} cannot use "
            "(no GPU, or torch built without CUDA); use device 'cpu' or 'auto' (for a saved model: "
            "weaklabel.load(path, device='cpu'), or --device cpu for weaklabel predict/evaluate)"
        )
    count = torch.cuda.device_count()
    if device.index is not None and device.index >= count:
        raise InputError(f"device {str(device)!r} does not exist: this machine has {count} CUDA device(s), cuda:0 to cuda:{count - 1}")
