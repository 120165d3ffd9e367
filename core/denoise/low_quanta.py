"""A warning where much of the anatomy detected so few quanta that denoised values read low.

Where a log detector's pixels detect few quanta, many of their readings fall below the
log's floor of one quantum, the log clips them, and the denoised values come out below
the noise-free ones (``benchmarks/bias_by_counts.py``, 512 px chest phantoms, 2 seeds, the
shipped model at its defaults, electronic noise 4 quanta;
``benchmarks/results/2026-11-27-bias/``): at 500 quanta per unattenuated pixel, the
pixels that detect 2-5 quanta read 2.6-3.1 % low; at 200 quanta, those at 5-10 quanta
3.8-4.3 % low, at 2-5 9.8-10.3 % and under 2 17.7-17.9 %. Wherever the pixels detect 5
quanta or more at 500 quanta and more, the denoised mean lies within 1 % of the
noise-free one.

It is the clipping, not the quanta as such: the more electronic noise, the more quanta
a pixel's readings clip at as often, and the pixels read low there
(``benchmarks/results/2026-11-27-bias-electronic/``, seeds 0 and 1). With 16 quanta rms,
at 2000 quanta per unattenuated pixel the pixels at 10-20 quanta read 2.3-5.4 % low and
those at 20-50 0.4-1.9 %; at 1000, those at 5-10 quanta 8.9-13.7 % and at 10-20 3.9-8.4 %;
with 8, at 1000, those at 5-10 quanta 2.7-5.1 % (at 2000 every band within 0.5 %). With
0.5, fewer clip, and those at 2-5 quanta read 0.7 % and 0.9 % low at 200 and 500 (seed 0),
those under 2 4.5 % at 200. Split
by how often their readings clip (:func:`clipping_probability`), the pixels clipped 20-30 %
of the time read 2.7-13.6 % low at every electronic noise (0.5, 4, 8, 16 quanta) and dose
(200-2000 per unattenuated pixel) measured. A reading of 5 quanta with 4 of electronic
noise clips 19.2 % of the time (:data:`CLIPPED_SHARE`). :func:`low_quanta_warning` counts
the anatomy's pixels below :data:`LOW_QUANTA`, as fitted log detectors read the denoised
values, and those whose neighbourhood in the input was clipped that often
(:func:`clipped_nearby`, no fit), so that the user is told. Only readings of the log's
floor count: the extreme value must be a reading of few quanta by a fit
(:data:`MAX_FLOOR_QUANTA`), the neighbours that were not clipped must lie a few noise std
from it (:data:`CLIPPED_NEAR`), and long runs of clipped pixels are left out
(:data:`MAX_CLIPPED_RUN`): a display window's clip, burned-in text and wires are none.

The quanta behind a pixel hang on the detector's slope, which the noise of one image
pins down poorly: with the electronic noise free, as the denoise fits it, the slope
trades against it, and on the phantom at 500 quanta (electronic noise 4) that fit put
2.2 times the true quanta behind its reference intensity and no pixel under 5 quanta,
where 3.5 % were. Fitted at an assumed electronic noise, as the dose measurement does
(:meth:`core.noise.LowDoseSettings.measured_from`), the quanta come out within 5 % of
the truth when that assumption holds, and far off when it does not: on a 384 px
noise-free phantom read with the noise of 1000 quanta and an electronic noise of 16, the fit at 4
put 26 % of it under 5 quanta, where none was (the free fit 1.6 %).
:func:`quanta_detectors` therefore reads the quanta both ways, the second only where
that fit passes the checks of a detector the denoise would use, and the warning gives
the range between the two readings. The clipped readings need no fit: the share of
pixels clipped :data:`CLIPPED_SHARE` of the time or more was counted within 1.5 points of
the truth on every phantom below. The warning is given when the larger reading of the
quanta, or that share, reaches :data:`MIN_SHARE`.

Saturated areas are no anatomy: a collimator's lead shutter or the background that the
detector clipped at its extreme value reads as the fewest quanta (or the most) whatever
is behind it. :func:`counted_pixels` leaves out :data:`SATURATED_BLOCK` px blocks that
are mostly (:data:`SATURATED_SHARE`) at the input's lowest or highest value, with the
saturated pixels at their edges, but keeps the isolated clipped pixels of anatomy that
detected nothing at a very low dose. The 512 px phantom at 5000 quanta behind lead shutters
over 6.2 % or 12.5 % of it (electronic noise 4) warned of that share of its anatomy; now
it warns of none, nor with shutters over 8.2 % or 18.4 %, their edges off the blocks' grid.

So read, the benchmark's 512 px phantoms (``benchmarks/low_quanta_readings.py``,
``benchmarks/results/2026-11-27-low-quanta/readings.md``; the shipped model at its
defaults; electronic noise 4 quanta, seeds 0 and 1) read 19-42 % and 22-41 % under 5
quanta at 200 quanta per unattenuated pixel (truly 25 %; clipped often 23.9 % and 24.1 %,
truly 25 %) and 0-3 % and 0-2 % at 500 (truly 3.5 %; clipped often 3.4 % and 3.8 %, truly
3.6 %); at 1000, 2000 and 20,000 quanta they warned of nothing. With an electronic noise of
0.5 quanta (seed 0): 0-23 % at 200 (clipped often 6.7 %, truly 6.4 %), 0-6 % at 500, none
from 1000 on. Of 8: 31-58 % at 200, 15-36 % at 500 and 0-3 % at 1000 (truly none under 5;
clipped often 32.3 %, 13.9 % and 1.7 %, truly 32.8 %, 15.4 % and 1.9 %), none from 2000 on.
Of 16: none at 200 (the denoise found no log detector, though 42 % clip often), 30-51 % at
500, 0.03-24 % at 1000 and 4-20 % at 2000 (truly none under 5; clipped often 27.5 %, 11.9 %
and 1.6 %, truly 28.7 %, 12.4 % and 1.6 %), none at 20,000. Where the electronic noise
outweighs the quanta, the readings of the quanta overstate their shortage (at 2000 quanta
with 16 of electronic noise the denoise's fit put it at 1.8 and the quanta at 0.05-0.14 of
the truth), but the values do read low there: the warning is right to be given, and its
share clipped often is the one to trust. At 8-16 quanta of electronic noise pixels clipped
10-20 % of the time read 1.8-9.6 % low too, so that share is a lower bound there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import binary_dilation, binary_propagation, label
from scipy.special import gammaln, ndtr, xlogy

from core.image import XrayImage
from core.noise import DEFAULT_ELECTRONIC_NOISE, LogDetectorFit, NoiseEstimate, fit_log_detector
from core.noise.dose import quantum_noise_levels
from core.noise.value_range import ValueRange, value_range

LOW_QUANTA = 5.0
"""Expected detected quanta per pixel below which denoised values read low, with an
electronic noise of 4 quanta: 2.6-3.1 % at 2-5 quanta (500 per unattenuated pixel),
9.8-10.3 % at 2-5 and 3.8-4.3 % at 5-10 quanta (200 per unattenuated pixel); within 1 %
at 5 quanta and more from 500 on. With more electronic noise pixels of more quanta read
low too (:data:`CLIPPED_SHARE`)."""

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
quanta and more no pixel of the phantom detects under 5 quanta; with an electronic noise of
16, 1.6 % of it still clips often at 2000 (:data:`CLIPPED_SHARE`) and reads 3-6 % low."""

QUANTA_NOT_CHECKED = (
    "not made: no log detector was recognised in the image's noise, so the quanta behind its "
    "values could not be read and their bias at few quanta not warned of"
)
"""What a report says where :attr:`core.denoise.DenoiseResult.quanta_checked` is False."""

CLIPPED_SHARE = 0.19
"""Share of a pixel's readings that the log's floor clips from which its denoised value reads
low: as often as at :data:`LOW_QUANTA` with an electronic noise of 4 quanta (19.2 %,
:func:`clipping_probability`), the noise at which that threshold was measured.

With more electronic noise the pixels clip that often at more quanta, and read low there
(``benchmarks/results/2026-11-27-bias-electronic/``, 512 px phantoms, seeds 0 and 1): with
16 quanta, those at 10-20 quanta read 2.3-5.4 % low at 2000 per unattenuated pixel and
those at 5-10 8.9-13.7 % at 1000; with 8, those at 5-10 2.7-5.1 % at 1000. Split by how
often they clip, the pixels clipped 20-30 % of the time read 2.7-13.6 % low at every
electronic noise and dose measured (0.5, 4, 8 and 16 quanta; 200-2000 per unattenuated
pixel); those clipped 10-20 % 1.8-9.6 % at 8 and 16 quanta, but within 0.6 % at 0.5 and 4
from 500 on, so the threshold is kept at that of 4 quanta."""

MAX_FLOOR_QUANTA = 20.0
"""Most quanta, by either reading, behind the extreme value for it to be the log's floor.

The log clips at one quantum, or where the stored range ends (1.8 quanta at 2000 per
unattenuated pixel on the 12-bit phantom, 18 at 20,000); the free fit has read 2.2 times
the quanta and, with 16 of electronic noise, 0.05-0.14 of them. An 8-bit export whose
display window clipped the densest tenth of a 20,000-quanta phantom has its extreme value
at hundreds of quanta: a window, not the detector's floor."""

CLIPPED_NEAR = 6.0
"""Most noise std between the clipped value and the mean of the unclipped neighbours.

Readings clipped by few quanta lie a few std from their neighbours' mean: in the log of
5 quanta with 4 of electronic noise 1.8 std, of 20 quanta with 16 3.6 std (the delta
method's std, ``sqrt(quanta + s^2) / quanta`` in attenuation units). Text burned in at
the extreme value over a 20,000-quanta phantom's spine lay about 25 std from it."""

MAX_CLIPPED_RUN = 64
"""Most pixels of one connected (4-neighbour) run of clipped readings that counts.

A wire, a lead marker or a metal implant stored at the extreme value forms long runs;
readings clipped at random do not: of white noise clipping 30 % of the pixels of a
1024 x 1024 image the largest run had 42 pixels, at 40 % 0.8 % of the clipped pixels lay in
runs over 64, at 50 % 31 % (where the readings of the quanta warn in any case)."""

CLIPPED_WINDOW = 9
"""Side, in pixels, of the neighbourhood over which a pixel's clipped readings are counted.

Of 81 pixels clipped 19 % of the time the share counted is off by 4.4 points (one std); on
the 512 px phantom (seed 0) the share of pixels so counted was within 1.2 points of the
share that truly clips that often, at electronic noises of 0.5-16 quanta and 200-2000
quanta per unattenuated pixel."""

SATURATED_BLOCK = 8
"""Side, in pixels, of the blocks in which the input's saturation is judged."""

SATURATED_SHARE = 0.8
"""Share of a block's pixels at the input's lowest or highest value that makes it saturated.

Behind a lead shutter (0.6 quanta at 5000 per unattenuated pixel) an electronic noise of 4
quanta lifts about 16 % of the pixels off the extreme value, so 90 % would miss it.
Anatomy that detects almost nothing clips fewer: on the 512 px phantom at 200 quanta no
pixel is left out with an electronic noise of 0, 0.5, 2 or 4 quanta; at 100 quanta and no
electronic noise 9 % are (pixels expecting 1-2 quanta, 70-90 % of which the log's floor of
one quantum clips), with 0.5 quanta none."""

SATURATED_SHARE_NEXT = 0.65
"""Share at the same extreme value from which a block joins a saturated block it touches.

Of a shutter's 64-pixel blocks, each at about 84 % saturated, one in five falls below
:data:`SATURATED_SHARE` by chance; so grown, the area takes them in. Unattenuated
background clips about half of its pixels at the lowest value, and stays out."""


@dataclass(frozen=True)
class LowQuantaWarning:
    """Much of the anatomy detected few quanta: its denoised values read low.

    The shares are read from the image's noise by one or two fitted detectors
    (:func:`quanta_detectors`); each share is the range between the readings. On
    phantoms they were from half to several times the true ones (module docstring):
    they tell the regime, not a measurement.

    Parameters
    ----------
    share_below_low : float
        Share of the anatomy (:func:`counted_pixels`) whose denoised value a reading
        puts below :data:`LOW_QUANTA` expected quanta, in ``[0, 1]``: the larger reading.
    share_below_very_low : float
        The larger reading's share below :data:`VERY_LOW_QUANTA`.
    share_below_low_min : float
        The smaller reading's share below :data:`LOW_QUANTA` (``share_below_low``
        itself where there was one reading).
    share_below_very_low_min : float
        The smaller reading's share below :data:`VERY_LOW_QUANTA`.
    share_clipped : float
        Share of the anatomy whose readings the log's floor clipped at least
        :data:`CLIPPED_SHARE` of the time, counted in the input (:func:`clipped_nearby`),
        no fit: at an electronic noise above 4 quanta, pixels of more quanta than
        :data:`LOW_QUANTA` that read low.
    """

    share_below_low: float
    share_below_very_low: float
    share_below_low_min: float
    share_below_very_low_min: float
    share_clipped: float = 0.0

    def describe(self) -> str:
        """One line for a radiologist: where, how sure, and what it does to the values.

        Returns
        -------
        str
            For example ``"under 5 X-ray quanta per pixel in about 2-26 % of the image
            (read from its noise; can be several times off): denoised values there read
            low (on phantoms 3-10 % at 2-5 quanta, 18 % under 2)"``; where readings
            clipped often, ``", detector readings clipped often (19 % or more) in 2 %"``
            follows the first parenthesis (alone where no reading put a pixel under 5
            quanta), and the bias measured by clipping, ``"3-14 % where 20-30 % of the
            readings clipped, more with much electronic noise"``, the last.
        """
        parts, biases = [], []
        if self.share_below_low > 0 or self.share_clipped == 0:
            shares = _share_range(self.share_below_low_min, self.share_below_low)
            parts.append(
                f"under {LOW_QUANTA:g} X-ray quanta per pixel in about {shares} % of the image "
                "(read from its noise; can be several times off)"
            )
            biases.append(f"3-10 % at 2-{LOW_QUANTA:g} quanta, 18 % under {VERY_LOW_QUANTA:g}")
        if self.share_clipped > 0:
            parts.append(
                f"detector readings clipped often ({100 * CLIPPED_SHARE:.0f} % or more) in "
                f"{_percent(self.share_clipped)} %"
            )
            biases.append(
                "3-14 % where 20-30 % of the readings clipped, more with much electronic noise"
            )
        return (
            ", ".join(parts) + f": denoised values there read low (on phantoms {'; '.join(biases)})"
        )

    def to_dict(self) -> dict[str, float | str]:
        """Return the shares and :meth:`describe`'s line as plain values (JSON).

        Returns
        -------
        dict
            ``share_below_5_quanta`` and ``share_below_2_quanta`` (the larger reading),
            ``share_below_5_quanta_min`` and ``share_below_2_quanta_min`` (the smaller),
            ``share_clipped`` and ``warning``.
        """
        low = f"share_below_{LOW_QUANTA:g}_quanta"
        very_low = f"share_below_{VERY_LOW_QUANTA:g}_quanta"
        return {
            low: self.share_below_low,
            very_low: self.share_below_very_low,
            f"{low}_min": self.share_below_low_min,
            f"{very_low}_min": self.share_below_very_low_min,
            "share_clipped": self.share_clipped,
            "warning": self.describe(),
        }


def _percent(share: float) -> str:
    """Write a share in whole percent, or to one digit below 1 %: ``"26"``, ``"0.4"``."""
    percent = 100.0 * share
    return f"{percent:.0f}" if percent == 0 or percent >= 1 else f"{percent:.1g}"


def _share_range(low: float, high: float) -> str:
    """``"2-26"``, or one number where both read the same (:func:`_percent`)."""
    low_text, high_text = _percent(low), _percent(high)
    return high_text if low_text == high_text else f"{low_text}-{high_text}"


def _usable(fit: LogDetectorFit | None, values: ValueRange) -> bool:
    """Whether ``fit`` passes the checks of a detector the denoise would use.

    Those of :func:`core.noise.log_detector_of` (:attr:`LogDetectorFit.taken`) and of
    :func:`core.denoise.domain.plausible_detector` (not signal-independent over the
    image's range of values).
    """
    return fit is not None and fit.taken and not fit.signal_independent(values)


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
        :func:`core.noise.dose.quantum_noise_levels`; its range of values judges the
        second fit).
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
        then the noise-level function fitted at ``electronic_noise`` (slopes of the
        detector's sign only) where that fit passes the checks of a detector the
        denoise would use (:func:`_usable`).
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
    if fixed is None or not _usable(fixed, value_range(image)):
        return (noise.detector,)
    return noise.detector, fixed


def clipping_probability(
    quanta: np.ndarray, electronic_noise: float, *, floor: float = 1.0
) -> np.ndarray:
    """Probability that a log detector's reading falls below its floor and is clipped.

    The detector reads ``M = K + E``, ``K ~ Poisson(quanta)``, ``E ~ N(0, s^2)``,
    and its log ``max(M, floor)``: ``P(M < floor) = sum_k P(K = k) Phi((floor - k) / s)``
    (``P(K < floor)`` without electronic noise). Counts beyond ``floor + 12 s`` add
    under ``1e-32`` and are left out.

    Parameters
    ----------
    quanta : array_like
        Expected detected quanta per pixel, ``>= 0``.
    electronic_noise : float
        ``s``, electronic noise std in quanta, ``>= 0``.
    floor : float
        Quanta below which the log clips (1, or more where the stored range ends first).

    Returns
    -------
    ndarray of float64
        Shaped like ``quanta``, in ``[0, 1]``.
    """
    lam = np.asarray(quanta, dtype=np.float64)
    k = np.arange(int(np.ceil(floor + 12.0 * electronic_noise)) + 2, dtype=np.float64)
    if electronic_noise > 0:
        weights = ndtr((floor - k) / electronic_noise)
    else:
        weights = (k < floor).astype(np.float64)
    rates = lam[..., None]
    pmf = np.exp(xlogy(k, rates) - rates - gammaln(k + 1.0))  # P(K = k), 0**0 = 1
    return pmf @ weights


_NEIGHBOURS = np.ones((3, 3), dtype=bool)
"""Blocks touching at an edge or a corner."""


def _block_counts(mask: np.ndarray) -> np.ndarray:
    """Count the true pixels of ``mask`` per :data:`SATURATED_BLOCK` px block (edges partial)."""
    side = SATURATED_BLOCK
    rows, cols = (-(-n // side) for n in mask.shape)
    padded = np.zeros((rows * side, cols * side), dtype=np.int32)
    padded[: mask.shape[0], : mask.shape[1]] = mask
    return padded.reshape(rows, side, cols, side).sum(axis=(1, 3))


def _of_blocks(blocks: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Spread a per-block mask over the pixels of an image of ``shape``."""
    spread = np.repeat(np.repeat(blocks, SATURATED_BLOCK, axis=0), SATURATED_BLOCK, axis=1)
    return spread[: shape[0], : shape[1]]


def counted_pixels(noisy: XrayImage) -> np.ndarray:
    """Return the pixels that count as anatomy: neither padding nor a saturated area.

    A :data:`SATURATED_BLOCK` px block is saturated where at least
    :data:`SATURATED_SHARE` of its pixels that are not padding sit at the input's
    lowest, or at its highest, value (a lead shutter, clipped background), and so is one
    with :data:`SATURATED_SHARE_NEXT` of them at that value connected to such a block; so
    are the pixels at that value in the blocks next to a saturated one (its edge,
    wherever it falls). Pixels at those values elsewhere, where anatomy detected nothing
    at a very low dose, count.

    Parameters
    ----------
    noisy : XrayImage
        The noisy input, as it was denoised.

    Returns
    -------
    ndarray of bool
        Shaped like the image; True where a pixel counts.
    """
    pixels = noisy.pixels
    padding = noisy.padding_mask
    inside = np.ones(pixels.shape, dtype=bool) if padding is None else ~padding
    if not inside.any():
        return inside
    values = pixels[inside]
    present = _block_counts(inside)
    counted = inside.copy()
    for extreme in (values.min(), values.max()):
        saturated = (pixels == extreme) & inside
        clipped = _block_counts(saturated)
        seeds = (present > 0) & (clipped >= SATURATED_SHARE * present)
        if not seeds.any():
            continue
        candidates = (present > 0) & (clipped >= SATURATED_SHARE_NEXT * present)
        full = binary_propagation(seeds, structure=_NEIGHBOURS, mask=candidates)
        near = _of_blocks(binary_dilation(full, structure=_NEIGHBOURS), pixels.shape)
        counted &= ~_of_blocks(full, pixels.shape) & ~(saturated & near)
    return counted


def _share_below(pixels: np.ndarray, detector: LogDetectorFit, quanta: float) -> float:
    """Share of ``pixels`` whose quanta (:meth:`LogDetectorFit.counts`) are below ``quanta``.

    Counts fall as ``(p - p_ref) / v`` rises, so the comparison is made on the pixel
    value of ``quanta`` (:meth:`LogDetectorFit.values`), not on counts of every pixel.
    """
    limit = float(detector.values(np.array([quanta]))[0])
    below = pixels > limit if detector.value_per_attenuation > 0 else pixels < limit
    return float(np.count_nonzero(below) / pixels.size)


def clipped_nearby(noisy: XrayImage, counted: np.ndarray, *, rising: bool) -> np.ndarray:
    """Return, per pixel, the share of its neighbours' readings that the log's floor clipped.

    A reading that the log's floor (or the stored range's end) clipped sits at the
    input's extreme value on the attenuating side: its highest where values rise with
    attenuation. Over the :data:`CLIPPED_WINDOW` px square around each pixel, the share
    of the counted pixels at that value is taken; pixels not counted (padding, saturated
    areas: :func:`counted_pixels`) are left out of it, and where they leave less than half
    of the square the share, of too few pixels, is 0.

    Parameters
    ----------
    noisy : XrayImage
        The noisy input, as it was denoised.
    counted : ndarray of bool
        The pixels that count as anatomy, shaped like the image; at least one True.
    rising : bool
        Whether pixel values rise with attenuation (the detector's sign).

    Returns
    -------
    ndarray of float64
        Shaped like the image, in ``[0, 1]``.
    """
    return _share_nearby(_clipped(noisy, counted, rising=rising), counted)


def _box_sums(values: np.ndarray, window: int) -> np.ndarray:
    """Sum ``values`` over the ``window`` px square (odd) centred on each pixel, 0 beyond.

    From a summed-area table: exact for integer values, and about five times faster than
    :func:`scipy.ndimage.uniform_filter` of the mean on a 2048 x 2048 px image.
    """
    half = window // 2
    dtype = np.int32 if values.dtype.kind in "bui" else np.float64  # counts: under 2**31
    table = np.pad(values, ((half + 1, half), (half + 1, half))).cumsum(axis=0, dtype=dtype)
    table = table.cumsum(axis=1, out=table)
    return (
        table[window:, window:]
        - table[:-window, window:]
        - table[window:, :-window]
        + table[:-window, :-window]
    )


def _share_nearby(clipped: np.ndarray, counted: np.ndarray) -> np.ndarray:
    """:func:`clipped_nearby` of a mask of clipped readings already found."""
    n_counted = _box_sums(counted, CLIPPED_WINDOW)
    n_clipped = _box_sums(clipped, CLIPPED_WINDOW)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(2 * n_counted >= CLIPPED_WINDOW**2, n_clipped / n_counted, 0.0)


def _clipped(noisy: XrayImage, counted: np.ndarray, *, rising: bool) -> np.ndarray:
    """Return the counted pixels at the input's extreme value on the attenuating side.

    Connected runs of more than :data:`MAX_CLIPPED_RUN` such pixels are left out: a
    wire or a lead marker is one, while readings clipped by few quanta are scattered.
    """
    pixels = noisy.pixels
    extreme = pixels[counted].max() if rising else pixels[counted].min()
    clipped = (pixels == extreme) & counted
    if np.count_nonzero(clipped) <= MAX_CLIPPED_RUN:  # no run that long (most images)
        return clipped
    runs, _ = label(clipped)
    sizes = np.bincount(runs.ravel())
    sizes[0] = 0
    return clipped & (sizes[runs] <= MAX_CLIPPED_RUN)


def _share_clipped(
    noisy: XrayImage, counted: np.ndarray, detectors: Sequence[LogDetectorFit]
) -> float:
    """Share of the counted pixels whose neighbours clipped :data:`CLIPPED_SHARE` or more.

    0 where the extreme value is no reading of the log's floor: where every reading puts
    more than :data:`MAX_FLOOR_QUANTA` behind it (a display window's clip). Else only
    where the neighbours that were not clipped lie near the clipped value, within
    :data:`CLIPPED_NEAR` of the detector's noise std at their mean: readings clipped by
    few quanta are the tail of a noise whose mean lies a few std from the floor (at 5
    quanta with 4 of electronic noise 2 std, at 20 with 16 under 4), while burned-in text
    or a marker at the extreme value sits on anatomy tens of std away.

    Where the whole anatomy holds fewer clipped readings than a square of it half
    counted needs (a high dose: often one pixel at the extreme), no square can reach
    that share, and the squares are not counted; nor are they where no square is clipped
    that often (scattered clipped readings, a moderate dose), and the mean of the readings
    not clipped is taken only around those that are.
    """
    detector = detectors[0]
    rising = detector.value_per_attenuation > 0
    pixels = noisy.pixels
    extreme = float(pixels[counted].max() if rising else pixels[counted].min())
    behind = min(float(d.counts(np.array([extreme]))[0]) for d in detectors)
    if behind > MAX_FLOOR_QUANTA:
        return 0.0
    clipped = _clipped(noisy, counted, rising=rising)
    if np.count_nonzero(clipped) < 0.5 * CLIPPED_SHARE * CLIPPED_WINDOW**2:
        return 0.0
    n_clipped = _box_sums(clipped, CLIPPED_WINDOW)
    if n_clipped.max() < 0.5 * CLIPPED_SHARE * CLIPPED_WINDOW**2:  # scattered (most images)
        return 0.0
    n_counted = _box_sums(counted, CLIPPED_WINDOW)
    often = (
        counted & (2 * n_counted >= CLIPPED_WINDOW**2) & (n_clipped >= CLIPPED_SHARE * n_counted)
    )
    if not often.any():
        return 0.0
    # Where squares are clipped often only: the mean of the readings not clipped around
    # them, as offsets from the extreme (a summed-area table of those stays exact enough).
    rows, cols = np.nonzero(often)
    area = (slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1))
    half = CLIPPED_WINDOW // 2
    around = tuple(slice(max(a.start - half, 0), a.stop + half) for a in area)
    open_ = counted[around] & ~clipped[around]
    offsets = np.where(open_, pixels[around].astype(np.float64) - extreme, 0.0)
    sum_open = _box_sums(offsets, CLIPPED_WINDOW)
    inner = tuple(
        slice(a.start - b.start, a.stop - b.start) for a, b in zip(area, around, strict=True)
    )
    n_open = (n_counted - n_clipped)[area]  # the clipped readings are counted ones
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_open = extreme + np.where(n_open > 0, sum_open[inner] / n_open, 0.0)
    near = np.abs(extreme - mean_open) <= CLIPPED_NEAR * detector.sigma(mean_open)
    return float(np.count_nonzero(often[area] & near) / np.count_nonzero(counted))


def low_quanta_warning(
    denoised: XrayImage,
    noisy: XrayImage,
    detectors: Sequence[LogDetectorFit],
    *,
    min_share: float = MIN_SHARE,
) -> LowQuantaWarning | None:
    """Warn where much of the anatomy detected under :data:`LOW_QUANTA` quanta per pixel.

    Parameters
    ----------
    denoised : XrayImage
        The denoised image, whose values are read.
    noisy : XrayImage
        The noisy input it was denoised from, of the same shape: its padding and
        saturated areas are no anatomy (:func:`counted_pixels`).
    detectors : sequence of LogDetectorFit
        The readings of the quanta behind the values (:func:`quanta_detectors`); the
        first one's sign tells on which side the input's clipped readings lie. Empty
        where the denoise found no log detector: then no warning is given.
    min_share : float
        Share of the anatomy below :data:`LOW_QUANTA`, by the larger reading, or clipped
        at least :data:`CLIPPED_SHARE` of the time (:func:`clipped_nearby`), from which
        to warn.

    Returns
    -------
    LowQuantaWarning or None
        The shares by the larger and the smaller reading and the share clipped where
        the larger reading below :data:`LOW_QUANTA` or the share clipped is at least
        ``min_share``; None otherwise, without a detector, or for an image with no
        anatomy counted.

    Raises
    ------
    ValueError
        If the two images differ in shape.
    """
    if denoised.shape != noisy.shape:
        raise ValueError(
            f"the denoised image ({denoised.shape}) and the noisy input ({noisy.shape}) "
            "must have the same shape"
        )
    if not detectors:  # no log detector: nothing to read the quanta with
        return None
    counted = counted_pixels(noisy)
    if not counted.any():
        return None
    anatomy = denoised.pixels[counted]
    lows = [_share_below(anatomy, detector, LOW_QUANTA) for detector in detectors]
    very_lows = [_share_below(anatomy, detector, VERY_LOW_QUANTA) for detector in detectors]
    clipped = _share_clipped(noisy, counted, detectors)
    if max(lows) < min_share and clipped < min_share:
        return None
    return LowQuantaWarning(max(lows), max(very_lows), min(lows), min(very_lows), clipped)
