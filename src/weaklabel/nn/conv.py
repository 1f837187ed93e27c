"""A small convolutional encoder for image arrays, and random-shift augmentation.

Images are ``(n, channels, height, width)`` or ``(n, height, width)`` (one
channel) of any small size, e.g. 8×8 digits or 28×28 MNIST.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ..exceptions import InputError
from .encoders import register_encoder

__all__ = ["ConvEncoder", "random_shift"]


def _block(in_channels: int, out_channels: int, pool: bool, dropout: float) -> nn.Sequential:
    """``[Conv3×3 (padding 1) → BatchNorm → ReLU] × 2``, then 2×2 max-pooling when ``pool``."""
    layers: list[nn.Module] = []
    for c_in in (in_channels, out_channels):
        layers += [nn.Conv2d(c_in, out_channels, 3, padding=1, bias=False), nn.BatchNorm2d(out_channels), nn.ReLU()]
    if pool:
        layers.append(nn.MaxPool2d(2))
    if dropout > 0:
        layers.append(nn.Dropout2d(dropout))
    return nn.Sequential(*layers)


@register_encoder("conv")
class ConvEncoder(nn.Module):
    """Conv net: input standardisation, conv blocks, global average pooling.

    * the input is standardised per channel by a :class:`~torch.nn.BatchNorm2d`
      without affine parameters (running mean/variance learned in training,
      saved with the weights), so raw pixel values can be fed in;
    * one block per entry of ``channels`` (see :func:`_block`); a block
      halves the spatial size by max-pooling only while both sides are ≥ 4,
      so 8×8 inputs go 8 → 4 → 2 and 28×28 inputs 28 → 14 → 7 → 3;
    * global average pooling gives ``out_features = channels[-1]`` features
      (an estimator puts a linear projection to the embedding on top).
    """

    def __init__(
        self, in_channels: int, height: int, width: int, channels: Sequence[int] = (32, 64, 128), dropout: float = 0.0
    ) -> None:
        super().__init__()
        if min(int(in_channels), int(height), int(width)) < 1:
            raise InputError(f"image shape must be positive, got channels={in_channels}, height={height}, width={width}")
        if not channels or any(int(c) < 1 for c in channels):
            raise InputError(f"channels must be a non-empty list of positive integers, got {channels}")
        if not 0.0 <= dropout < 1.0:
            raise InputError(f"dropout must be in [0, 1), got {dropout}")
        self.in_channels, self.height, self.width = int(in_channels), int(height), int(width)
        self.input_norm = nn.BatchNorm2d(self.in_channels, affine=False)
        blocks: list[nn.Module] = []
        size, width_in = min(self.height, self.width), self.in_channels
        for c in channels:
            pool = size >= 4
            blocks.append(_block(width_in, int(c), pool, dropout))
            size, width_in = (size // 2 if pool else size), int(c)
        self.blocks = nn.Sequential(*blocks)
        self.out_features = width_in

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """The shape of one input image: ``(channels, height, width)``."""
        return (self.in_channels, self.height, self.width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(n, c, h, w)`` or ``(n, h, w)`` images → ``(n, out_features)`` features."""
        if x.ndim == 3:
            x = x.unsqueeze(1)
        if x.shape[1:] != (self.in_channels, self.height, self.width):
            raise InputError(
                f"images have shape {tuple(x.shape[1:])}; this encoder expects "
                f"{(self.in_channels, self.height, self.width)} per sample"
            )
        return self.blocks(self.input_norm(x)).mean(dim=(2, 3))


def random_shift(images: torch.Tensor, max_shift: int, generator: torch.Generator) -> torch.Tensor:
    """Translate each image by its own random ``(dy, dx)`` in ``[-max_shift, max_shift]²``.

    Borders are filled by replicating the edge pixels. ``images`` is
    ``(n, c, h, w)`` or ``(n, h, w)``; offsets are drawn on the CPU from
    ``generator``, so a seeded generator gives the same shifts on any device.
    """
    if max_shift <= 0:
        return images
    squeeze = images.ndim == 3
    x = images.unsqueeze(1) if squeeze else images
    n, c, h, w = x.shape
    padded = F.pad(x, (max_shift,) * 4, mode="replicate")
    offsets = torch.randint(0, 2 * max_shift + 1, (2, n), generator=generator).to(x.device)
    rows = (offsets[0][:, None] + torch.arange(h, device=x.device))[:, None, :, None]
    cols = (offsets[1][:, None] + torch.arange(w, device=x.device))[:, None, None, :]
    batch = torch.arange(n, device=x.device)[:, None, None, None]
    chans = torch.arange(c, device=x.device)[None, :, None, None]
    out = padded[batch, chans, rows, cols]
    return out.squeeze(1) if squeeze else out
