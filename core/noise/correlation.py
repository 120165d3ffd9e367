"""Noise correlated between neighbouring pixels, told from the image alone.

The noise-level function (:mod:`core.noise.estimate`) measures only the noise
that is white at the pixel scale. A detector's blur (the MTF of its scintillator
or phosphor) or image processing correlates the noise of neighbouring pixels, and
the estimate then falls short of the pixels' real noise; the quanta measured from
it (:meth:`core.noise.LowDoseSettings.measured_from`) come out far too many: on a
1024 px phantom taken at 20,000 quanta whose quanta were blurred by a Gaussian of
0.35, 0.4, 0.45, 0.5, 0.6 and 0.7 pixels, 1.2, 1.8, 3.0, 5.6, 24 and 87 times too
many.

Averaging 2 x 2 pixels halves the standard deviation of white noise, and halves
correlated noise less. So the noise-level function of the image binned 2 x 2 is
compared with the image's own at the same intensities (binning keeps the local
mean): the count-weighted median of their ratio over the binned function's bins,
:func:`binned_noise_ratio`, is 0.5 for white noise, whatever its level and its
dependence on intensity. Measured: 0.41-0.55 on phantoms taken at 2,000 to
200,000 quanta (512, 768 and 1024 px, 3 seeds each) and 0.49 on the bundled
sample; 0.50-0.62 (median 0.55) on the 243 training films, downscaled with grain
of their own; 0.52, 0.58, 0.66, 0.79, 1.22 and 1.91 on the blurred phantoms above.
Anatomy, stronger against the noise in the binned image, moves the ratio a little
on small textured images, and the ratio of a bin is a ratio of two estimates, so
:data:`MAX_BINNED_RATIO` leaves room above both.
"""

from __future__ import annotations

import numpy as np

from core.noise.estimate import (
    NoiseLevelFunction,
    bin_count_for,
    estimate_noise_level_function,
)

__all__ = ["MAX_BINNED_RATIO", "WHITE_BINNED_RATIO", "binned_noise_ratio", "correlation_problem"]

WHITE_BINNED_RATIO = 0.5
"""Noise std left by averaging 2 x 2 pixels of white noise."""

MAX_BINNED_RATIO = 0.65
"""Above this the noise is taken as correlated (there the quanta come out 3 times too many)."""

BINNED_BINS = 8
"""Intensity bins of the binned image's noise-level function."""


def _binned(pixels: np.ndarray) -> np.ndarray:
    """Average 2 x 2 blocks (an odd last row or column is left out)."""
    rows, cols = pixels.shape[0] // 2 * 2, pixels.shape[1] // 2 * 2
    blocks = np.asarray(pixels[:rows, :cols], dtype=np.float64).reshape(rows // 2, 2, cols // 2, 2)
    return blocks.mean(axis=(1, 3))


def binned_noise_ratio(pixels: np.ndarray, nlf: NoiseLevelFunction) -> float | None:
    """Noise std of the image binned 2 x 2 over its own, at the same intensities.

    Parameters
    ----------
    pixels : ndarray, shape (rows, cols)
        The image.
    nlf : NoiseLevelFunction
        Its noise-level function (:func:`core.noise.estimate_noise_level_function`).

    Returns
    -------
    float or None
        The count-weighted median of the ratio over the binned image's noise-level
        bins within ``nlf``'s intensities: :data:`WHITE_BINNED_RATIO` for white
        noise, more for noise correlated between neighbouring pixels. None where
        the binned image's noise cannot be measured there (too small, too flat).
    """
    binned = _binned(pixels)
    try:
        coarse = estimate_noise_level_function(
            binned, n_bins=BINNED_BINS, min_count=max(10, bin_count_for(binned.shape) // 4)
        )
    except ValueError:
        return None
    inside = (coarse.intensities >= nlf.intensities[0]) & (
        coarse.intensities <= nlf.intensities[-1]
    )
    return coarse.median_ratio(nlf(coarse.intensities), where=inside)


def correlation_problem(pixels: np.ndarray, nlf: NoiseLevelFunction) -> str | None:
    """Say why the noise is too correlated to tell the quanta from, or return None.

    Parameters
    ----------
    pixels : ndarray, shape (rows, cols)
        The image.
    nlf : NoiseLevelFunction
        Its noise-level function.

    Returns
    -------
    str or None
        One line (no capital, no full stop) where :func:`binned_noise_ratio` exceeds
        :data:`MAX_BINNED_RATIO`; None where it does not or cannot be measured.
    """
    ratio = binned_noise_ratio(pixels, nlf)
    if ratio is None or ratio <= MAX_BINNED_RATIO:
        return None
    return (
        "its noise is correlated between neighbouring pixels, as a detector's blur makes "
        f"it: averaging 2 x 2 pixels leaves {ratio:.2f} of it where white noise would leave "
        f"{WHITE_BINNED_RATIO:g}, so the quanta measured from it would be too many"
    )
