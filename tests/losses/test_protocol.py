"""What every registered loss declares (weaklabel.losses.Loss), checked against what it does."""

import inspect

import pytest
import torch

from weaklabel.losses import INPUTS, Loss, _registry, available_losses, build_loss, families, get_loss_entry, register_loss
from weaklabel.nn import build_network

ALL = [(family, name) for family in families() for name in available_losses(family)]
BUILT_IN = ["clustering", "metric", "multilabel", "positive_only"]  # the families weaklabel.losses imports itself; a regime adds its own


def test_the_four_families_are_registered_by_importing_weaklabel_losses():
    assert set(BUILT_IN) <= set(families())


@pytest.mark.parametrize("family,name", ALL)
def test_declared_inputs_are_known_and_as_many_as_forwards_parameters(family, name):
    cls = get_loss_entry(name, family).module
    assert issubclass(cls, Loss) and set(cls.inputs) <= set(INPUTS)
    params = list(inspect.signature(cls.forward).parameters)[1:]
    assert len(params) == len(cls.inputs)


@pytest.mark.parametrize("family,name", ALL)
def test_supplied_arguments_are_constructor_parameters_and_reduction_is_one(family, name):
    params = inspect.signature(get_loss_entry(name, family).module.__init__).parameters
    assert set(get_loss_entry(name, family).module.supplied) <= set(params)
    assert "reduction" in params


@pytest.mark.parametrize("family,name", ALL)
def test_learning_rate_multipliers_name_parameters_that_exist(family, name):
    """Each prefix names a parameter of the trained {"net", "loss"} module, with the head the loss asks for."""
    cls = get_loss_entry(name, family).module
    if not cls.lr_multipliers:
        return
    loss = build_loss(name, family)
    loss.setup(torch.eye(3)[[0, 1, 2, 0]], seed=0)
    net = build_network({"encoder": {"type": "mlp", "in_features": 2, "hidden_sizes": [4]}, "head": cls.head_spec(3, embedding_dim=2)})
    names = [n for n, _ in torch.nn.ModuleDict({"net": net, "loss": loss}).named_parameters()]
    for prefix in cls.lr_multipliers:
        assert any(n.startswith(prefix) for n in names), (prefix, names)


def test_heads_hooks_and_distances_as_declared():
    module = lambda family, name: get_loss_entry(name, family).module  # noqa: E731
    assert module("positive_only", "label_embedding").head_spec(5, embedding_dim=3) == {"type": "label_embedding", "out_features": 5, "dim": 3}
    assert module("positive_only", "role").head_spec(5) == {"type": "linear", "out_features": 5}
    hooked = sorted(n for f, n in ALL if f in BUILT_IN and get_loss_entry(n, f).module.has_epoch_hooks())
    assert hooked == ["em_apl", "large_loss"]
    assert sorted(n for n in available_losses("metric") if module("metric", n).distance == "cosine") == ["arcface", "cosface", "cosine"]
    assert "far_mask" in module("clustering", "minmax_scan").inputs and "far_mask" not in module("clustering", "scan").inputs


def test_large_loss_schedule_follows_the_epoch_hook():
    loss = build_loss("large_loss", "positive_only", delta=0.01)
    loss.on_epoch_start(3)
    assert loss.reject_rate == pytest.approx(0.03)


def test_a_new_family_needs_no_edit_of_the_registry_and_a_non_loss_is_refused(monkeypatch):
    monkeypatch.setattr(_registry, "_REGISTRY", dict(_registry._REGISTRY))

    @register_loss("squared", "regression")
    class SquaredLoss(Loss):
        """Mean squared error."""

        def forward(self, outputs, targets):
            return ((outputs - targets) ** 2).mean()

    assert "regression" in families() and available_losses("regression") == ["squared"]
    assert build_loss("squared", "regression")(torch.ones(2), torch.zeros(2)).item() == 1.0
    with pytest.raises(TypeError, match="subclass of weaklabel.losses.Loss"):
        register_loss("plain", "regression")(torch.nn.MSELoss)


def test_an_input_no_estimator_provides_is_refused_when_the_class_is_defined():
    with pytest.raises(TypeError, match="names \\['weights'\\], which no estimator provides"):

        class _Bad(Loss):
            inputs = ("outputs", "weights")
