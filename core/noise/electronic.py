"""Whether measured quanta hang on the electronic noise assumed for the detector.

A measurement of the quanta (:meth:`core.noise.LowDoseSettings.measured_from`)
takes the electronic noise ``s`` as given: one image's noise-level function pins
it down poorly, and a wrong ``s`` is absorbed by the slope and the quantum
variance of the fit. Phantoms at 2000 quanta per unattenuated pixel (768 px)
taken with ``s`` = 8, 12 and 20 and measured assuming 4 came out 13, 26 and 49 %
short of quanta, and a 25 % simulation from them held 0.43-0.83, 0.28-0.69 and
0.18-0.55 of the true noise variance (least where fewest quanta arrive). The fit
cannot tell these apart from the truth: its cost over ``s`` is nearly flat near
the assumed value and its minimum lies near 4-6 for all three. What the image does
tell is (a) how much the quanta change with ``s``, and (b) where ``s`` fits the
noise markedly worse than another value (an image without electronic noise
measured assuming 4, say). :func:`electronic_noise_problem` says either.
"""

from __future__ import annotations

import math

import numpy as np

from core.image import XrayImage
from core.noise.dose import LowDoseSettings, monochrome2_twin, quantum_noise_levels
from core.noise.estimate import NoiseLevelFunction
from core.noise.image_noise import NoiseEstimate
from core.noise.logdetector import MAD_VARIANCE, electronic_noise_profile, fit_log_detector
from core.noise.value_range import ValueRange, value_range

__all__ = ["ELECTRONIC_SENSITIVITY", "electronic_noise_problem"]

ELECTRONIC_SENSITIVITY = 0.1
"""Measured quanta that change by more than this share (10 %) when the assumed electronic
noise is halved or doubled depend on it enough to warn of."""

INCONSISTENT_CHI2 = 10.0
"""A rise of the fit's chi-square over its best over the electronic noise beyond this says
the assumed value does not fit the image. The noise-level function's own bias moves the
chi-square too: a phantom at 200 quanta taken and measured with 4 rose by 8 over its best
(at 0); ones taken with 0 and 20 and measured assuming 4 rose by 13 and 39 (768 px, 2000
quanta)."""

PROFILE_NOISES = (0.0, 1.0, 2.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0, 48.0, 64.0)
"""Electronic noises (quanta rms) the fit's cost is profiled over, besides the assumed one."""


def _chi2_unit(nlf: NoiseLevelFunction, cost: float) -> float:
    """Rise in cost that is one unit of chi-square (scaled by the reduced chi-square)."""
    total = float(np.sum(nlf.counts))
    degrees = max(nlf.intensities.size - 2, 1)
    return max(MAD_VARIANCE / total, cost / degrees)


def electronic_noise_problem(
    image: XrayImage,
    settings: LowDoseSettings,
    *,
    noise: NoiseEstimate | None = None,
    values: ValueRange | None = None,
) -> str | None:
    """Say where quanta measured from an image hang on the electronic noise assumed.

    Parameters
    ----------
    image : XrayImage
        The image the quanta were measured from.
    settings : LowDoseSettings
        Its measured settings (:meth:`core.noise.LowDoseSettings.measured_from`);
        entered ones (``measured`` False) are not judged.
    noise : NoiseEstimate, optional
        The image's noise estimate if already made; made here otherwise. Not used for
        a MONOCHROME1 image, judged on its MONOCHROME2 twin as its quanta were measured
        (:func:`core.noise.dose.monochrome2_twin`).
    values : ValueRange, optional
        The image's range of values (:func:`core.noise.value_range.value_range`) if
        already found; found here otherwise (a pass over the image).

    Returns
    -------
    str or None
        One line (no capital, no full stop) where halving or doubling the assumed
        noise changes the quanta by more than :data:`ELECTRONIC_SENSITIVITY`, or
        another noise fits the image by more than :data:`INCONSISTENT_CHI2` units
        of chi-square better; None otherwise, or where no log detector fits.
    """
    if not settings.measured:
        return None
    if image.photometric == "MONOCHROME1":  # judged as measured: on its twin, with its noise
        values = value_range(image) if values is None else values
        return electronic_noise_problem(monochrome2_twin(image, values), settings, values=values)
    own = noise if noise is not None else NoiseEstimate.of_image(image)
    try:
        nlf = quantum_noise_levels(image, own.nlf)
    except ValueError:
        return None
    electronic_noise = settings.electronic_noise
    value = settings.detector_for(image, values=values).value_at_zero_attenuation
    fit = fit_log_detector(nlf, electronic_noise=electronic_noise)
    if fit is None:
        return None
    low, high = (
        (0.0, 2.0) if electronic_noise == 0 else (electronic_noise / 2, 2 * electronic_noise)
    )
    noises = np.array([electronic_noise, low, high, *PROFILE_NOISES])
    costs, counts = electronic_noise_profile(nlf, fit, noises, value)
    if not math.isfinite(costs[0]):
        return None
    said = []
    best = int(np.argmin(costs))
    rise = (costs[0] - costs[best]) / _chi2_unit(nlf, float(costs[best]))
    if rise > INCONSISTENT_CHI2:
        said.append(
            f"its noise fits an electronic noise of {noises[best]:g} quanta rms better than "
            f"the {electronic_noise:g} assumed (by {rise:.0f} units of chi-square)"
        )
    shifts = [abs(q / counts[0] - 1.0) for q in counts[1:3] if math.isfinite(q)]
    if shifts and max(shifts) > ELECTRONIC_SENSITIVITY:
        said.append(
            f"the measured quanta depend on the electronic noise assumed, {electronic_noise:g} "
            f"quanta rms, which its noise pins down poorly: {counts[1]:.0f} at {low:g} and "
            f"{counts[2]:.0f} at {high:g} quanta rms, against {counts[0]:.0f}"
        )
    if not said:
        return None
    return "; ".join(said) + " (give the detector's own electronic noise)"
