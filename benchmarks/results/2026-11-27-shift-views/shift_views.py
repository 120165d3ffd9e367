"""Views shifted by a pixel besides the flips: does the self-ensemble gain from the grid's phase?

The U-Net pixel-unshuffles its input by 2, so a flip keeps the 2 x 2 blocks the network sees
and only a shift by one pixel shows it other blocks. This wraps ``benchmarks/denoise_bench.py``
with ``core.denoise.pipeline.views`` replaced: the first ``D`` dihedral views, each also shifted
by ``(1, 1)``, ``(1, 0)`` and ``(0, 1)`` pixels for ``S`` shifts (a reflected row and column on
the top and left, cropped off the prediction). ``VIEWSPEC=d4`` is the default ensemble,
``d2s2`` four views of which two are shifted, ``d4s2`` eight. Run from the repository root::

    VIEWSPEC=d2s2 .venv/bin/python benchmarks/results/2026-11-27-shift-views/shift_views.py \\
        HELD --limit 8 --crop 512 --downscale 4 --upscale 3 --threads 1 --views 4 \\
        --methods project --output d2s2.md --json d2s2.json
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[3]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import denoise_bench  # noqa: E402

import core.denoise.pipeline as pipeline  # noqa: E402
from core.denoise.views import DIHEDRAL_VIEWS, View  # noqa: E402

SHIFTS = ((0, 0), (1, 1), (1, 0), (0, 1))


@dataclass(frozen=True)
class ShiftedView:
    """A dihedral view, then ``dy`` rows and ``dx`` columns reflected in on the top and left."""

    base: View
    dy: int
    dx: int

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        x = self.base.apply(x)
        if self.dy or self.dx:
            x = F.pad(x, (self.dx, 0, self.dy, 0), mode="reflect")
        return x.contiguous()

    def undo(self, y: torch.Tensor) -> torch.Tensor:
        return self.base.undo(y[..., self.dy :, self.dx :])


def shifted_views(_n: int) -> tuple[ShiftedView, ...]:
    """The views ``VIEWSPEC`` names (``d<dihedral>`` or ``d<dihedral>s<shifts>``)."""
    spec = os.environ["VIEWSPEC"]
    dihedral, _, shifts = spec[1:].partition("s")
    return tuple(
        ShiftedView(base, dy, dx)
        for base in DIHEDRAL_VIEWS[: int(dihedral)]
        for dy, dx in SHIFTS[: int(shifts or 1)]
    )


if __name__ == "__main__":
    pipeline.views = shifted_views
    sys.exit(denoise_bench.main(sys.argv[1:]))
