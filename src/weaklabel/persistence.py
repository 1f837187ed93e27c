"""Saving and loading models: weights as safetensors, everything else as JSON.

A model directory holds exactly::

    manifest.json        format, versions, estimator class, SHA-256 of each file,
                         name/dtype/shape of each tensor
    config.json          hyper-parameters, label names and formats, network spec
    weights.safetensors  every tensor (network weights, scaler state, thresholds)
    (optional extra JSON files listed in the manifest, e.g. the CLI's fit config)

Loading never executes code from the directory: JSON is parsed as data, the
estimator class is looked up in a fixed table of weaklabel's own classes,
tensors are read with safetensors (no pickle, no ``torch.load``), and every
file, checksum, tensor name and shape is checked before anything is built.
The directory is written to a staging sibling and renamed into place
(:func:`weaklabel.fileio.replacing_directory`), so an interrupted save never
leaves a directory that :func:`load` accepts.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load as load_safetensors_bytes
from safetensors.numpy import save as save_safetensors_bytes

from ._version import __version__
from .exceptions import ModelFileError
from .fileio import replacing_directory

FORMAT = "weaklabel-model"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CONFIG = "config.json"
WEIGHTS = "weights.safetensors"


class Persistable(Protocol):
    """What an estimator implements to be saved."""

    def _get_model_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]: ...

    @classmethod
    def _from_model_state(cls, config: dict[str, Any], tensors: dict[str, np.ndarray]) -> Persistable: ...

    def set_params(self, **params: Any) -> Persistable: ...


_ESTIMATORS: dict[str, type[Persistable]] = {}

E = TypeVar("E", bound=type)


def register_estimator(cls: E) -> E:
    """Class decorator: allow ``load`` to rebuild this estimator class by name."""
    _ESTIMATORS[cls.__name__] = cast("type[Persistable]", cls)
    return cls


def estimator_classes() -> dict[str, type[Persistable]]:
    """The estimator classes :func:`load` can rebuild, by name (every class decorated with :func:`register_estimator`)."""
    return dict(_ESTIMATORS)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json_bytes(obj: Any) -> bytes:
    return json.dumps(obj, indent=2, sort_keys=True, allow_nan=False).encode("utf-8")


def _is_model_directory(folder: Path) -> bool:
    """Whether ``folder`` holds a weaklabel manifest (not any ``manifest.json``: web apps and dbt have one too)."""
    try:
        return json.loads((folder / MANIFEST).read_bytes()).get("format") == FORMAT
    except (OSError, ValueError, AttributeError):  # no file, not JSON, or JSON that is not an object
        return False


def enclosing_model(path: str | os.PathLike[str]) -> Path | None:
    """The saved model directory that ``path`` is or lies inside, if any."""
    resolved = Path(path).resolve()
    return next((folder for folder in (resolved, *resolved.parents) if _is_model_directory(folder)), None)


def check_model_target(directory: str | os.PathLike[str]) -> Path:
    """``directory`` as a Path :func:`save_model` can write: new, empty or a model it replaces, not inside
    another model, and below folders (not files). Called before a fit, so a bad path fails first."""
    target = Path(directory)
    if target.exists() and not target.is_dir():
        raise ModelFileError(f"cannot save the model to {target}: a file of that name exists; choose a directory path")
    if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise ModelFileError(
            f"cannot save the model to {target}: the directory is not empty and is not a weaklabel model; "
            "choose a new or empty directory"
        )
    model = enclosing_model(target.parent)
    if model is not None:
        raise ModelFileError(
            f"cannot save the model to {target}: it lies inside the saved model {model}, which would then fail to load; "
            "choose a path outside it"
        )
    folder = next(folder for folder in target.absolute().parents if folder.exists())
    if not folder.is_dir():
        raise ModelFileError(f"cannot save the model to {target}: {folder} is a file, not a folder; choose another path")
    return target


def save_model(estimator: Persistable, directory: str | os.PathLike[str], extra_json: dict[str, Any] | None = None) -> Path:
    """Write ``estimator`` to ``directory`` atomically; returns the directory."""
    target = check_model_target(directory)
    config, tensors = estimator._get_model_state()
    arrays = {name: np.ascontiguousarray(value) for name, value in tensors.items()}
    files: dict[str, bytes] = {CONFIG: _json_bytes(config), WEIGHTS: save_safetensors_bytes(arrays)}
    for name, obj in (extra_json or {}).items():
        if not name.endswith(".json") or "/" in name or name in (MANIFEST, CONFIG):
            raise ValueError(f"extra file name {name!r} must be a plain *.json name")
        files[name] = _json_bytes(obj)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "weaklabel_version": __version__,
        "estimator": type(estimator).__name__,
        "files": {name: _sha256(data) for name, data in files.items()},
        "tensors": {name: {"dtype": str(a.dtype), "shape": list(a.shape)} for name, a in arrays.items()},
    }
    with replacing_directory(target, f"the model to {target}", ModelFileError) as staging:
        for name, data in {**files, MANIFEST: _json_bytes(manifest)}.items():  # the manifest last: it marks the set complete
            (staging / name).write_bytes(data)
    return target


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{what} {path} is not valid JSON ({exc}); the model directory is corrupt, re-save it") from None


def read_model_dir(directory: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, Any], dict[str, np.ndarray], dict[str, Any]]:
    """Verify a model directory; return (manifest, config, tensors, extra JSON files)."""
    path = Path(directory)
    if not path.exists():
        raise ModelFileError(f"no model at {path}: the directory does not exist; check the path")
    if not path.is_dir():
        raise ModelFileError(f"{path} is a file, not a model directory; pass the directory that est.save() wrote")
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise ModelFileError(
            f"{path} is not a complete weaklabel model: {MANIFEST} is missing "
            "(an interrupted save, or not a model directory); save the model again"
        )
    manifest = _read_json(manifest_path, "manifest")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelFileError(f"{manifest_path} is not a weaklabel model manifest")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
        raise ModelFileError(
            f"{path} was written in model format {version!r} (by weaklabel {manifest.get('weaklabel_version')}); "
            f"this weaklabel ({__version__}) reads format ≤ {FORMAT_VERSION}: upgrade weaklabel"
        )
    listed = manifest.get("files")
    if not isinstance(listed, dict) or CONFIG not in listed or WEIGHTS not in listed:
        raise ModelFileError(f"{manifest_path} does not list {CONFIG} and {WEIGHTS}; the model directory is corrupt")
    present = {p.name for p in path.iterdir()}
    unexpected = sorted(present - set(listed) - {MANIFEST})
    if unexpected:
        raise ModelFileError(
            f"{path} holds files the manifest does not list: {unexpected}; a model directory holds only its own "
            "JSON and safetensors files — remove them or re-save the model"
        )
    contents: dict[str, bytes] = {}
    for name, digest in listed.items():
        if "/" in name or "\\" in name or name.startswith("."):
            raise ModelFileError(f"manifest lists an invalid file name {name!r}; the model directory is corrupt")
        file = path / name
        if not file.is_file():
            raise ModelFileError(f"{path} is incomplete: {name} is missing; save the model again")
        data = file.read_bytes()
        if _sha256(data) != digest:
            raise ModelFileError(
                f"{file} does not match its checksum in {MANIFEST}: the file was modified or truncated; "
                "do not use this model — re-save or re-download it"
            )
        contents[name] = data
    try:
        tensors = load_safetensors_bytes(contents[WEIGHTS])
    except (SafetensorError, ValueError) as exc:
        raise ModelFileError(f"{path / WEIGHTS} is not a valid safetensors file ({exc})") from None
    expected = manifest.get("tensors", {})
    if set(tensors) != set(expected):
        raise ModelFileError(f"{WEIGHTS} holds tensors {sorted(set(tensors) ^ set(expected))} not matching the manifest")
    for name, info in expected.items():
        if list(tensors[name].shape) != info.get("shape") or str(tensors[name].dtype) != info.get("dtype"):
            raise ModelFileError(f"tensor {name!r} has shape {list(tensors[name].shape)}, the manifest says {info}")
    config = _read_json(path / CONFIG, "config")
    extras = {name: json.loads(data) for name, data in contents.items() if name not in (CONFIG, WEIGHTS)}
    return manifest, config, tensors, extras


def load(directory: str | os.PathLike[str], device: str | None = None) -> Any:
    """Load a model saved with ``est.save(directory)`` (or ``weaklabel fit --out``).

    ``device`` (``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:N"``) replaces the saved
    ``device`` parameter, e.g. ``"cpu"`` to predict on a machine without the GPU the
    model was trained on; ``None`` keeps the saved one. The weights always load on
    the CPU and move to the device when used.

    Raises :class:`~weaklabel.exceptions.ModelFileError` for a missing,
    incomplete, tampered, truncated or newer-format directory, and
    :class:`~weaklabel.exceptions.InputError` for a device this machine lacks.
    """
    if device is not None:
        from .runtime import resolve_device

        resolve_device(device)  # a bad name or a missing GPU fails before the files are read
    manifest, config, tensors, _ = read_model_dir(directory)
    name = manifest.get("estimator")
    cls = _ESTIMATORS.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ModelFileError(f"{directory} holds an unknown estimator {name!r}; known: {sorted(_ESTIMATORS)}")
    try:
        estimator = cls._from_model_state(config, tensors)
    except ModelFileError:
        raise  # already names what is wrong
    except (KeyError, TypeError, RuntimeError, ValueError) as exc:
        raise ModelFileError(f"{directory} could not be rebuilt as {name} ({exc}); the model files do not fit together") from None
    return estimator if device is None else estimator.set_params(device=device)
