"""BatchedMLP: K stacked networks equal K separate ones, forward and per optimizer step."""

import pytest
import torch

from weaklabel.exceptions import InputError
from weaklabel.nn import build_network
from weaklabel.nn.batched import BatchedMLP
from weaklabel.training.engine import adamw, param_groups

K, D, L = 3, 7, 4


def _separate(hidden, norm, dropout=0.0, seed=0):
    spec = {"encoder": {"type": "mlp", "in_features": D, "hidden_sizes": list(hidden), "norm": norm, "dropout": dropout},
            "head": {"type": "linear", "out_features": L}}
    torch.manual_seed(seed)
    return [build_network(spec) for _ in range(K)]


@pytest.mark.parametrize(("hidden", "norm"), [((16, 8), "batch"), ((16,), None), ((), None)])
def test_outputs_equal_k_separate_networks_with_the_same_weights(hidden, norm):
    nets = _separate(hidden, norm)
    batched = BatchedMLP(K, D, L, hidden, norm).load_members(nets)
    x = torch.randn(32, D)
    per_member = torch.randn(K, 32, D)
    for mode in ("train", "eval"):  # batch statistics, then running ones
        for net in nets:
            net.train(mode == "train")
        batched.train(mode == "train")
        torch.testing.assert_close(batched(x), torch.stack([net(x) for net in nets]), rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(batched(per_member), torch.stack([net(per_member[k]) for k, net in enumerate(nets)]), rtol=1e-5, atol=1e-6)
    for k, net in enumerate(nets):  # running statistics were updated alike, and member() gives them back
        for a, b in zip(batched.member(k).state_dict().values(), net.state_dict().values()):
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_one_optimizer_step_equals_k_separate_steps():
    nets = _separate((16, 8), "batch")
    batched = BatchedMLP(K, D, L, (16, 8), "batch").load_members(nets)
    x, y = torch.randn(32, D), (torch.rand(32, L) < 0.3).float()
    loss_fn = torch.nn.BCEWithLogitsLoss()
    # the training loop's own parameter groups (decay on ≥ 2-D parameters only) and optimizer
    steps = [adamw(param_groups(m, 0.1), lr=0.01) for m in [*nets, batched]]
    for _ in range(3):
        for opt in steps:
            opt.zero_grad()
        for net in nets:
            loss_fn(net(x), y).backward()
        logits = batched(x)
        # the sum over members of each member's own mean loss: each member gets exactly its own gradient
        (loss_fn(logits.reshape(-1, L), y.repeat(K, 1)) * K).backward()
        for opt in steps:
            opt.step()
    for k, net in enumerate(nets):
        for (name, a), b in zip(batched.member(k).state_dict().items(), net.state_dict().values()):
            torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5, msg=name)


def test_members_start_apart_and_draw_their_own_dropout():
    torch.manual_seed(0)
    batched = BatchedMLP(K, D, L, (16,), None, dropout=0.5)
    assert not torch.equal(batched.weights[0][0], batched.weights[0][1])
    x = torch.randn(8, D)
    batched.load_members([batched.member(0)] * K)  # identical weights: only dropout can separate the members
    out = batched.train()(x)
    assert not torch.equal(out[0], out[1])
    out = batched.eval()(x)
    torch.testing.assert_close(out[0], out[1])


def test_bad_shapes_are_named():
    with pytest.raises(InputError, match="n_members must be ≥ 1"):
        BatchedMLP(0, D, L)
    with pytest.raises(InputError, match="one batch per member"):
        BatchedMLP(K, D, L, (4,))(torch.randn(K + 1, 5, D))


def test_the_average_is_the_probability_ensemble_of_the_members_and_rebuilds_from_its_spec():
    from weaklabel.nn import ProbabilityEnsemble
    from weaklabel.nn.batched import MemberAverage, averaged_spec

    torch.manual_seed(0)
    spec = averaged_spec(K, D, L, (16, 8), "batch", 0.2)
    model = build_network(spec).eval()
    assert isinstance(model, MemberAverage)
    x = torch.randn(20, D)
    reference = ProbabilityEnsemble([model.members.member(k) for k in range(K)]).eval()
    torch.testing.assert_close(model(x), reference(x), rtol=1e-5, atol=1e-5)
    rebuilt = build_network(spec)
    rebuilt.load_state_dict(model.state_dict(), strict=True)  # what a saved model's tensors restore
    torch.testing.assert_close(rebuilt.eval()(x), model(x))
