"""Geometric self-ensemble: the noise prediction averaged over flipped and rotated views.

The U-Net is not exactly equivariant to flips and 90-degree rotations, so its errors
differ between views of the same image; the inverse-transformed predictions, averaged,
are better than any one of them ([1]_, "self-ensemble"; [2]_, "x8"). Each view is an
element of the dihedral group of the square, ``x -> rot90(flip?(x), k)``, undone exactly
on the prediction; the noise of ``x_t`` is white, so every view is as valid an input as
the image itself. ``n`` views cost ``n`` network evaluations per step.

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

Report = TypeVar("Report")

VIEW_COUNTS = (1, 2, 4, 8)
"""Allowed numbers of views: the identity, then mirror images, then rotations."""

DEFAULT_VIEWS = 2
"""Views of a default denoise. On clean references smooth at the pixel scale like a
full-resolution radiograph (8 held-out films averaged 4 x 4, then zoomed 3 x to about 480 px;
noisy PSNR 43, 36 and 30 dB), the shipped model scored 52.63 / 47.96 / 44.57 dB with one view,
52.75 / 48.07 / 44.67 with 2 and 52.81 / 48.12 / 44.73 with 4. The whole default job on a
1955 x 1841 image took 0.158 of BM3D's time on 2 CPU cores with 2 views, and 0.244-0.285 with
4, over the target of 0.25 (README, "How well it works today")."""


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
        raise ValueError(f"views must be 1, 2, 4 or 8, got {n!r}")
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
