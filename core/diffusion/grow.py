"""Deepen a trained U-Net without changing what it computes.

Every residual block of :class:`~core.diffusion.unet.UNet` returns ``x + conv2(...)``
with ``conv2`` zero-initialised, and its attention ``x + proj(...)`` with ``proj``
zero-initialised, so a block appended to a stage is the identity until training moves
it. A network with more blocks per level or more blocks at the lowest resolution can
therefore start from a smaller one's weights and compute exactly its function: a
fine-tune gains depth (capacity and receptive field) without first losing what the
smaller network learned (the function-preserving growth of Net2Net [1]_, for depth).

References
----------
.. [1] T. Chen, I. Goodfellow, J. Shlens. Net2Net: Accelerating Learning via Knowledge
   Transfer. ICLR 2016.
"""

from __future__ import annotations

import dataclasses

import torch
from torch import nn

from core.diffusion.unet import ResBlock, SelfAttention, UNet, UNetConfig

_DEPTH_FIELDS = ("blocks_per_level", "mid_blocks")


def is_deepening(source: UNetConfig, target: UNetConfig) -> bool:
    """Whether ``target`` differs from ``source`` only by as many or more blocks.

    Parameters
    ----------
    source, target : UNetConfig
        Architectures of the trained network and of the deeper one.

    Returns
    -------
    bool
        True when every field but ``blocks_per_level`` and ``mid_blocks`` is equal and
        neither count is smaller in ``target``.
    """
    reset = {name: 0 for name in _DEPTH_FIELDS}
    return dataclasses.replace(source, **reset) == dataclasses.replace(target, **reset) and all(
        getattr(target, name) >= getattr(source, name) for name in _DEPTH_FIELDS
    )


def load_deepened(target: UNet, source: UNet) -> None:
    """Give ``target`` the weights of the shallower ``source``, new blocks as identities.

    Each stage's first blocks take the weights of ``source``'s blocks of that stage;
    the blocks beyond them get a zero output convolution (and a zero attention
    projection), which makes them the identity, so ``target`` computes ``source``'s
    function. Their other weights keep ``target``'s initialisation.

    Parameters
    ----------
    target : UNet
        The deeper network; changed in place.
    source : UNet
        The trained network.

    Raises
    ------
    ValueError
        If ``target``'s architecture is not a deepening of ``source``'s.
    """
    if not is_deepening(source.config, target.config):
        raise ValueError(
            "the new architecture must equal the trained one but for more blocks per level "
            f"or at the bottom; got {source.config} -> {target.config}"
        )
    state = target.state_dict()
    state.update(source.state_dict())
    target.load_state_dict(state)
    pairs = [(target.mid, source.mid)]
    pairs += zip(target.down_stages, source.down_stages, strict=True)
    pairs += zip(target.up_stages, source.up_stages, strict=True)
    with torch.no_grad():
        for grown, trained in pairs:
            n_trained = len(trained.blocks)
            for block, attn in zip(grown.blocks[n_trained:], grown.attns[n_trained:], strict=True):
                _zero_output(block, attn)


def _zero_output(block: ResBlock, attn: nn.Module) -> None:
    nn.init.zeros_(block.conv2.weight)
    nn.init.zeros_(block.conv2.bias)
    if isinstance(attn, SelfAttention):
        nn.init.zeros_(attn.proj.weight)
        nn.init.zeros_(attn.proj.bias)
