"""What one row costs a network: multiply-adds of its linear and convolution layers, counted on a probe."""

from __future__ import annotations

import torch
from torch import nn

from .network import Network

__all__ = ["multiply_adds_per_row"]

_CONVOLUTIONS = (nn.Conv1d, nn.Conv2d, nn.Conv3d)


def _layer_multiply_adds(layer: nn.Module, output: torch.Tensor) -> int:
    """Multiply-adds of ``layer`` for one row that gave ``output`` (batch of 1): one per weight per output position."""
    if isinstance(layer, nn.Linear):
        return layer.in_features * output.numel()
    weight_per_output = layer.weight[0].numel()  # in_channels / groups × kernel
    return weight_per_output * output.numel()


def _probe(network: Network) -> int:
    """Multiply-adds of ``network``'s forward pass on one zero row, by hooks on its linear and convolution layers
    (eval mode, no gradient: no running statistics or random draws change; the modes are put back)."""
    counted: list[int] = []
    hooks = [
        layer.register_forward_hook(lambda layer, _inputs, output: counted.append(_layer_multiply_adds(layer, output)))
        for layer in network.modules()
        if isinstance(layer, (nn.Linear, *_CONVOLUTIONS))
    ]
    modes = [(m, m.training) for m in network.modules()]
    parameter = next(network.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    try:
        network.eval()
        with torch.no_grad():
            network(torch.zeros((1, *network.encoder.input_shape), device=device))
    finally:
        for hook in hooks:
            hook.remove()
        for module, training in modes:
            module.training = training
    return sum(counted)


def multiply_adds_per_row(module: nn.Module) -> int:
    """Multiply-adds of a forward pass of one row through every :class:`Network` inside ``module`` (a network,
    an ensemble, or a module that holds networks beside a loss); where ``module`` holds no network whose encoder
    declares its ``input_shape``, one per weight of its linear layers (convolutions then count one position)."""
    networks = [m for m in module.modules() if isinstance(m, Network) and hasattr(m.encoder, "input_shape")]
    if networks:
        return sum(_probe(network) for network in networks)
    return sum(m.weight.numel() for m in module.modules() if isinstance(m, (nn.Linear, *_CONVOLUTIONS)))
