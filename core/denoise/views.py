"""Geometric self-ensemble: the noise prediction averaged over flipped and rotated views.

The U-Net is not exactly equivariant to flips and 90-degree rotations, so its errors
differ between views of the same image; the inverse-transformed predictions, averaged,
are better than any one of them ([1]_, "self-ensemble"; [2]_, "x8"). Each view is an
element of the dihedral group of the square, ``x -> rot90(flip?(x), k)``, undone exactly
on the prediction; the noise of ``x_t`` is white, so every view is as valid an input as
the image itself. ``n`` views cost ``n`` network evaluations per step.

How many views a default denoise takes depends on what the network computes in
(:func:`auto_views`): where it runs in half precision (float16 on CUDA, bfloat16 on a CPU
with AMX) 4 views cost no more time than 2 in float32 did, so it takes
:data:`HALF_PRECISION_VIEWS`; in float32, :data:`FLOAT32_VIEWS`.

References
----------
.. [1] R. Timofte, R. Rothe, L. Van Gool, "Seven ways to improve example-based single
   image super resolution", CVPR 2016.
.. [2] B. Lim, S. Son, H. Kim, S. Nah, K. M. Lee, "Enhanced deep residual networks for
   single image super-resolution", CVPRW 2017.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Protocol, TypeVar

import torch

from core.diffusion.model import DiffusionModel
from core.view_counts import VIEW_COUNTS, view_counts_text

Report = TypeVar("Report")

HALF_PRECISION_VIEWS = 4
"""Views of a default denoise whose network runs in float16 or bfloat16. On 8 held-out films
averaged 4 x 4 and zoomed 3 x (noisy PSNR 43, 36 and 30 dB), the shipped model's margin over
BM3D with the generalised Anscombe transform and the oracle noise level was +1.25 / +0.94 /
+0.77 dB with 2 views, +1.32 / +1.00 / +0.83 with 4 and +1.38 / +1.05 / +0.87 with 8
(bfloat16; float32 within 0.002 dB). The whole default job on a 1955 x 1841 CR on a 2-core
CPU with AMX took 0.114 of BM3D's time with 4 views in bfloat16 (0.158 with 2 in float32,
0.210 with 8; the target is 0.25); 2048 x 2048 on an NVIDIA H100 in float16, warm, median
of 7: 0.614 s with 2 views, 0.680 s with 4, 0.930 s with 8 (the target is 1 s). Measured
2026-11-27."""

FLOAT32_VIEWS = 2
"""Views of a default denoise whose network runs in float32 (a CPU without AMX, Apple MPS,
or ``precision="float32"``): the whole default job on a 1955 x 1841 CR on 2 CPU cores took
0.158 of BM3D's time with 2 views and 0.244-0.285 with 4, over the target of 0.25
(2026-11-27)."""


def auto_views(dtype: torch.dtype) -> int:
    """Choose the number of views of a denoise whose network computes in ``dtype``.

    Parameters
    ----------
    dtype : torch.dtype
        What the network computes in (:func:`core.device.inference_dtype`).

    Returns
    -------
    int
        :data:`HALF_PRECISION_VIEWS` (4) for float16 or bfloat16, where 4 views cost no
        more time than 2 in float32 and gain about 0.06 dB; :data:`FLOAT32_VIEWS` (2)
        otherwise.
    """
    return HALF_PRECISION_VIEWS if dtype in (torch.float16, torch.bfloat16) else FLOAT32_VIEWS


@dataclass(frozen=True)
class View:
    """``x -> rot90(x flipped left-right if flip, k)`` over the last two axes.

    Parameters
    ----------
    quarter_turns : int
        ``k``, counter-clockwise quarter turns (0-3).
    flip : bool
        Mirror left-right first.
    """

    quarter_turns: int
    flip: bool

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        """Transform ``x`` (any shape ``(..., H, W)``)."""
        if self.flip:
            x = x.flip(-1)
        return torch.rot90(x, self.quarter_turns, dims=(-2, -1)).contiguous()

    def undo(self, y: torch.Tensor) -> torch.Tensor:
        """Invert :meth:`apply`."""
        y = torch.rot90(y, -self.quarter_turns, dims=(-2, -1))
        return (y.flip(-1) if self.flip else y).contiguous()


DIHEDRAL_VIEWS = (
    View(0, False),  # the image
    View(0, True),  # mirrored left-right
    View(2, True),  # mirrored top-bottom
    View(2, False),  # turned half-way
    View(1, False),
    View(3, False),
    View(1, True),
    View(3, True),
)
"""The eight views, in the order :func:`views` takes them."""


def views(n: int) -> tuple[View, ...]:
    """Take the first ``n`` views of :data:`DIHEDRAL_VIEWS`.

    Parameters
    ----------
    n : {1, 2, 4, 8}
        1: the image alone; 2: with its mirror image; 4: the four mirror images;
        8: every flip and quarter turn.

    Returns
    -------
    tuple of View
    """
    if n not in VIEW_COUNTS:
        raise ValueError(f"views must be {view_counts_text()}, got {n!r}")
    return DIHEDRAL_VIEWS[:n]


class NoiseEvaluator(Protocol):
    """What :class:`ViewEnsemble` wraps: :class:`core.denoise.tiling.TiledEvaluator`."""

    model: DiffusionModel

    def evaluate(
        self, x: torch.Tensor, t: float, report: Callable[[int, int], Report]
    ) -> Generator[Report, None, torch.Tensor]:
        """Yield ``report(done, total)`` per network call; return ``eps``."""


@dataclass(frozen=True)
class ViewEnsemble:
    """A noise evaluator that averages another over views.

    Parameters
    ----------
    evaluator : NoiseEvaluator
        Evaluates ``eps`` over a whole image (tiled).
    views : tuple of View
        From :func:`views`.
    """

    evaluator: NoiseEvaluator
    views: tuple[View, ...]

    @property
    def model(self) -> DiffusionModel:
        """The wrapped evaluator's model."""
        return self.evaluator.model

    def evaluate(
        self, x: torch.Tensor, t: float, report: Callable[[int, int], Report]
    ) -> Generator[Report, None, torch.Tensor]:
        """Evaluate ``eps`` in every view and average the views' predictions.

        Parameters
        ----------
        x : Tensor, shape (1, 1, H, W)
            ``x_t``.
        t : float
            Its time.
        report : callable
            ``report(network calls done, network calls)`` over all views.

        Yields
        ------
        object
            ``report``'s value after each network call.

        Returns
        -------
        Tensor
            The averaged ``eps``, shape of ``x``.
        """
        n_views = len(self.views)
        total = None
        for index, view in enumerate(self.views):

            def view_report(done: int, calls: int, index: int = index) -> Report:
                return report(index * calls + done, n_views * calls)

            eps = yield from self.evaluator.evaluate(view.apply(x), t, view_report)
            eps = view.undo(eps)
            total = eps if total is None else total + eps
        assert total is not None
        return total / n_views
