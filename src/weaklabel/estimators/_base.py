"""Shared machinery of the neural estimators: preprocessing, training, prediction, saving.

An estimator subclass chooses the network's head and the loss, builds the
training tensors, and calls :meth:`NeuralEstimator._train`; everything else
(input checks, scaling, validation split, the training loop, batched
inference, persistence) lives here once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator

from .. import persistence
from ..data.preprocessing import FeatureScaler
from ..data.validation import check_feature_names, check_features, check_n_features, feature_names
from ..exceptions import InputError, ModelFileError, NotFittedError
from ..losses import Loss, build_loss, get_loss_entry
from ..nn import Network, ProbabilityEnsemble, build_network
from ..runtime import MAX_SEED, resolve_device
from ..training import History, Trainer, TrainingConfig
from ..training.callbacks import ReduceLROnPlateau
from ._params import Constraint, Custom, Rule, check_parameters, integer, is_integer, real
from ._runs import FitRun
from ._serialisation import json_safe, random_state_from_json

logger = logging.getLogger("weaklabel")

_INFERENCE_BATCH = 8192


def _positive_integers(sizes: Any) -> bool:
    """Whether ``sizes`` is a sequence (not text) of integers ≥ 1."""
    return not isinstance(sizes, (str, bytes)) and isinstance(sizes, (Sequence, np.ndarray)) and all(is_integer(h) and h >= 1 for h in sizes)


def loss_params_rule() -> Rule:
    """``loss_params``: None or a dict of keyword arguments for the loss."""
    return Rule(lambda v: v is None or isinstance(v, Mapping), "None or a dict of the loss's keyword arguments")


def binary_decision(scores: np.ndarray) -> np.ndarray:
    """scikit-learn's binary ``decision_function`` shape: for two class columns, (n,), the score of
    ``classes_[1]`` minus that of ``classes_[0]`` (positive → ``classes_[1]``); other widths unchanged."""
    return scores[:, 1] - scores[:, 0] if scores.shape[1] == 2 else scores


def flat_width(inputs: np.ndarray) -> int:
    """Values per sample of ``inputs`` (n, ...): the input width of an MLP, which flattens images."""
    return int(np.prod(inputs.shape[1:]))


class NeuralEstimator(FitRun, BaseEstimator):
    """Base of weaklabel's estimators (not used directly).

    Subclasses define ``__init__`` with their hyper-parameters (stored as
    given) and include the shared ones read here: ``hidden_sizes``, ``norm``,
    ``dropout``, ``scaling``, ``max_epochs``, ``batch_size``,
    ``learning_rate``, ``weight_decay``, ``validation_fraction``,
    ``patience``, ``device``, ``random_state``, ``verbose``.

    Fitted, an estimator has ``n_features_in_`` and, after a fit on a DataFrame whose column
    names are all strings, ``feature_names_in_``, as in scikit-learn: prediction then refuses a
    DataFrame with other columns or another column order, and warns on an array.
    """

    _allow_images = False
    #: hyper-parameters added after models were first saved, with the value an older model was trained with
    _legacy_params: dict[str, Any] = {}
    #: attributes of which a fitted estimator has at least one (what predicts); a new fit drops them first
    _fitted_attributes: tuple[str, ...] = ("net_",)

    #: the shared hyper-parameters' constraints; a subclass adds its own in ``_parameter_checks`` (see
    #: :mod:`weaklabel.estimators._params`), and the dicts of the class hierarchy are merged, the shared ones first
    _parameter_checks: dict[str, Constraint] = {
        "max_epochs": integer(1),
        "batch_size": integer(1),
        "learning_rate": real(lambda v: v > 0, "a number > 0"),
        "weight_decay": real(lambda v: v >= 0, "a number ≥ 0"),
        "dropout": real(lambda v: 0 <= v < 1, "a number in [0, 1)"),
        "validation_fraction": real(lambda v: 0 <= v < 1, "a number in [0, 1)"),
        "patience": integer(1, none_means="no early stopping"),
        "hidden_sizes": Rule(_positive_integers, "a sequence of positive integers such as (512, 512) (--hidden-sizes 512,512)"),
        "random_state": Rule(
            lambda v: v is None or (is_integer(v) and 0 <= v < MAX_SEED) or isinstance(v, np.random.RandomState),
            "None (a fresh seed), an integer in [0, 2**31) or a numpy RandomState",
        ),
        "device": Custom(resolve_device),
        "verbose": Rule(lambda v: isinstance(v, (bool, np.bool_)) or (is_integer(v) and v >= 0), "an integer ≥ 0 or a bool (0 or False: silent)"),
    }

    # -- checks ------------------------------------------------------------
    @classmethod
    def _all_parameter_checks(cls) -> dict[str, Constraint]:
        """``_parameter_checks`` of the class and its bases, the bases' first."""
        merged: dict[str, Constraint] = {}
        for klass in reversed(cls.__mro__):
            merged.update(klass.__dict__.get("_parameter_checks", {}))
        return merged

    def _check_params(self) -> None:
        """Refuse a hyper-parameter of the wrong type or out of range (the declared constraints), then
        :meth:`_check_param_relations`."""
        check_parameters(self, self._all_parameter_checks())
        self._check_param_relations()

    def _check_param_relations(self) -> None:
        """Subclass hook: checks that relate two parameters (each one already passed its own constraint)."""

    def _loss_module(
        self, family: str, params: Mapping[str, Any], set_by_estimator: Mapping[str, Any] | None = None, name: str | None = None
    ) -> Loss:
        """The ``family`` loss ``name`` (default ``self.loss``) built with ``params`` (from ``loss_params``) and, of
        the arguments the estimator can set itself (``set_by_estimator``), those the loss declares it takes
        (:attr:`weaklabel.losses.Loss.supplied`); a keyword or value it refuses is an :class:`InputError` naming
        ``loss_params``."""
        name = self.loss if name is None else name
        supplied = get_loss_entry(name, family).module.supplied
        fixed = {key: value for key, value in (set_by_estimator or {}).items() if key in supplied}
        clash = sorted(set(params) & set(fixed))
        if clash:
            raise InputError(f"loss_params cannot set {clash}: the estimator sets them (from its parameters and the data)")
        try:
            return build_loss(name, family, **params, **fixed)
        except InputError:
            raise  # the loss's own check already names the parameter and the valid values
        except (TypeError, ValueError) as exc:
            raise InputError(f"invalid loss_params for {name!r}: {exc}") from None

    def __sklearn_is_fitted__(self) -> bool:
        """Fitted once ``fit`` has set what predicts (the network), for :func:`sklearn.utils.validation.check_is_fitted`."""
        return any(hasattr(self, name) for name in self._fitted_attributes)

    def _check_is_fitted(self) -> None:
        if not self.__sklearn_is_fitted__():
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with appropriate arguments "
                "before using this estimator."
            )

    def _validate_X(self, X: Any, reset: bool) -> np.ndarray:
        """``X`` as float32 (:func:`check_features`); ``reset`` records its shape and column names, else checks them.

        ``reset`` (the start of a fit) also forgets the previous fit's network (or what else predicts), so a fit that
        fails after this point leaves the estimator unfitted instead of the old model under the new data's labels
        and shapes.
        """
        names = feature_names(X)
        if not reset:
            self._check_is_fitted()
            check_feature_names(names, getattr(self, "feature_names_in_", None), type(self).__name__)
        X = check_features(X, allow_images=self._allow_images)
        if reset:
            for name in self._fitted_attributes:
                self.__dict__.pop(name, None)
            self.n_features_in_ = int(np.prod(X.shape[1:]))
            self.input_shape_ = tuple(int(s) for s in X.shape[1:])
            self._set_feature_names(names)
        else:
            check_n_features(X, self.input_shape_, type(self).__name__)
        return X

    def _set_feature_names(self, names: np.ndarray | None) -> None:
        """``feature_names_in_`` = ``names``; no such attribute when None (a refit without names drops it)."""
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_

    # -- preprocessing -------------------------------------------------------
    def _fit_scaler(self, X: np.ndarray, seed: int) -> np.ndarray:
        self.scaler_ = FeatureScaler(self._scaling_for(X), random_state=seed)
        return self.scaler_.fit_transform(X)

    def _scaling_for(self, X: np.ndarray) -> str:
        """The scaling method for the training rows ``X`` (a subclass may choose it from the data)."""
        return self.scaling

    def _encoder_spec(self, n_inputs: int) -> dict[str, Any]:
        return {
            "type": "mlp",
            "in_features": n_inputs,
            "hidden_sizes": [int(h) for h in self.hidden_sizes],
            "norm": self.norm,
            "dropout": float(self.dropout),
        }

    def _build_network(self, spec: dict[str, Any], seed: int) -> Network | ProbabilityEnsemble:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            net = build_network(spec)
        self.network_spec_ = spec
        return net

    # -- training ----------------------------------------------------------
    def _split(self, n: int, seed: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Random train/validation split; no validation when either side would be empty."""
        n_val = int(round(float(self.validation_fraction) * n))
        order = np.random.default_rng(seed).permutation(n)
        if n_val < 1 or n - n_val < 1:
            return order, None
        return order[n_val:], order[:n_val]

    def _training_config(self, seed: int) -> TrainingConfig:
        return TrainingConfig(
            max_epochs=int(self.max_epochs),
            batch_size=int(self.batch_size),
            learning_rate=float(self.learning_rate),
            weight_decay=float(self.weight_decay),
            patience=None if self.patience is None else int(self.patience),
            device=self.device,
            seed=seed,
            verbose=int(self.verbose),
            desc=type(self).__name__,
        )

    def _train(
        self,
        module: torch.nn.Module,
        loss_fn: Callable[[dict[str, torch.Tensor]], torch.Tensor],
        train: Mapping[str, torch.Tensor],
        val: Mapping[str, torch.Tensor] | None,
        seed: int,
        callbacks: Sequence[Any] = (),
        val_loss_fn: Callable[[dict[str, torch.Tensor]], torch.Tensor] | None = None,
        lr_multipliers: Mapping[str, float] | None = None,
        stage: str = "",
        fingerprint_data: Mapping[str, torch.Tensor] | None = None,
    ) -> History:
        """Run the Trainer; ``stage`` names the checkpoint sub-directory of a fit that trains several networks.

        ``fingerprint_data``: tensors the loss reads besides ``train`` (e.g. features looked up by the row
        indices ``train`` holds), so that a checkpoint of other data is refused.
        """
        callbacks = list(callbacks)
        if val is not None and self.patience is not None and int(self.patience) >= 4:
            # decay the step size on plateaus well before early stopping gives up
            callbacks.append(ReduceLROnPlateau(patience=max(2, int(self.patience) // 3)))
        config = self._training_config(seed)
        checkpoint = self._checkpoint_callback(config, train, val, stage, fingerprint_data)
        if checkpoint is not None:
            callbacks.insert(0, checkpoint)  # first: it saves before other callbacks act on an epoch
        trainer = Trainer(module, loss_fn, config, callbacks, val_loss_fn, lr_multipliers)
        if checkpoint is not None and self._checkpointing["resume"]:
            checkpoint.restore(trainer)
        history = trainer.fit(train, val)
        module.to("cpu")
        self.n_epochs_ = history.n_epochs
        self.history_ = history.epochs
        return history

    # -- inference ---------------------------------------------------------
    @torch.no_grad()
    def _network_outputs(self, X: np.ndarray, method: str = "forward", net: Network | ProbabilityEnsemble | None = None) -> np.ndarray:
        """Run ``net`` (default: the fitted network) on scaled ``X`` in batches (eval mode, CPU or the chosen device)."""
        net = self.net_ if net is None else net
        device = resolve_device(self.device)
        net.to(device).eval()
        fn = net if method == "forward" else getattr(net, method)
        outs = []
        for start in range(0, len(X), _INFERENCE_BATCH):
            chunk = torch.from_numpy(X[start : start + _INFERENCE_BATCH]).to(device)
            outs.append(fn(chunk).float().cpu())
        net.to("cpu")
        return torch.cat(outs).numpy()

    def _transform_inputs(self, X: Any) -> np.ndarray:
        self._check_is_fitted()
        X = self._validate_X(X, reset=False)
        return self.scaler_.transform(X)

    def _outputs(self, X: Any) -> np.ndarray:
        """The fitted network's outputs on raw ``X`` (checked against the fit, then scaled)."""
        return self._network_outputs(self._transform_inputs(X))

    # -- persistence -------------------------------------------------------
    def save(self, directory: str) -> None:
        """Write the fitted model to ``directory`` (safetensors + JSON; see :func:`weaklabel.load`)."""
        self._check_is_fitted()
        persistence.save_model(self, directory)

    def _extra_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Subclass hook: extra JSON config and tensors to save."""
        return {}, {}

    def _set_extra_state(self, config: dict[str, Any], tensors: dict[str, np.ndarray]) -> None:
        """Subclass hook: restore what :meth:`_extra_state` saved."""

    def _get_model_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The saved config and tensors: parameters, input checks and scaler, the network when the fit made one
        (an estimator whose method is not a network saves what predicts in its extra state), and the extra state."""
        extra_config, extra_tensors = self._extra_state()
        config = {
            "params": json_safe(self.get_params()),
            "input_shape": list(self.input_shape_),
            "feature_names_in": [str(name) for name in self.feature_names_in_] if hasattr(self, "feature_names_in_") else None,
            "scaler": self.scaler_.get_config(),
        }
        tensors: dict[str, np.ndarray] = {f"scaler.{k}": v for k, v in self.scaler_.state.items()}
        if hasattr(self, "net_"):
            config.update(network=self.network_spec_, n_epochs=self.n_epochs_, history=self.history_)
            tensors.update({f"net.{k}": v.detach().cpu().numpy() for k, v in self.net_.state_dict().items()})
        config.update(extra_config)
        tensors.update(extra_tensors)
        json.dumps(config, allow_nan=False)  # fail here, not half-way through writing
        return config, tensors

    @classmethod
    def _upgrade_params(cls, params: dict[str, Any]) -> dict[str, Any]:
        """Subclass hook: a saved model's parameters as this version names them (e.g. a renamed parameter)."""
        return params

    @classmethod
    def _from_model_state(cls, config: dict[str, Any], tensors: dict[str, np.ndarray]) -> NeuralEstimator:
        params = cls._upgrade_params({**cls._legacy_params, **config["params"]})
        params["random_state"] = random_state_from_json(params.get("random_state"))
        est = cls(**{k: tuple(v) if isinstance(v, list) and k == "hidden_sizes" else v for k, v in params.items()})
        est.input_shape_ = tuple(config["input_shape"])
        est.n_features_in_ = int(np.prod(est.input_shape_))
        names = config.get("feature_names_in")  # absent from models saved before feature names were kept
        est._set_feature_names(None if names is None else np.asarray(names, dtype=object))
        est.scaler_ = FeatureScaler.from_state(
            config["scaler"], {k[len("scaler.") :]: v for k, v in tensors.items() if k.startswith("scaler.")}
        )
        if "network" in config:
            est.network_spec_ = config["network"]
            with torch.random.fork_rng(devices=[]):  # the initial weights are overwritten: leave the user's torch RNG alone
                net = build_network(config["network"])
            state = {k[len("net.") :]: torch.from_numpy(np.array(v)) for k, v in tensors.items() if k.startswith("net.")}
            net.load_state_dict(state, strict=True)
            est.net_ = net.eval()
            est.n_epochs_ = config["n_epochs"]
            est.history_ = config["history"]
        est._set_extra_state(config, tensors)
        if not est.__sklearn_is_fitted__():
            raise ModelFileError(f"the saved {cls.__name__} holds no network and no other model to predict with; re-save it")
        return est
