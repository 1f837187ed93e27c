"""Crash-safe training checkpoints: write the trainer's state every few epochs, resume from it.

A checkpoint is ONE file, ``checkpoint.safetensors``, in the checkpoint
directory: every tensor of :meth:`Trainer.state_dict` (module, flattened
optimizer state, generator and RNG states, early-stopping weights) as
safetensors, and everything else as JSON in the file's metadata, with a
SHA-256 over both. No pickle, no ``torch.load``: reading a checkpoint never
executes code.

The file is written to a temporary file in the same directory, fsynced, and
renamed over the previous checkpoint (then the directory is fsynced), so a
run killed at any moment leaves either the previous or the new checkpoint,
never a partial one.

A fit that draws its seed (``random_state=None``) records it in ``seed.json``
in the checkpoint directory before it trains (:func:`save_run_seed`), and a
resumed fit takes that seed again, so that it is the same run.

A checkpoint is taken at the *start* of an epoch, after every callback has
finished the previous epoch; resuming continues with exactly the epoch that
was about to run, so a resumed run reaches the same model as an uninterrupted
one (bit-identical on CPU with the same thread count).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save as save_safetensors_bytes

from ..exceptions import InputError, ModelFileError
from ..fileio import write_bytes
from ..runtime import distributed
from .callbacks import Callback

if TYPE_CHECKING:  # pragma: no cover
    from .engine import Trainer

logger = logging.getLogger("weaklabel")

FORMAT = "weaklabel-checkpoint"
FORMAT_VERSION = 1
FILENAME = "checkpoint.safetensors"
SEED_FILENAME = "seed.json"

_TENSOR, _MAP, _TUPLE = "__tensor__", "__map__", "__tuple__"


# --------------------------------------------------------------------------- flattening


def flatten_state(state: Any) -> tuple[Any, dict[str, torch.Tensor]]:
    """Split a nested state into a JSON-able skeleton and named tensors.

    Dicts become ``{"__map__": [[key, value], ...]}`` (keys may be str or int,
    as in an optimizer state), tuples ``{"__tuple__": [...]}`` and tensors
    ``{"__tensor__": name}``; lists, str, numbers, bool and None stay as they are.
    """
    tensors: dict[str, torch.Tensor] = {}

    def walk(obj: Any) -> Any:
        if isinstance(obj, torch.Tensor):
            name = f"t{len(tensors)}"
            tensors[name] = obj.detach().to("cpu", copy=True).contiguous()
            return {_TENSOR: name}
        if isinstance(obj, Mapping):
            for key in obj:
                if not isinstance(key, (str, int)) or isinstance(key, bool):
                    raise TypeError(f"checkpoint state keys must be str or int, got {key!r}")
            return {_MAP: [[key, walk(value)] for key, value in obj.items()]}
        if isinstance(obj, tuple):
            return {_TUPLE: [walk(v) for v in obj]}
        if isinstance(obj, list):
            return [walk(v) for v in obj]
        if obj is None or isinstance(obj, (bool, int, float, str)):
            return obj
        raise TypeError(f"cannot checkpoint a value of type {type(obj).__name__}; use tensors, numbers, str, lists or dicts")

    return walk(state), tensors


def unflatten_state(skeleton: Any, tensors: Mapping[str, torch.Tensor]) -> Any:
    """Inverse of :func:`flatten_state`."""
    if isinstance(skeleton, list):
        return [unflatten_state(v, tensors) for v in skeleton]
    if isinstance(skeleton, dict):
        (tag, value), = skeleton.items()
        if tag == _TENSOR:
            return tensors[value]
        if tag == _TUPLE:
            return tuple(unflatten_state(v, tensors) for v in value)
        if tag == _MAP:
            return {key: unflatten_state(v, tensors) for key, v in value}
        raise ValueError(f"unknown tag {tag!r} in checkpoint state")
    return skeleton


def _digest(state_json: str, tensors: Mapping[str, torch.Tensor]) -> str:
    h = hashlib.sha256(state_json.encode("utf-8"))
    for name in sorted(tensors):
        t = tensors[name].contiguous().reshape(-1)
        h.update(name.encode("utf-8"))
        h.update(str(t.dtype).encode("utf-8"))
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


def fingerprint(parts: Mapping[str, Any], data: Mapping[str, torch.Tensor]) -> str:
    """SHA-256 of JSON-able ``parts`` (settings) and of the training tensors: what makes two runs the same run."""
    h = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode("utf-8"))
    for name in sorted(data):
        t = data[name].detach().to("cpu").contiguous().reshape(-1)
        h.update(f"{name}:{t.dtype}:{tuple(data[name].shape)}".encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


# --------------------------------------------------------------------------- files


def save_checkpoint(path: str | os.PathLike[str], state: Mapping[str, Any], run_fingerprint: str = "") -> Path:
    """Write ``state`` to ``path`` atomically (:func:`weaklabel.fileio.write_bytes`: staging file, fsync, rename, fsync folder)."""
    target = Path(path)
    skeleton, tensors = flatten_state(dict(state))
    state_json = json.dumps(skeleton, sort_keys=True)
    metadata = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "fingerprint": run_fingerprint,
        "state": state_json,
        "sha256": _digest(state_json, tensors),
    }
    write_bytes(target, save_safetensors_bytes(tensors, metadata=metadata), f"the checkpoint {target}")
    return target


def load_checkpoint(path: str | os.PathLike[str]) -> tuple[dict[str, Any], str]:
    """Read and verify a checkpoint; returns ``(state, fingerprint)``.

    Raises :class:`~weaklabel.exceptions.ModelFileError` for a truncated,
    modified or foreign file.
    """
    p = Path(path)
    try:
        with safe_open(str(p), framework="pt") as fh:
            metadata = fh.metadata() or {}
            tensors = {name: fh.get_tensor(name) for name in fh.keys()}
    except (SafetensorError, OSError, ValueError) as exc:
        raise ModelFileError(f"checkpoint {p} cannot be read ({exc}); delete it to start the run afresh") from None
    if metadata.get("format") != FORMAT:
        raise ModelFileError(f"{p} is not a weaklabel checkpoint; delete it or choose another checkpoint directory")
    if metadata.get("format_version") != str(FORMAT_VERSION):
        raise ModelFileError(f"checkpoint {p} has format version {metadata.get('format_version')!r}; this weaklabel reads {FORMAT_VERSION}")
    state_json = metadata.get("state", "")
    if _digest(state_json, tensors) != metadata.get("sha256"):
        raise ModelFileError(f"checkpoint {p} does not match its checksum (modified or corrupt); delete it to start afresh")
    return unflatten_state(json.loads(state_json), tensors), metadata.get("fingerprint", "")


def _checked_directory(directory: str | os.PathLike[str]) -> Path:
    """``directory`` as a Path; an InputError when a file has that name."""
    path = Path(directory)
    if path.exists() and not path.is_dir():
        raise InputError(f"checkpoint directory {path} is a file; give a directory path")
    return path


def clear_run(directory: str | os.PathLike[str]) -> None:
    """Remove an earlier run's checkpoints from ``directory`` and its stage sub-directories, and its seed.

    A fit that does not resume starts afresh: a stage an earlier run finished would otherwise be
    found by a later ``resume`` of this run and refused as another run's. Other files are left alone.
    """
    root = _checked_directory(directory)
    if root.is_dir():
        for path in (root / FILENAME, root / SEED_FILENAME, *root.glob(f"*/{FILENAME}")):
            path.unlink(missing_ok=True)


def save_run_seed(directory: str | os.PathLike[str], seed: int) -> Path:
    """Record in ``directory`` the seed a fit drew (before it trains), so that resuming it can use the same one."""
    target = _checked_directory(directory) / SEED_FILENAME
    return write_bytes(target, json.dumps({"seed": int(seed)}).encode("utf-8"), f"the run's seed to {target}")


def load_run_seed(directory: str | os.PathLike[str]) -> int | None:
    """The seed :func:`save_run_seed` recorded in ``directory``; None when there is none."""
    path = _checked_directory(directory) / SEED_FILENAME
    if not path.is_file():
        return None
    try:
        seed = json.loads(path.read_text(encoding="utf-8"))["seed"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        seed = None
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**31:
        raise ModelFileError(f"{path} does not hold a seed recorded by weaklabel; delete it (and the checkpoints) to start afresh")
    return seed


# --------------------------------------------------------------------------- callback


class Checkpoint(Callback):
    """Save the trainer's state to ``directory/checkpoint.safetensors`` every ``every`` epochs.

    Put it FIRST among the callbacks: it saves at the start of an epoch, before
    any other callback's ``on_epoch_start`` changes the state. ``fingerprint``
    identifies the run (settings + data, see :func:`fingerprint`); :meth:`restore`
    refuses a checkpoint of another run. Under ``torchrun`` only rank 0 writes
    (every rank holds the same weights); each rank resumes from that file.
    """

    def __init__(self, directory: str | os.PathLike[str], every: int = 1, fingerprint: str = "") -> None:
        if int(every) < 1:
            raise InputError(f"checkpoint interval must be ≥ 1 epoch, got {every}")
        self.directory = Path(directory)
        self.every = int(every)
        self.fingerprint = fingerprint
        self._start_epoch = 0

    @property
    def path(self) -> Path:
        return self.directory / FILENAME

    def on_fit_start(self, trainer: Trainer) -> None:
        self._start_epoch = trainer.epoch

    def on_epoch_start(self, trainer: Trainer) -> None:
        if trainer.epoch > self._start_epoch and trainer.epoch % self.every == 0 and distributed.rank() == 0:
            save_checkpoint(self.path, trainer.state_dict(), self.fingerprint)
            logger.debug("checkpoint at epoch %d written to %s", trainer.epoch, self.path)

    def restore(self, trainer: Trainer) -> bool:
        """Load the latest checkpoint into ``trainer`` (call before ``fit``); False when there is none yet."""
        _checked_directory(self.directory)
        if not self.path.is_file():
            logger.info("no checkpoint in %s; starting from epoch 1", self.directory)
            return False
        state, saved = load_checkpoint(self.path)
        if saved != self.fingerprint:
            raise InputError(
                f"the checkpoint in {self.directory} belongs to another run (different data or parameters); "
                "resume with the same data and options, or use a new checkpoint directory"
            )
        try:
            trainer.load_state_dict(state)
        except (KeyError, TypeError, ValueError, RuntimeError) as exc:
            raise ModelFileError(f"checkpoint {self.path} does not fit this model ({exc}); delete it to start afresh") from None
        logger.info("resumed from %s at epoch %d", self.path, trainer.epoch + 1)
        return True
