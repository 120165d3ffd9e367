"""Whether an image holds the noise of the detector a simulation is told it was taken with.

A low-dose simulation thins the quanta of a noisy image (``input_is_noisy``); of
a noise-free one (a rendered phantom) it must draw all the noise of the lower
dose instead. Thinning a noise-free image at dose ``d`` adds only ``1 - d`` of
that noise: a 25 % dose comes out with the noise of a 33 % one, and a full dose
without any. Where the quanta are entered rather than measured, the image's own
noise says which it is: a noisy image at the entered quanta holds about the
variance they predict, a noise-free one only its quantisation's; one with far more
noise than they predict was taken at fewer quanta (or with another attenuation span),
and its simulation would be labelled with a lower dose than it has.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.image import XrayImage
from core.noise.dose import NOISE_FREE_STEPS, LowDoseSettings
from core.noise.image_noise import NoiseEstimate
from core.noise.value_range import ValueRange

__all__ = [
    "NOISE_FREE_SHARE",
    "NOISY_INPUT_SHARE",
    "SPAN_TILT",
    "TOO_NOISY_SHARE",
    "NoiseMismatch",
    "noise_free_problem",
    "noise_share",
]

NOISE_FREE_SHARE = 0.25
"""An image holding less than this share of the predicted variance looks noise-free."""

TOO_NOISY_SHARE = 2.0
"""An image holding more than this share of the predicted variance has more noise than the
entered quanta can give (fewer quanta, or another attenuation span).

Measured on phantoms taken at the entered quanta (2000, 20,000 and 100,000; 8 seeds): the
share came out 0.64-1.25 at 256 px, 0.91-1.28 at 384 px, 0.74-1.11 at 512 px (so 2.0
leaves a margin of 1.6); a 512 px phantom at 20,000 quanta gave 1.98 entered as 40,000
and 10.1 entered as 200,000. Images under 256 px are no guide: at 128 px texture counts as
noise and the share reached 94 with the right quanta."""

NOISY_INPUT_SHARE = 0.5
"""An image said to be noise-free that holds more than this share of the predicted variance
(and noise beyond rounding, :data:`core.noise.dose.NOISE_FREE_STEPS`) has noise of its own.

Measured on noise-free 512 px images entered at 100 to 1,000,000 quanta: the phantom
under 0.039 (12 bits), 0.021 (8 bits, to 20,000 quanta; at 1,000,000 its 1.1 is rounding,
left out by the rounding test), 0.0004 (16 bits), a smooth synthetic image under 0.009;
a 128 px phantom 0.075 at 20,000 quanta. Noisy phantoms at their own quanta hold 0.64 or
more (above), 0.98 for the repro's 512 px phantom at 20,000."""

SPAN_TILT = 3.0
"""Where the share in the upper half of the intensities differs from the lower half's by more
than this factor, the attenuation span is named as the cause: a wrong number of quanta
scales the whole noise-level function, a wrong span tilts it.

Measured (variance shares, upper over lower half): phantoms at their own quanta and span
0.40-1.84 (256 and 384 px), 0.69-1.07 (512 px); a 512 px phantom at 20,000 quanta entered
as 200,000 or 2000 gave 1.10 and 0.82; with spans of 0.5, 2, 14 and 100 for its true 7,
5.8, 4.0, 0.047 and 2e-21 (3.5, 5 and 10: 2.8, 1.9 and 0.42, not told apart)."""


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


@dataclass(frozen=True)
class NoiseMismatch:
    """Entered settings that contradict the image's own noise.

    Parameters
    ----------
    text : str
        One line (no capital, no full stop) saying what does not fit and why.
    looks_noise_free : bool
        True where the image looks noise-free while the settings are for a noisy one:
        saying it has no noise of its own may be the remedy (the text also names a span
        that may be wrong instead).
    """

    text: str
    looks_noise_free: bool = False


def _span_tilt(
    image: XrayImage, settings: LowDoseSettings, noise: NoiseEstimate, values: ValueRange | None
) -> float | None:
    """Share of the predicted variance in the upper half of the intensities over the lower's."""
    nlf = noise.nlf
    n = nlf.intensities.size
    if n < 4:
        return None
    predicted = np.sqrt(settings.detector_for(image, values=values).variance(nlf.intensities))
    lower = np.arange(n) < n // 2
    low = nlf.median_ratio(predicted, where=lower)
    high = nlf.median_ratio(predicted, where=~lower)
    if not low or not high:
        return None
    return (high / low) ** 2


def _beyond_rounding(image: XrayImage, noise: NoiseEstimate) -> bool:
    """Whether the image holds noise beyond rounding to its stored values (any float image)."""
    if image.mapping.is_float:
        return True
    return noise.sigma >= NOISE_FREE_STEPS * abs(image.mapping.slope)


def noise_free_problem(
    image: XrayImage,
    settings: LowDoseSettings,
    *,
    noise: NoiseEstimate | None = None,
    values: ValueRange | None = None,
) -> NoiseMismatch | None:
    """Say where entered settings contradict the noise the image holds.

    Three cases (:func:`noise_share` against the settings' detector): settings for a
    noisy image where it holds under :data:`NOISE_FREE_SHARE` of the predicted
    variance (it looks noise-free: thinning adds too little noise); more than
    :data:`TOO_NOISY_SHARE` of it (the quanta are too many, or the span wrong: the
    simulated dose is higher than labelled); settings for a noise-free image where it
    holds more than :data:`NOISY_INPUT_SHARE` of it and noise beyond rounding (its own
    noise adds to all the noise drawn). The attenuation span is named as a cause where
    the share changes with intensity by more than :data:`SPAN_TILT` (beside a noise-free
    input in the first case, whose share changes with intensity too).

    Parameters
    ----------
    image : XrayImage
        The image to simulate from.
    settings : LowDoseSettings
        Entered settings (quanta and span).
    noise : NoiseEstimate, optional
        The image's noise estimate if already made.
    values : ValueRange, optional
        The image's range of values (:func:`core.noise.value_range.value_range`) if
        already found; found here otherwise (a pass over the image).

    Returns
    -------
    NoiseMismatch or None
        What does not fit; None where the settings fit or the noise cannot be estimated.
    """
    if noise is None:
        try:
            noise = NoiseEstimate.of_image(image)
        except ValueError:
            return None
    share = noise_share(image, settings, noise=noise, values=values)
    if share is None:
        return None
    quanta = f"{settings.photons_per_pixel:g} quanta per pixel"
    noisy = _beyond_rounding(image, noise)
    tilt = _span_tilt(image, settings, noise, values) if noisy else None
    span = None
    if tilt is not None and not 1 / SPAN_TILT <= tilt <= SPAN_TILT:
        span = (
            f"the attenuation span {settings.max_attenuation:g} looks wrong (the share changes "
            f"{max(tilt, 1 / tilt):.2g}-fold over its intensities)"
        )
    if share > TOO_NOISY_SHARE:
        cause = span or (
            f"it was taken at fewer quanta, or the attenuation span "
            f"{settings.max_attenuation:g} is wrong"
        )
        return NoiseMismatch(
            f"its noise is {share:.2g} times the variance {quanta} would give: {cause}, so "
            f"the simulated dose is higher than {100 * settings.dose:g} %"
        )
    if not settings.input_is_noisy:
        if share > NOISY_INPUT_SHARE and noisy:
            return NoiseMismatch(
                f"it is said to be noise-free but holds {100 * share:.2g} % of the variance "
                f"{quanta} would give, and its own noise adds to the noise drawn, so the "
                f"simulated dose is lower than {100 * settings.dose:g} %"
            )
        return None
    if not share < NOISE_FREE_SHARE:
        return None
    # A noise-free image's share changes with intensity too (its noise is rounding and
    # texture, not quanta), so a tilt here does not tell a wrong span from it: both are named.
    alternative = "" if span is None else f", or {span}"
    return NoiseMismatch(
        f"its noise is {100 * share:.2g} % of the variance {quanta} would give, so it looks "
        f"noise-free (or taken at far more quanta){alternative}, and thinning its quanta adds "
        "too little noise",
        looks_noise_free=True,
    )
