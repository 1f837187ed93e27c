"""K independent MLPs trained and evaluated at once: stacked weights, batched matrix products.

``BatchedMLP(K, ...)`` holds the parameters of K networks of the shape ``build_network`` makes from an
``"mlp"`` encoder and a ``"linear"`` head (``[Linear → norm → ReLU → dropout] × hidden, then Linear``),
each layer's K weight matrices stacked in one ``(K, in, out)`` tensor. One forward pass computes all K
members with one batched matrix product per layer (``torch.bmm``; an input shared by every member is
a stride-0 view, not K copies), instead of K passes of K times as many small products and Python calls.

The members are independent: a member's output depends only on its own parameters and inputs, and the
sum of the members' losses gives each member exactly its own gradient. Because AdamW and weight decay
act element by element, one optimizer step on the stacked parameters is K separate steps. Weight matrices
are 3-D and every bias and normalisation parameter is stored flat (1-D, ``K · width``), so the training
loop's rule "weight decay on parameters of 2 or more dimensions" (:func:`weaklabel.training.engine.param_groups`)
decays exactly what it decays in K separate networks.

Each member draws its own initial weights (PyTorch's ``nn.Linear`` rule, ``U(±1/√fan_in)``) and its own
dropout masks; it may also see its own rows in its own order (pass a ``(K, B, d)`` input).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ..exceptions import InputError
from .network import Network, build_network, register_network_kind


class BatchedBatchNorm(nn.Module):
    """K ``BatchNorm1d(width)`` layers over a ``(K, B, width)`` input: each member normalises by its own batch."""

    def __init__(self, n_members: int, width: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        super().__init__()
        self.n_members, self.width, self.eps, self.momentum = n_members, width, eps, momentum
        self.weight = nn.Parameter(torch.ones(n_members * width))
        self.bias = nn.Parameter(torch.zeros(n_members * width))
        self.register_buffer("running_mean", torch.zeros(n_members * width))
        self.register_buffer("running_var", torch.ones(n_members * width))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        """``(h − mean) / √(var + eps) · weight + bias`` per member; batch statistics when training (and the
        running averages updated as ``BatchNorm1d`` does, with the unbiased variance), running ones otherwise."""
        shape = (self.n_members, 1, self.width)
        if self.training:
            var, mean = torch.var_mean(h, dim=1, unbiased=False, keepdim=True)
            with torch.no_grad():
                n = h.shape[1]
                unbiased = var * (n / max(n - 1, 1))
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean.reshape(-1))
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * unbiased.reshape(-1))
                self.num_batches_tracked += 1
        else:
            mean, var = self.running_mean.view(shape), self.running_var.view(shape)
        return (h - mean) * torch.rsqrt(var + self.eps) * self.weight.view(shape) + self.bias.view(shape)


class BatchedMLP(nn.Module):
    """K MLPs with a linear head, as ``build_network({"encoder": {"type": "mlp", ...}, "head": {"type": "linear"}})``.

    ``forward(x)``: ``x`` of shape ``(B, d)`` (every member sees the same rows) or ``(K, B, d)`` (member k sees
    ``x[k]``) gives ``(K, B, out_features)``.
    """

    def __init__(
        self,
        n_members: int,
        in_features: int,
        out_features: int,
        hidden_sizes: Sequence[int] = (256, 256),
        norm: str | None = "batch",
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        if int(n_members) < 1:
            raise InputError(f"n_members must be ≥ 1, got {n_members}")
        if norm not in ("batch", None):
            raise InputError(f"BatchedMLP supports norm='batch' or None, got {norm!r}")
        if not 0.0 <= dropout < 1.0:
            raise InputError(f"dropout must be in [0, 1), got {dropout}")
        self.n_members, self.in_features, self.out_features = int(n_members), int(in_features), int(out_features)
        self.hidden_sizes, self.norm, self.dropout = tuple(int(h) for h in hidden_sizes), norm, float(dropout)
        widths = (self.in_features, *self.hidden_sizes, self.out_features)
        n_layers = len(widths) - 1
        self.weights = nn.ParameterList(nn.Parameter(torch.empty(self.n_members, a, b)) for a, b in zip(widths[:-1], widths[1:]))
        # a hidden layer followed by batch norm has no bias (MLPEncoder's Linear(bias=norm is None)); the head has one
        self.biases = nn.ParameterDict(
            {str(i): nn.Parameter(torch.empty(self.n_members * b)) for i, b in enumerate(widths[1:]) if norm is None or i == n_layers - 1}
        )
        self.norms = nn.ModuleList(BatchedBatchNorm(self.n_members, h) for h in self.hidden_sizes) if norm == "batch" else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """``nn.Linear``'s initialisation for every member: weights and biases ``U(±1/√fan_in)``, drawn
        member after member from the global torch generator."""
        with torch.no_grad():
            for i, weight in enumerate(self.weights):
                bound = 1.0 / math.sqrt(weight.shape[1])
                weight.uniform_(-bound, bound)
                if str(i) in self.biases:
                    self.biases[str(i)].uniform_(-bound, bound)

    def _layer(self, i: int, h: torch.Tensor) -> torch.Tensor:
        weight, bias = self.weights[i], self.biases[str(i)] if str(i) in self.biases else None
        if h.ndim == 2:  # one input for every member: a stride-0 view, no copy
            h = h.expand(self.n_members, *h.shape)
        out = torch.bmm(h, weight)
        return out if bias is None else out + bias.view(self.n_members, 1, -1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of every member, ``(K, B, out_features)``."""
        if x.ndim == 3 and x.shape[0] != self.n_members:
            raise InputError(f"a 3-D input must hold one batch per member ({self.n_members}), got shape {tuple(x.shape)}")
        h = x
        for i in range(len(self.hidden_sizes)):
            h = self._layer(i, h)
            if self.norms is not None:
                h = self.norms[i](h)
            h = F.dropout(F.relu(h), self.dropout, self.training)
        return self._layer(len(self.hidden_sizes), h)

    # -- conversion to and from K separate networks ------------------------------
    def member(self, k: int) -> Network:
        """Member ``k`` as a separate :class:`~weaklabel.nn.Network` (a copy of its weights and running statistics)."""
        spec = {
            "encoder": {"type": "mlp", "in_features": self.in_features, "hidden_sizes": list(self.hidden_sizes), "norm": self.norm, "dropout": self.dropout},
            "head": {"type": "linear", "out_features": self.out_features},
        }
        with torch.random.fork_rng(devices=[]):  # the initial weights are overwritten below
            net = build_network(spec)
        with torch.no_grad():
            for (linear, norm), i in zip(_layers(net), range(len(self.weights))):
                width = linear.out_features
                linear.weight.copy_(self.weights[i][k].T)
                if linear.bias is not None:
                    linear.bias.copy_(self.biases[str(i)].view(self.n_members, width)[k])
                if norm is not None:
                    batched = self.norms[i]
                    for name in ("weight", "bias", "running_mean", "running_var"):
                        getattr(norm, name).copy_(getattr(batched, name).view(self.n_members, width)[k])
                    norm.num_batches_tracked.copy_(batched.num_batches_tracked)
        return net

    def load_members(self, networks: Sequence[Network]) -> BatchedMLP:
        """Copy the weights of K separate networks of this shape into the members (the inverse of :meth:`member`)."""
        if len(networks) != self.n_members:
            raise InputError(f"load_members needs {self.n_members} networks, got {len(networks)}")
        with torch.no_grad():
            for k, net in enumerate(networks):
                for (linear, norm), i in zip(_layers(net), range(len(self.weights))):
                    width = linear.out_features
                    self.weights[i][k].copy_(linear.weight.T)
                    if linear.bias is not None:
                        self.biases[str(i)].view(self.n_members, width)[k].copy_(linear.bias)
                    if norm is not None:
                        batched = self.norms[i]
                        for name in ("weight", "bias", "running_mean", "running_var"):
                            getattr(batched, name).view(self.n_members, width)[k].copy_(getattr(norm, name))
        return self


def _layers(net: Network) -> list[tuple[nn.Linear, nn.BatchNorm1d | None]]:
    """``(linear, its batch norm or None)`` for each layer of an MLP network, the head last."""
    modules = list(net.encoder) + [net.head]
    out = []
    for i, module in enumerate(modules):
        if isinstance(module, nn.Linear):
            following = modules[i + 1] if i + 1 < len(modules) else None
            out.append((module, following if isinstance(following, nn.BatchNorm1d) else None))
    return out


class MemberAverage(nn.Module):
    """The logit of the mean probability of a :class:`BatchedMLP`'s members, ``(B, out_features)``: a fitted
    ensemble's prediction (:class:`~weaklabel.nn.ProbabilityEnsemble`'s rule, in log space). Train on
    ``members(x)``, the per-member logits; predict with ``forward``."""

    def __init__(self, members: BatchedMLP) -> None:
        super().__init__()
        self.members = members

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.members(x)
        log_k = math.log(z.shape[0])
        return (torch.logsumexp(F.logsigmoid(z), dim=0) - log_k) - (torch.logsumexp(F.logsigmoid(-z), dim=0) - log_k)


@register_network_kind("averaged_mlp")
def _build_member_average(params: dict) -> MemberAverage:
    return MemberAverage(BatchedMLP(**params))


def averaged_spec(n_members: int, in_features: int, out_features: int, hidden_sizes: Sequence[int], norm: str | None, dropout: float) -> dict:
    """The JSON spec :func:`~weaklabel.nn.build_network` turns into ``MemberAverage(BatchedMLP(...))``."""
    return {
        "averaged_mlp": {
            "n_members": int(n_members),
            "in_features": int(in_features),
            "out_features": int(out_features),
            "hidden_sizes": [int(h) for h in hidden_sizes],
            "norm": norm,
            "dropout": float(dropout),
        }
    }
