"""The numbers the metrics panel, the reports and batch runs share (Qt-free, calls ``core``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.image import XrayImage
from core.metrics import (
    QualityMetrics,
    Region,
    compare_keeping_small_region,
    format_psnr,
    noise_floor_exceeded,
    noise_free_psnr,
    padding_only_problem,
    reference_noise_problem,
)
from core.noise import NoiseEstimate, estimate_noise_sigma
from core.noise.value_range import metric_range, metric_range_problem


@dataclass(frozen=True)
class Comparison:
    """Quality of the noisy and the denoised image against a reference.

    Parameters
    ----------
    label : str
        What was compared, e.g. ``"noisy vs reference"``.
    scope : str
        ``"image"`` or the region as ``ROW,COL,HEIGHT,WIDTH``.
    metrics : QualityMetrics
    noise_free_psnr : float or None
        PSNR the noise-free image would score against the reference over the same
        scope (:func:`core.metrics.noise_free_psnr`), if the reference's noise is known.
    data_range_source : str or None
        Where the metrics' data range comes from, e.g. ``"the reference's 12-bit
        stored range"`` (:attr:`core.image.XrayImage.data_range_source`).
    noise_free_psnr_problem : str or None
        Why `noise_free_psnr` is unknown (:func:`core.metrics.reference_noise_problem`,
        :func:`core.metrics.noise_floor_exceeded`, or the reference's noise not
        measurable); None where it is given or the scope holds only padding.
    data_range_warning : str or None
        That the data range rests on a few pixels, a hot one say, or that a compared
        image's values reach beyond it
        (:func:`core.noise.value_range.metric_range_problem`); None otherwise.
    """

    label: str
    scope: str
    metrics: QualityMetrics
    noise_free_psnr: float | None = None
    data_range_source: str | None = None
    noise_free_psnr_problem: str | None = None
    data_range_warning: str | None = None

    @property
    def noise_free_rms(self) -> float | None:
        """The reference's rms noise over the scope, which gives `noise_free_psnr`.

        The root of the mean of the noise-level function's variance over the scope's
        pixels (:func:`core.metrics.noise_free_psnr`), so that
        ``noise_free_psnr == 20 * log10(data_range / noise_free_rms)``; larger than the
        reference's global noise estimate where the noise grows with intensity. None
        where `noise_free_psnr` is, 0 for a noise-free reference.
        """
        if self.noise_free_psnr is None:
            return None
        if math.isinf(self.noise_free_psnr):
            return 0.0
        return self.metrics.data_range / 10 ** (self.noise_free_psnr / 20)


UNMEASURABLE_NOISE = "the reference's own noise is not measurable"
"""Why the noise-free image's PSNR is unknown where the reference's noise has no estimate."""


def noise_floor_text(
    psnr_db: float, rms: float, reference_sigma: float | None, *, elsewhere: str = ""
) -> str:
    """Say what the reference's own noise lets PSNR show, in one sentence.

    The rms named is the one the PSNR comes from (:attr:`Comparison.noise_free_rms`),
    so that ``psnr_db == 20 * log10(data_range / rms)``; the reference's global noise
    estimate, which differs from it where the noise varies with intensity, is named as
    such.

    Parameters
    ----------
    psnr_db : float
        PSNR the noise-free image would score against the reference over the image.
    rms : float
        The reference's rms noise over the image, which gives `psnr_db`.
    reference_sigma : float or None
        The reference's global noise estimate (std, pixel units), if known.
    elsewhere : str
        The same over a region, e.g. ``" (ROI 21.30 dB)"``.

    Returns
    -------
    str
        Where `psnr_db` is infinite, that the reference has no noise there and the
        noise-free image scores ``inf dB``.
    """
    if math.isinf(psnr_db):  # all clipped, or no noise by its noise-level function
        return (
            "The reference has no noise of its own over the image by its noise-level function "
            f"(rms 0, pixel values): the noise-free image would score inf dB PSNR against "
            f"it{elsewhere}."
        )
    estimate = (
        ""
        if reference_sigma is None
        else f" (not its global estimate, std {reference_sigma:.4g}: the noise varies with "
        "intensity)"
    )
    return (
        f"The reference has noise of its own, in pixel values: rms {rms:.4g} over the image by "
        f"its noise-level function{estimate}; even the noise-free image would score only about "
        f"{format_psnr(psnr_db)} dB PSNR against it{elsewhere}."
    )


def noise_sigma(image: XrayImage | np.ndarray | None) -> float | None:
    """Estimated noise standard deviation in pixel units, or None if it cannot be estimated.

    An image's pixel padding is left out, as the denoiser leaves it out.

    Parameters
    ----------
    image : XrayImage or ndarray or None
        The image.

    Returns
    -------
    float or None
    """
    if image is None:
        return None
    pixels = image.pixels if isinstance(image, XrayImage) else image
    padding = image.padding_mask if isinstance(image, XrayImage) else None
    try:
        return estimate_noise_sigma(pixels, exclude=padding)
    except ValueError:
        return None


def noise_estimate(image: XrayImage | None) -> NoiseEstimate | None:
    """Estimate the noise of an image (:class:`core.noise.NoiseEstimate`); None if unmeasurable.

    Parameters
    ----------
    image : XrayImage or None
        The image.

    Returns
    -------
    NoiseEstimate or None
    """
    if image is None:
        return None
    try:
        return NoiseEstimate.of_image(image)
    except ValueError:
        return None


def clip_region(region: Region | None, shape: tuple[int, int]) -> Region | None:
    """Clip a region to an image; None if nothing of it remains.

    A region smaller than SSIM's window is kept: :func:`comparisons` gives its MSE
    and PSNR, and says why its SSIM is unknown.

    Parameters
    ----------
    region : Region or None
        Any rectangle, possibly reaching outside the image.
    shape : tuple of int
        ``(rows, cols)`` of the image.

    Returns
    -------
    Region or None
    """
    if region is None:
        return None
    row0, col0 = max(region.row, 0), max(region.col, 0)
    row1 = min(region.row + region.height, shape[0])
    col1 = min(region.col + region.width, shape[1])
    if row1 <= row0 or col1 <= col0:
        return None
    return Region(row0, col0, row1 - row0, col1 - col0)


def comparisons(
    reference: XrayImage | None,
    noisy: XrayImage,
    denoised: XrayImage | None,
    *,
    region: Region | None = None,
    whole: bool = True,
    reference_noise: NoiseEstimate | None = None,
) -> list[Comparison]:
    """MSE/PSNR/SSIM of the noisy and the denoised image against the reference.

    Over the whole image and, if given, over `region`; the data range is the
    reference's alone (:func:`core.noise.value_range.metric_range`: the range of the
    bits its data need, or the span of floating-point values outside [0, 1]), and each
    row says which, and whether a few pixels set it or a
    compared image's values reach beyond it. With the reference's noise estimate,
    each scope also gets the PSNR of the noise-free image, unless that estimate is of
    the reference's structure or an image not made from the reference beats the figure
    by over 3 dB (:func:`core.metrics.noise_floor_exceeded`). The reference's padding (DICOM
    PixelPaddingValue) is left out of every number; a scope of padding only gets rows
    of unknown metrics saying so (:meth:`core.metrics.QualityMetrics.unknown`), and
    the other scope's rows are kept.

    Parameters
    ----------
    reference : XrayImage or None
        Ground truth; without it the list is empty.
    noisy : XrayImage
        The image that was (or will be) denoised.
    denoised : XrayImage or None
        The result, if any.
    region : Region, optional
        A region of interest, already inside the image. One smaller than SSIM's
        window gets MSE and PSNR, with SSIM NaN and ``ssim_problem`` saying why.
    whole : bool
        Also compare over the whole image (always when there is no region).
    reference_noise : NoiseEstimate, optional
        The reference's own noise (:func:`noise_estimate`).

    Returns
    -------
    list of Comparison
    """
    if reference is None or reference.shape != noisy.shape:
        return []
    tests = [("noisy vs reference", noisy)]
    if denoised is not None:
        tests.append(("denoised vs reference", denoised))
    scopes: list[Region | None] = [None] if region is None else [None, region][not whole :]
    images = [test for _, test in tests]
    made = [_made_from(test, reference) for test in images]  # they keep its noise
    (data_range, words), padding = metric_range(reference), reference.padding_mask
    source = f"the reference's {words}"
    range_warning = metric_range_problem(reference, *images)
    whole_floor, problem = None, UNMEASURABLE_NOISE
    if reference_noise is not None:  # the noise-free image's PSNR over the whole image, once
        whole_floor = noise_free_psnr(
            reference.pixels, reference_noise.sigma_at, data_range=data_range, exclude=padding
        )
        problem = reference_noise_problem(
            reference.pixels, reference_noise, whole_psnr=whole_floor, data_range=data_range
        )
    rows = []
    for scope in scopes:
        nothing = padding_only_problem(padding, region=scope)
        if nothing is not None:  # its rows say so; the other scope's are kept
            excluded = int(np.count_nonzero(padding if scope is None else scope.crop(padding)))
            unknown = QualityMetrics.unknown(
                nothing, data_range=data_range, region=scope, excluded=excluded
            )
            metrics, floor, floor_problem = [unknown] * len(tests), None, problem
        else:
            metrics = [
                compare_keeping_small_region(
                    reference.pixels,
                    test.pixels,
                    data_range=data_range,
                    region=scope,
                    exclude=padding,
                )
                for test in images
            ]
            floor, floor_problem = None, problem
            if problem is None:
                floor = (
                    whole_floor
                    if scope is None
                    else _region_floor(reference, reference_noise, data_range, scope)
                )
            if floor is not None:  # an image beating it shows it wrong, unless made from it
                scores = [m.psnr for m, own in zip(metrics, made, strict=True) if not own]
                floor_problem = noise_floor_exceeded(floor, scores)
                floor = None if floor_problem else floor
        rows += [
            Comparison(
                label=label,
                scope="image" if scope is None else scope.as_text(),
                metrics=m,
                noise_free_psnr=floor,
                data_range_source=source,
                noise_free_psnr_problem=floor_problem,
                data_range_warning=range_warning,
            )
            for (label, _), m in zip(tests, metrics, strict=True)
        ]
    return rows


def _made_from(image: XrayImage, reference: XrayImage) -> bool:
    """Say whether an image was made from the reference (a dose simulated from it, say).

    Such an image keeps the reference's own noise, so it may score far above the
    noise-free image's PSNR against it (44.5 dB against 33.6 on a 96 px phantom of
    2,000 quanta simulated at a quarter of its dose): no sign that the figure is wrong.
    It carries the reference's file hash and frame (:meth:`XrayImage.with_pixels`).
    """
    digest = reference.source_sha256
    return digest is not None and image.source_sha256 == digest and image.frame == reference.frame


def _region_floor(
    reference: XrayImage, noise: NoiseEstimate, data_range: float, region: Region
) -> float:
    """Return the noise-free image's PSNR over a region (the whole image's is made once)."""
    return noise_free_psnr(
        reference.pixels,
        noise.sigma_at,
        data_range=data_range,
        region=region,
        exclude=reference.padding_mask,
    )
