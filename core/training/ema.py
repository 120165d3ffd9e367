"""Exponential moving average of network weights.

References
----------
.. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models. NeurIPS 2020
   (EMA decay 0.9999 for sampling).
"""

from __future__ import annotations

import copy

import torch
from torch import nn


class EMA:
    """A frozen copy of a network whose weights trail the trained ones.

    Parameters
    ----------
    network : nn.Module
        The trained network (unwrapped from DDP).
    decay : float
        Final decay; early on it is ``min(decay, (1 + step) / (10 + step))`` so the
        average is not dominated by the initial weights.
    """

    def __init__(self, network: nn.Module, decay: float) -> None:
        if not 0 <= decay < 1:
            raise ValueError(f"EMA decay must lie in [0, 1), got {decay}")
        self.decay = decay
        self.network = copy.deepcopy(network).eval().requires_grad_(False)

    def decay_at(self, step: int) -> float:
        """Decay used for the update after ``step`` optimiser steps."""
        return min(self.decay, (1 + step) / (10 + step))

    @torch.no_grad()
    def update(self, network: nn.Module, step: int) -> None:
        """Move the average towards ``network``'s current weights."""
        weight = 1.0 - self.decay_at(step)
        for avg, new in zip(self.network.parameters(), network.parameters(), strict=True):
            avg.lerp_(new.detach(), weight)
        for avg, new in zip(self.network.buffers(), network.buffers(), strict=True):
            avg.copy_(new)
