"""Whether an image holds the noise of the detector a simulation is told it was taken with.

A low-dose simulation thins the quanta of a noisy image (``input_is_noisy``); of
a noise-free one (a rendered phantom) it must draw all the noise of the lower
dose instead. Thinning a noise-free image at dose ``d`` adds only ``1 - d`` of
that noise: a 25 % dose comes out with the noise of a 33 % one, and a full dose
without any. Where the quanta are entered rather than measured, the image's own
noise says which it is: a noisy image at the entered quanta holds about the
variance they predict, a noise-free one only its quantisation's.
"""

from __future__ import annotations

import numpy as np

from core.image import XrayImage
from core.noise.dose import LowDoseSettings
from core.noise.image_noise import NoiseEstimate
from core.noise.value_range import ValueRange

__all__ = ["NOISE_FREE_SHARE", "noise_free_problem", "noise_share"]

NOISE_FREE_SHARE = 0.25
"""An image holding less than this share of the predicted variance looks noise-free."""


def noise_share(
    image: XrayImage,
    settings: LowDoseSettings,
    *,
    noise: NoiseEstimate | None = None,
    values: ValueRange | None = None,
) -> float | None:
    """Share of the variance the settings' full-dose detector predicts that the image holds.

    Parameters
    ----------
    image : XrayImage
        The image to simulate from.
    settings : LowDoseSettings
        The detector it is said to have been taken with (its dose does not matter).
    noise : NoiseEstimate, optional
        The image's noise estimate if already made; made here otherwise.
    values : ValueRange, optional
        The image's range of values (:func:`core.noise.value_range.value_range`) if
        already found; found here otherwise (a pass over the image).

    Returns
    -------
    float or None
        The count-weighted median over the noise-level bins of the estimated over
        the predicted variance (``DetectorModel.variance``): about 1 for an image
        taken with that detector, near 0 for a noise-free one. None where the
        image's noise cannot be estimated.
    """
    if noise is None:
        try:
            noise = NoiseEstimate.of_image(image)
        except ValueError:
            return None
    nlf = noise.nlf
    predicted = settings.detector_for(image, values=values).variance(nlf.intensities)
    ratio = nlf.median_ratio(np.sqrt(predicted))
    return None if ratio is None else ratio * ratio


def noise_free_problem(
    image: XrayImage,
    settings: LowDoseSettings,
    *,
    noise: NoiseEstimate | None = None,
    values: ValueRange | None = None,
) -> str | None:
    """Say that the image looks noise-free where settings for a noisy one are given.

    Parameters
    ----------
    image : XrayImage
        The image to simulate from.
    settings : LowDoseSettings
        Entered settings with ``input_is_noisy`` True.
    noise : NoiseEstimate, optional
        The image's noise estimate if already made.
    values : ValueRange, optional
        The image's range of values (:func:`core.noise.value_range.value_range`) if
        already found; found here otherwise (a pass over the image).

    Returns
    -------
    str or None
        One line (no capital, no full stop) where :func:`noise_share` is under
        :data:`NOISE_FREE_SHARE`; None otherwise, or for settings of a noise-free
        input.
    """
    if not settings.input_is_noisy:
        return None
    share = noise_share(image, settings, noise=noise, values=values)
    if share is None or not share < NOISE_FREE_SHARE:
        return None
    return (
        f"its noise is {100 * share:.2g} % of the variance "
        f"{settings.photons_per_pixel:g} quanta per pixel would give, so it looks noise-free "
        "(or taken at far more quanta), and thinning its quanta adds too little noise"
    )
