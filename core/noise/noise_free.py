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
from core.noise.dose import NOISE_FREE_STEPS, LowDoseSettings, dose_percent
from core.noise.image_noise import NoiseEstimate
from core.noise.value_range import ValueRange

__all__ = [
    "NOISE_FREE_SHARE",
    "NOISY_INPUT_SHARE",
    "SPAN_TILT",
    "TOO_NOISY_SHARE",
    "NoiseMismatch",
    "beyond_rounding",
    "noise_free_problem",
    "noise_share",
    "span_tilt",
]

NOISE_FREE_SHARE = 0.25
"""An image holding less than this share of the predicted variance looks noise-free.

Measured (:data:`NOISY_INPUT_SHARE`): noise-free phantoms 0.12 or less (but the 8-bit one's
rounding at 1,000,000 quanta), noisy ones at their own quanta 0.64 or more."""

TOO_NOISY_SHARE = 2.0
"""An image holding more than this share of the predicted variance has more noise than the
entered quanta can give (fewer quanta, or another attenuation span).

Measured on phantoms taken at the entered quanta (2000, 20,000 and 100,000; 8 seeds): the
share came out 0.64-1.25 at 256 px, 0.91-1.28 at 384 px, 0.97-1.09 at 512 px (so 2.0
leaves a margin of 1.6); 512 px phantoms at 20,000 quanta gave 1.96-2.21 entered as 40,000
(a factor of 2 sits on the threshold) and 9.96-11.3 entered as 200,000. Images under 256 px
are no guide: at 128 px texture counts as noise and the share reached 94 with the right
quanta. Script ``benchmarks/noise_share.py``, results in
``benchmarks/results/2026-11-27-noise-share/`` (these four thresholds' measurements)."""

NOISY_INPUT_SHARE = 0.5
"""An image said to be noise-free that holds more than this share of the predicted variance
(and noise beyond rounding, :data:`core.noise.dose.NOISE_FREE_STEPS`) has noise of its own.

Measured on noise-free 512 px images entered at 100 to 1,000,000 quanta (8 seeds): the
phantom 0.044 or less (12 bits), 0.022 (8 bits, to 20,000 quanta; at 1,000,000 its 1.1 is
rounding, left out by the rounding test), 0.0004 (16 bits), a smooth synthetic image 0.0081;
128 px phantoms 0.062-0.12 at 20,000 quanta. Noisy phantoms at their own quanta hold 0.64
or more (above), 0.97-1.08 at 512 px and 20,000 (``benchmarks/noise_share.py``)."""

SPAN_TILT = 3.0
"""Where the share in the upper half of the intensities differs from the lower half's by more
than this factor, the attenuation span is named as the cause: a wrong number of quanta
scales the whole noise-level function, a wrong span tilts it.

Measured (variance shares, upper over lower half; 8 seeds, ``benchmarks/noise_share.py``):
phantoms at their own quanta and span 0.70-1.24 (256 and 384 px, where they have enough
intensities: at 256 px only at 2000 quanta), 0.69-1.13 (512 px); 512 px phantoms at 20,000
quanta entered as 200,000 or 2000 gave 1.04-1.17 and 0.73-0.85; with spans of 0.5, 2, 14
and 100 for their true 7, 3.9-5.8, 2.9-4.0 (not always past 3), 0.042-0.065 and under
2e-17 (3.5, 5 and 10: 2.1-2.8, 1.6-2.0 and 0.38-0.46, not told apart)."""


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


def span_tilt(
    image: XrayImage, settings: LowDoseSettings, noise: NoiseEstimate, values: ValueRange | None
) -> float | None:
    """Share of the predicted variance in the upper half of the intensities over the lower's.

    Parameters
    ----------
    image : XrayImage
        The simulation's input.
    settings : LowDoseSettings
        The entered quanta, electronic noise and attenuation span.
    noise : NoiseEstimate
        The image's own noise (:meth:`NoiseEstimate.of_image`).
    values : ValueRange or None
        The image's range of values (:func:`core.noise.value_range.value_range`), or
        None to compute it.

    Returns
    -------
    float or None
        The ratio (1 where the span fits; :data:`SPAN_TILT` bounds it either way), or
        None where the noise-level function has under 4 intensities or a half holds
        no measurable share.
    """
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


def beyond_rounding(image: XrayImage, noise: NoiseEstimate) -> bool:
    """Whether the image holds noise beyond rounding to its stored values.

    Parameters
    ----------
    image : XrayImage
        Any image.
    noise : NoiseEstimate
        Its own noise.

    Returns
    -------
    bool
        True for any floating-point image; for integer data, whether the noise's
        standard deviation reaches :data:`core.noise.dose.NOISE_FREE_STEPS` stored steps.
    """
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

    Four cases (:func:`noise_share` against the settings' detector): settings for a
    noisy image where it holds under :data:`NOISE_FREE_SHARE` of the predicted
    variance (it looks noise-free: thinning adds too little noise; or it was taken at
    more quanta); under ``1 / TOO_NOISY_SHARE`` of it (taken at more quanta than
    entered, 2 to 4 times say: thinning adds too much noise, the simulated dose is
    lower than labelled); more than
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
    quanta = f"{settings.photons_per_pixel:,.0f} quanta per pixel"
    noisy = beyond_rounding(image, noise)
    tilt = span_tilt(image, settings, noise, values) if noisy else None
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
            f"the simulated dose is higher than {dose_percent(settings.dose, exact=False)} %"
        )
    if not settings.input_is_noisy:
        if share > NOISY_INPUT_SHARE and noisy:
            return NoiseMismatch(
                f"it is said to be noise-free but holds {100 * share:.3g} % of the variance "
                f"{quanta} would give, and its own noise adds to the noise drawn, so the "
                f"simulated dose is lower than {dose_percent(settings.dose, exact=False)} %"
            )
        return None
    lower = f"the simulated dose is then lower than {dose_percent(settings.dose, exact=False)} %"
    if share < NOISE_FREE_SHARE:
        # A noise-free image's share changes with intensity too (its noise is rounding and
        # texture, not quanta), so a tilt does not tell a wrong span from it: both are named.
        alternative = "" if span is None else f", or {span}"
        return NoiseMismatch(
            f"its noise is {100 * share:.3g} % of the variance {quanta} would give: it looks "
            "noise-free, and thinning its quanta adds too little noise, or it was taken at "
            f"more quanta ({lower}){alternative}",
            looks_noise_free=True,
        )
    if share < 1 / TOO_NOISY_SHARE:  # noisy, at 2 to 4 times the quanta entered, say
        cause = span or "the attenuation span is wrong"
        return NoiseMismatch(
            f"its noise is {100 * share:.3g} % of the variance {quanta} would give: it was "
            f"taken at more quanta, or {cause}, and thinning adds too much noise: {lower}"
        )
    return None
