"""A warning where much of the anatomy detected so few quanta that denoised values read low.

Where a log detector's pixels detect few quanta, many detect none, the log clips them,
and the denoised values come out below the noise-free ones (``benchmarks/bias_by_counts.py``,
512 px chest phantoms, 2 seeds, the shipped model at its defaults;
``benchmarks/results/2026-11-27-bias/``): at 500 quanta per unattenuated pixel, the
pixels that detect 2-5 quanta read 2.6-3.1 % low; at 200 quanta, those at 5-10 quanta
3.8-4.3 % low, at 2-5 9.8-10.3 % and under 2 17.7-17.9 %. Wherever the pixels detect 5
quanta or more at 500 quanta and more, the denoised mean lies within 1 % of the
noise-free one. :func:`low_quanta_warning` counts the anatomy's pixels below those
quanta, as a fitted log detector reads the denoised values, so that the user is told.

The quanta behind a pixel hang on the detector's slope, which the noise of one image
pins down poorly: with the electronic noise free, as the denoise fits it, the slope
trades against it, and on the phantom at 500 quanta (electronic noise 4) that fit put
2.2 times the true quanta behind its reference intensity and no pixel under 5 quanta,
where 3.5 % were. Fitted at the assumed electronic noise, as the dose measurement does
(:meth:`core.noise.LowDoseSettings.measured_from`), the quanta come out within 5 % of
the truth when that assumption holds, and far off when it does not (none under 5 at
200 quanta for a true electronic noise of 0.5, where 25 % were). :func:`quanta_detectors`
therefore reads the quanta both ways, and the warning takes the reading that puts
more of the anatomy below :data:`LOW_QUANTA`.

So read, the benchmark's 512 px phantoms (electronic noise 4 quanta; the shipped model
at its defaults; seeds 0 and 1) put 41-42 % of the image under 5 quanta at 200 quanta
per unattenuated pixel (truly 25 %) and 1.8-3.2 % at 500 (truly 3.5 %), and warned;
at 1000, 2000 and 20,000 quanta at most 0.04 %, and did not warn. With an electronic
noise of 0.5, 2 or 8 quanta (seed 0) it warned at 200 and 500 quanta (6-36 % at 500)
and not at 2000 or 20,000; at 1000 it warned only with 8 (3.4 %, truly none under 5,
but the noise there is that of fewer than 1.4 quanta, a regime the bias was not
measured in).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.image import XrayImage
from core.noise import DEFAULT_ELECTRONIC_NOISE, LogDetectorFit, NoiseEstimate, fit_log_detector
from core.noise.dose import quantum_noise_levels

LOW_QUANTA = 5.0
"""Expected detected quanta per pixel below which denoised values read low: 2.6-3.1 % at
2-5 quanta (500 per unattenuated pixel), 9.8-10.3 % at 2-5 and 3.8-4.3 % at 5-10 quanta
(200 per unattenuated pixel); within 1 % at 5 quanta and more from 500 on."""

VERY_LOW_QUANTA = 2.0
"""Quanta per pixel below which the bias was largest: 17.7-17.9 % low (200 quanta per
unattenuated pixel)."""

MIN_SHARE = 0.01
"""Share of the anatomy below :data:`LOW_QUANTA` from which the warning is given (1 %).

A structure, not stray pixels: 1 % of a 512 px image is a patch of 51 x 51 pixels, of a
2000 px radiograph one of 200 x 200 (a vertebra, the heart's shadow). The densest pixels
of the benchmark's phantom at 500 quanta, 3.5 % of it, read 2.6-3.1 % low; the denoised
values themselves read low there, more quanta than were detected, so the share counted
from them falls short of the true one and the threshold is kept well below it. At 1000
quanta and more no pixel of the phantom detects under 5 quanta."""


@dataclass(frozen=True)
class LowQuantaWarning:
    """Much of the anatomy detected few quanta: its denoised values read low.

    The shares are read from the image's noise (:func:`quanta_detectors`), and on
    phantoms they were from half to ten times the true ones (module docstring): they
    tell the regime, not a measurement.

    Parameters
    ----------
    share_below_low : float
        Share of the anatomy (the pixels that are not padding) whose denoised value
        the fitted detector puts below :data:`LOW_QUANTA` expected quanta, in ``[0, 1]``.
    share_below_very_low : float
        The share below :data:`VERY_LOW_QUANTA` (part of the one above).
    """

    share_below_low: float
    share_below_very_low: float

    def describe(self) -> str:
        """One line: the shares, and what they mean for the denoised values.

        Returns
        -------
        str
            For example ``"few quanta: by its noise, 3.2 % of the anatomy detected under
            5 per pixel (0.0 % under 2), where denoised values read low (on phantoms by
            3-10 % at 2-5 quanta, 18 % under 2)"``.
        """
        return (
            f"few quanta: by its noise, {100 * self.share_below_low:.1f} % of the anatomy "
            f"detected under {LOW_QUANTA:g} per pixel ({100 * self.share_below_very_low:.1f} % "
            f"under {VERY_LOW_QUANTA:g}), where denoised values read low (on phantoms by 3-10 % "
            "at 2-5 quanta, 18 % under 2)"
        )

    def to_dict(self) -> dict[str, float | str]:
        """Return the shares and :meth:`describe`'s line as plain values (JSON).

        Returns
        -------
        dict
            ``share_below_5_quanta``, ``share_below_2_quanta`` and ``warning``.
        """
        return {
            f"share_below_{LOW_QUANTA:g}_quanta": self.share_below_low,
            f"share_below_{VERY_LOW_QUANTA:g}_quanta": self.share_below_very_low,
            "warning": self.describe(),
        }


def quanta_detectors(
    image: XrayImage,
    noise: NoiseEstimate,
    *,
    electronic_noise: float = DEFAULT_ELECTRONIC_NOISE,
) -> tuple[LogDetectorFit, ...]:
    """Return the log detectors that read the quanta behind an image's pixels.

    Parameters
    ----------
    image : XrayImage
        The noisy image (its stored step is taken out of the noise levels,
        :func:`core.noise.dose.quantum_noise_levels`).
    noise : NoiseEstimate
        Its noise as the denoise took it (:func:`core.denoise.estimate_image_noise`),
        whose ``detector`` is the one the denoise stabilised with, or None.
    electronic_noise : float
        The electronic noise assumed, in quanta (that of ``xray-denoise simulate``).

    Returns
    -------
    tuple of LogDetectorFit
        Empty where the denoise found no log detector (noise not a log detector's,
        or signal-independent: the bias is a log detector's). Else its detector,
        then, where it fits (accepted; slopes of its sign only), the noise-level function
        fitted at ``electronic_noise``.
    """
    if noise.detector is None:
        return ()
    try:
        fixed = fit_log_detector(
            quantum_noise_levels(image, noise.nlf),
            electronic_noise=electronic_noise,
            sign=1 if noise.detector.value_per_attenuation > 0 else -1,
        )
    except ValueError:  # rounding explains the noise somewhere: no second reading
        fixed = None
    if fixed is None or not fixed.accepted:
        return (noise.detector,)
    return noise.detector, fixed


def _share_below(pixels: np.ndarray, detector: LogDetectorFit, quanta: float) -> float:
    """Share of ``pixels`` whose quanta (:meth:`LogDetectorFit.counts`) are below ``quanta``.

    Counts fall as ``(p - p_ref) / v`` rises, so the comparison is made on the pixel
    value of ``quanta`` (:meth:`LogDetectorFit.values`), not on counts of every pixel.
    """
    limit = float(detector.values(np.array([quanta]))[0])
    below = pixels > limit if detector.value_per_attenuation > 0 else pixels < limit
    return float(np.count_nonzero(below) / pixels.size)


def low_quanta_warning(
    denoised: XrayImage,
    detectors: Sequence[LogDetectorFit],
    *,
    min_share: float = MIN_SHARE,
) -> LowQuantaWarning | None:
    """Warn where much of the anatomy detected under :data:`LOW_QUANTA` quanta per pixel.

    Parameters
    ----------
    denoised : XrayImage
        The denoised image; its padding (:attr:`XrayImage.padding_mask`) is no anatomy.
    detectors : sequence of LogDetectorFit
        The readings of the quanta behind its values (:func:`quanta_detectors`); the
        one that puts the largest share below :data:`LOW_QUANTA` counts. Empty where
        the denoise found no log detector: then no warning is given.
    min_share : float
        Share of the anatomy below :data:`LOW_QUANTA` from which to warn.

    Returns
    -------
    LowQuantaWarning or None
        The shares where the one below :data:`LOW_QUANTA` is at least ``min_share``;
        None otherwise, without a detector, or for an image of nothing but padding.
    """
    mask = denoised.padding_mask
    anatomy = denoised.pixels if mask is None else denoised.pixels[~mask]
    if not detectors or anatomy.size == 0:
        return None
    shares = [_share_below(anatomy, detector, LOW_QUANTA) for detector in detectors]
    share = max(shares)
    if share < min_share:
        return None
    detector = detectors[shares.index(share)]
    return LowQuantaWarning(share, _share_below(anatomy, detector, VERY_LOW_QUANTA))
