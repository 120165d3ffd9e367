"""Building blocks of ``denoise_bench.py``: test cases, the compared methods, scores and tables.

Kept apart from the script so that the smoke test can import them; nothing here
imports torch or the project's denoiser until a project method (or BM3D behind the
project's stabiliser) is built, and ``bm3d`` is imported only when a BM3D method runs.

Test cases
----------
A clean image (a file read with :func:`core.io.read_image`, or the synthetic
chest phantom) is given a lower dose with the project's physical simulator in
clean-input mode, :func:`core.noise.simulate_low_dose` with
``input_is_noisy=False``: detected quanta ``Poisson(d * lambda) + N(0, s^2)``
through the log detector, ``lambda = N0 exp(-L)``. The detector is
:meth:`core.noise.DetectorModel.from_image` (the stored range mapped onto line
integrals ``[0, 7]``). A noise level is either a fixed dose ``d`` or a target
noisy PSNR, for which the dose is found per image (:func:`calibrate_dose`):
images differ so much in attenuation that one dose gives noisy PSNRs several dB
apart. Values stay floating point (``quantize=False``), so the counts behind
them are exactly Poisson-Gaussian; ``quantize=True`` rounds them onto the
source's stored grid as :func:`core.noise.simulate_low_dose_image` does.

Every method gets only the noisy image, except the oracles, which also get the
dose and detector that made it. Outputs are clipped to the image's storable
range (and, when the noisy values were rounded onto the stored grid, rounded
there as the project rounds its result) and scored with
:func:`core.metrics.compare` against the clean image with ``data_range`` the
width of that range (255 for 8-bit PNG, 4095 for 12-bit DICOM: a ``[0, 1]``
scale).
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
import importlib
import importlib.util
import math
import multiprocessing
import os
import platform
import resource
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage
from skimage.restoration import denoise_nl_means, denoise_tv_chambolle, denoise_wavelet
from skimage.transform import downscale_local_mean

from core.display import auto_window
from core.errors import XrayError
from core.image import StoredMapping, XrayImage
from core.io import read_image
from core.io.dtypes import written_pixels
from core.metrics import compare, psnr
from core.noise import (
    DEFAULT_ELECTRONIC_NOISE,
    DEFAULT_MAX_ATTENUATION,
    DEFAULT_PHOTONS_PER_PIXEL,
    DetectorModel,
    GeneralizedAnscombe,
    estimate_noise_sigma,
    phantom_image,
    simulate_low_dose,
)
from core.noise.value_range import value_range as data_value_range

DEFAULT_NOISY_PSNR = (43.0, 36.0, 30.0)
"""Noisy PSNR (dB, ``[0, 1]`` scale) of the three levels of the targets in issue 3."""

SUGGESTED_DOSES = (0.25, 0.06, 0.025)
"""Doses that give those PSNRs on the 512 px chest phantom (core/noise/dose.py)."""

METHOD_KEYS = (
    "project",
    "project-1step",
    "bm3d-gat-oracle",
    "bm3d-gat-oracle-tuned",
    "bm3d-project-stabiliser",
    "bm3d-blind",
    "nlm",
    "tv",
    "wavelet",
)
"""Every method ``--methods`` knows, in table order."""

CHEAP_METHODS = ("nlm", "tv", "wavelet")

ORACLE_KEY = "bm3d-gat-oracle"
"""The oracle at BM3D's nominal sigma: the reference the targets of issue 3 are set against."""

ORACLE_TUNED_KEY = "bm3d-gat-oracle-tuned"
"""The oracle with ``sigma_psd`` scaled by :data:`ORACLE_TUNED_SIGMA_SCALE`."""

BM3D_PROJECT_KEY = "bm3d-project-stabiliser"
"""Blind BM3D behind the project's own front end: the project minus it is the network's gain."""

BM3D_METHODS = (ORACLE_KEY, ORACLE_TUNED_KEY, BM3D_PROJECT_KEY, "bm3d-blind")
"""The methods that need the ``bm3d`` package."""

ORACLE_TUNED_SIGMA_SCALE = 1.3
"""BM3D's ``sigma_psd`` over the stabilised noise's std (1) in ``bm3d-gat-oracle-tuned``.

Chosen as the project's defaults were, on held-out images outside the README's table:
of 1.0, 1.1, 1.2, 1.3 and 1.4, the best mean PSNR over the three default levels on the
6 held-out films not among the table's 8 (``--crop 512 --downscale 4 --upscale 3
--oracle-sweep 1,1.1,1.2,1.3,1.4``, 2026-11-26: 47.29, 47.57, 47.67, 47.67 and 47.63 dB,
1.3 ahead of 1.2 by 0.004 dB). A larger sigma smooths more, which pays on references as
smooth as the zoomed films.
"""

NLM_H_PER_SIGMA = 0.8
"""scikit-image's starting point for ``h`` with ``sigma`` given and ``fast_mode``."""

NLM_PATCH = {"patch_size": 5, "patch_distance": 6}
"""Patch 5 x 5, search window 13 x 13 (scikit-image's gallery settings)."""

TV_BISECTION_STEPS = 14
"""Halvings of the log-weight bracket in the discrepancy search (ratio 1e4 -> 0.06 %)."""

BM3D_EXTRA_MESSAGE = (
    "BM3D needs the benchmark-only extra (non-commercial licence, never a runtime "
    "dependency): pip install -e .[bench]"
)
PYWT_EXTRA_MESSAGE = "wavelet denoising needs PyWavelets: pip install -e .[bench]"

FLOAT_FORMAT = {"psnr": "{:.2f}", "ssim": "{:.4f}"}


class BenchError(Exception):
    """A benchmark cannot run as asked; the message says what to do."""


# --------------------------------------------------------------------------- images


@dataclass(frozen=True)
class Source:
    """A clean image and the name it is reported under.

    Parameters
    ----------
    name : str
        File name (or ``phantom-<seed>``).
    image : XrayImage
        The clean image.
    """

    name: str
    image: XrayImage


def iter_files(folder: Path) -> Iterator[Path]:
    """Yield the non-hidden files under ``folder``, recursively, in sorted order.

    Parameters
    ----------
    folder : Path
        A folder, or a single file (yielded as is).

    Yields
    ------
    Path
    """
    if folder.is_file():
        yield folder
        return
    if not folder.is_dir():
        raise BenchError(f"{folder}: no such folder")
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            yield path


def read_sources(
    folder: Path, *, limit: int | None, log: Callable[[str], None] = print
) -> Iterator[Source]:
    """Read up to ``limit`` images from ``folder``, skipping unreadable files with a message.

    Parameters
    ----------
    folder : Path
        Folder of clean images (DICOM, PNG, TIFF, ``.npy``), searched recursively.
    limit : int or None
        Stop after this many readable images; None: all.
    log : callable
        Receives one line per skipped file.

    Yields
    ------
    Source
    """
    count = 0
    for path in iter_files(folder):
        if limit is not None and count >= limit:
            return
        try:
            image = read_image(path)
        except XrayError as error:
            log(f"skipped {error}")
            continue
        count += 1
        yield Source(str(path.relative_to(folder)) if folder.is_dir() else path.name, image)


def phantom_source(shape: tuple[int, int], *, seed: int, bits_stored: int = 12) -> Source:
    """The synthetic chest phantom as a clean 12-bit image (label results SYNTHETIC).

    Parameters
    ----------
    shape : tuple of int
        (rows, cols), each >= 16.
    seed : int
        Seed of the anatomy.
    bits_stored : int
        Bits of the stored values.

    Returns
    -------
    Source
        Named ``phantom-<seed>``.
    """
    stored = phantom_image(shape, bits_stored=bits_stored, seed=seed).astype(np.float32)
    image = XrayImage(
        pixels=stored,
        mapping=StoredMapping(bits_stored=bits_stored),
        window=auto_window(stored),
        metadata={"PatientName": "SYNTHETIC^PHANTOM"},
    )
    return Source(f"phantom-{seed}", image)


def prepare(
    source: Source, *, crop: int | None, downscale: int = 1, upscale: float = 1.0
) -> Source:
    """Average ``downscale`` x ``downscale`` blocks, upsample, then cut a centred square crop.

    Parameters
    ----------
    source : Source
        The clean image.
    crop : int or None
        Side of the centred crop (smaller sides are kept whole); None: no crop.
    downscale : int
        Block-averaging factor (>= 1); 2 halves the image's own white noise.
    upscale : float
        Cubic-spline zoom factor after the averaging (>= 1), clipped to the image's
        value range: with ``downscale`` a clean reference with the pixel-scale
        smoothness of a full-resolution radiograph.

    Returns
    -------
    Source
    """
    pixels = source.image.pixels
    if downscale > 1:
        rows, cols = (side - side % downscale for side in pixels.shape)
        pixels = downscale_local_mean(pixels[:rows, :cols], (downscale, downscale))
    if upscale != 1.0:
        low, high = float(pixels.min()), float(pixels.max())
        pixels = np.clip(ndimage.zoom(np.asarray(pixels, np.float64), upscale, order=3), low, high)
    if crop is not None:
        rows, cols = pixels.shape
        height, width = min(crop, rows), min(crop, cols)
        top, left = (rows - height) // 2, (cols - width) // 2
        pixels = pixels[top : top + height, left : left + width]
    return Source(source.name, source.image.with_pixels(np.ascontiguousarray(pixels)))


def with_own_noise(source: Source, std: float, *, blur: float = 0.0, seed: Sequence[int]) -> Source:
    """Give a clean image noise of its own, as a full-resolution radiograph has.

    The reference then holds that noise: a blind denoiser, which cannot tell it from the
    simulated noise, removes both and is scored against it; the BM3D oracle is told the
    simulated noise alone.

    Parameters
    ----------
    source : Source
        The clean image (after :func:`prepare`).
    std : float
        Standard deviation of the noise on the [0, 1] scale of :func:`value_range`.
    blur : float
        Gaussian sigma in pixels that correlates the noise (0: white); its standard
        deviation stays `std`.
    seed : sequence of int
        Seed of the noise.

    Returns
    -------
    Source
        The noisy reference, float values clipped to the value range.
    """
    low, high = value_range(source.image)
    noise = np.random.default_rng(list(seed)).standard_normal(source.image.shape)
    if blur > 0:
        noise = ndimage.gaussian_filter(noise, blur)
        noise /= noise.std()
    pixels = source.image.pixels.astype(np.float64) + std * (high - low) * noise
    return Source(source.name, source.image.with_pixels(np.clip(pixels, low, high)))


def value_range(image: XrayImage) -> tuple[float, float]:
    """The storable range in pixel units (data minimum and maximum for float sources).

    Parameters
    ----------
    image : XrayImage
        A clean image.

    Returns
    -------
    tuple of float
        ``(low, high)``; ``high - low`` is the metrics' ``data_range``.
    """
    values = data_value_range(image)  # the data's own bits, as the simulator's detector
    if not values.low < values.high:
        raise BenchError("a constant floating-point image has no range to score on")
    return values.low, values.high


# --------------------------------------------------------------------------- noise


@dataclass(frozen=True)
class Level:
    """A noise level: a fixed dose, or a target noisy PSNR reached by choosing the dose.

    Parameters
    ----------
    label : str
        Column heading.
    dose : float or None
        Fixed fraction of the full dose.
    target_db : float or None
        Noisy PSNR on a ``[0, 1]`` scale to calibrate the dose to, per image.
    """

    label: str
    dose: float | None = None
    target_db: float | None = None

    @classmethod
    def fixed(cls, dose: float) -> Level:
        """A level at ``dose``."""
        return cls(f"dose {dose:g}", dose=dose)

    @classmethod
    def psnr(cls, target_db: float) -> Level:
        """A level at a noisy PSNR of ``target_db``."""
        return cls(f"noisy {target_db:g} dB", target_db=target_db)


@dataclass(frozen=True)
class Physics:
    """Detector settings shared by every simulation of a run.

    Parameters
    ----------
    photons_per_pixel : float
        ``N0``, detected quanta per unattenuated pixel at full dose.
    electronic_noise : float
        ``s``, electronic noise std in quanta.
    max_attenuation : float
        Line integral at the attenuating end of the stored range.
    quantize : bool
        Round the noisy values onto the source's stored grid.
    """

    photons_per_pixel: float = DEFAULT_PHOTONS_PER_PIXEL
    electronic_noise: float = DEFAULT_ELECTRONIC_NOISE
    max_attenuation: float = DEFAULT_MAX_ATTENUATION
    quantize: bool = False

    def detector_for(self, image: XrayImage) -> DetectorModel:
        """The detector of ``image`` under these settings (:meth:`DetectorModel.from_image`)."""
        return DetectorModel.from_image(
            image,
            photons_per_pixel=self.photons_per_pixel,
            electronic_noise=self.electronic_noise,
            max_attenuation=self.max_attenuation,
        )


def simulate(
    image: XrayImage,
    *,
    dose: float,
    detector: DetectorModel,
    rng: np.random.Generator,
    quantize: bool = False,
) -> np.ndarray:
    """Simulate ``dose`` from a clean image (clean-input mode).

    Parameters
    ----------
    image : XrayImage
        The clean image.
    dose : float
        Fraction of the full dose.
    detector : DetectorModel
        From :meth:`Physics.detector_for`.
    rng : numpy.random.Generator
        The only source of randomness.
    quantize : bool
        Round onto the stored grid of an integer source.

    Returns
    -------
    ndarray of float32
    """
    noisy = simulate_low_dose(
        image.pixels, dose=dose, detector=detector, rng=rng, input_is_noisy=False
    )
    if quantize and not image.mapping.is_float:
        noisy = image.mapping.to_pixels(image.mapping.to_stored(noisy))
    return noisy


def calibrate_dose(
    image: XrayImage,
    *,
    target_db: float,
    detector: DetectorModel,
    data_range: float,
    seed: Sequence[int],
    quantize: bool = False,
    tolerance_db: float = 0.03,
    max_iterations: int = 24,
) -> float:
    """Find the dose at which the simulated image has a noisy PSNR of ``target_db``.

    Brackets the target on ``log10(dose)`` with steps for 10 dB per decade (pure
    quantum noise), then narrows it by regula falsi with a bisection fallback;
    every trial draws from the same seed, so the PSNR is nearly a smooth function
    of the dose. :func:`make_case` passes the seed of the noise
    it then draws, so each image's noisy PSNR is the target to within
    ``tolerance_db``: on small images the log detector's heavy-tailed noise
    near the count floor moves the PSNR of independent draws by up to a dB.

    Parameters
    ----------
    image : XrayImage
        The clean image.
    target_db : float
        Wanted noisy PSNR, dB, with ``data_range``.
    detector : DetectorModel
        The image's detector.
    data_range : float
        Span of the storable values.
    seed : sequence of int
        Seed of the trial draws.
    quantize : bool
        As in :func:`simulate`.
    tolerance_db : float
        Stop when this close.
    max_iterations : int
        Simulations at most.

    Returns
    -------
    float
        The dose tried whose PSNR came closest; 1 when the target is out of
        reach (the PSNR at full dose is lower).
    """
    clean = image.pixels
    tried: dict[float, float] = {}

    def measured(log_dose: float) -> float:
        rng = np.random.default_rng(list(seed))
        noisy = simulate(image, dose=10.0**log_dose, detector=detector, rng=rng, quantize=quantize)
        tried[log_dose] = psnr(clean, noisy, data_range=data_range) - target_db
        return tried[log_dose]

    def best() -> float:
        return float(10.0 ** min(tried, key=lambda x: abs(tried[x])))

    # Walk until the error changes sign, at 10 dB per decade (pure quantum noise).
    log_dose = -1.0
    error = measured(log_dose)
    while not (min(tried.values()) < 0 <= max(tried.values())):
        if (error < 0 and log_dose == 0.0) or len(tried) >= max_iterations:
            return best()  # too noisy even at full dose, or no convergence
        log_dose = min(log_dose - error / 10.0 - math.copysign(0.1, error), 0.0)
        error = measured(log_dose)
    low = max(x for x, e in tried.items() if e < 0)
    high = min(x for x, e in tried.items() if e >= 0)
    if low > high:  # not monotone at this resolution
        return best()
    # Regula falsi, falling back to bisection, inside the bracket.
    while min(abs(e) for e in tried.values()) > tolerance_db and len(tried) < max_iterations:
        e_low, e_high = tried[low], tried[high]
        guess = low - e_low * (high - low) / (e_high - e_low)
        if not low + 0.05 * (high - low) < guess < high - 0.05 * (high - low):
            guess = (low + high) / 2.0
        if measured(guess) < 0:
            low = guess
        else:
            high = guess
    return best()


@dataclass(frozen=True)
class Case:
    """One noisy image to denoise, with everything a method may be given.

    Only the oracles read ``dose`` and ``detector``; the others see ``noisy``.

    Parameters
    ----------
    name : str
        The clean image's name.
    level : str
        Label of the noise level.
    clean, noisy : XrayImage
        Reference and noisy input (same mapping and metadata).
    dose : float
        The dose simulated.
    detector : DetectorModel
        The detector of the simulation.
    low, high : float
        Storable range in pixel units.
    quantized : bool
        Whether ``noisy`` lies on the stored grid of an integer source
        (``Physics.quantize``): every output is then scored as written, rounded
        onto that grid, as the project's result of such an input is.
    """

    name: str
    level: str
    clean: XrayImage
    noisy: XrayImage
    dose: float
    detector: DetectorModel
    low: float
    high: float
    quantized: bool = False

    @property
    def data_range(self) -> float:
        """Width of the storable range (a ``[0, 1]`` scale for the metrics)."""
        return self.high - self.low

    def to_unit(self, pixels: np.ndarray) -> np.ndarray:
        """Pixel values -> the ``[0, 1]`` scale of the storable range (float64)."""
        return (np.asarray(pixels, dtype=np.float64) - self.low) / self.data_range

    def from_unit(self, values: np.ndarray) -> np.ndarray:
        """The ``[0, 1]`` scale -> pixel values (float64)."""
        return np.asarray(values, dtype=np.float64) * self.data_range + self.low


def make_case(
    source: Source,
    level: Level,
    *,
    physics: Physics,
    seed: Sequence[int],
) -> Case:
    """Simulate one noise level of one clean image.

    Parameters
    ----------
    source : Source
        The clean image.
    level : Level
        Fixed dose, or target noisy PSNR.
    physics : Physics
        Detector settings.
    seed : sequence of int
        Seed of the noise (for example ``[run seed, image index, level index]``).

    Returns
    -------
    Case
    """
    image = source.image
    low, high = value_range(image)
    detector = physics.detector_for(image)
    if level.dose is not None:
        dose = level.dose
    else:
        dose = calibrate_dose(
            image,
            target_db=float(level.target_db),
            detector=detector,
            data_range=high - low,
            seed=seed,
            quantize=physics.quantize,
        )
    noisy = simulate(
        image,
        dose=dose,
        detector=detector,
        rng=np.random.default_rng(list(seed)),
        quantize=physics.quantize,
    )
    quantized = physics.quantize and not image.mapping.is_float
    return Case(
        source.name,
        level.label,
        image,
        image.with_pixels(noisy),
        dose,
        detector,
        low,
        high,
        quantized,
    )


# --------------------------------------------------------------------------- methods

Denoiser = Callable[[Case], np.ndarray]


@dataclass(frozen=True)
class Method:
    """A compared denoiser.

    Parameters
    ----------
    key : str
        Name on the command line and in JSON.
    label : str
        Row heading of the table.
    run : callable
        ``Case -> pixels`` (any float dtype, the noisy image's shape).
    warm_up : bool
        Run once untimed on the first case (torch's one-time set-up).
    """

    key: str
    label: str
    run: Denoiser
    warm_up: bool = False


def import_bm3d() -> Any:
    """Import ``bm3d``, or raise :class:`BenchError` saying how to install it.

    Returns
    -------
    module
    """
    try:
        return importlib.import_module("bm3d")
    except ImportError as error:
        raise BenchError(BM3D_EXTRA_MESSAGE) from error


def check_extras(keys: Iterable[str]) -> None:
    """Fail early if a chosen method needs a benchmark-only package that is missing.

    Parameters
    ----------
    keys : iterable of str
        Method keys.
    """
    keys = set(keys)
    if keys & set(BM3D_METHODS) and importlib.util.find_spec("bm3d") is None:
        raise BenchError(BM3D_EXTRA_MESSAGE)
    if "wavelet" in keys and importlib.util.find_spec("pywt") is None:
        raise BenchError(PYWT_EXTRA_MESSAGE)


def counts_of(case: Case, pixels: np.ndarray) -> np.ndarray:
    """Invert the log detector: pixel values -> detected quanta at the case's dose.

    ``M = d N0 exp(-L)``: exact for the simulated data except where the count
    floor or the stored range clipped it.

    Parameters
    ----------
    case : Case
        Gives the dose and detector.
    pixels : ndarray
        Pixel values.

    Returns
    -------
    ndarray of float64
    """
    full = case.dose * case.detector.photons_per_pixel
    return full * np.exp(-case.detector.line_integral(pixels))


def pixels_of(case: Case, counts: np.ndarray) -> np.ndarray:
    """The log detector: expected quanta -> pixel values (the inverse of :func:`counts_of`).

    Parameters
    ----------
    case : Case
        Gives the dose and detector.
    counts : ndarray
        Expected detected quanta at the case's dose.

    Returns
    -------
    ndarray of float64
    """
    full = case.dose * case.detector.photons_per_pixel
    floored = np.maximum(counts, case.detector.count_floor)
    return case.detector.values(-np.log(floored / full))


def bm3d_gat_oracle(case: Case, *, sigma_scale: float = 1.0) -> np.ndarray:
    """BM3D on the generalised Anscombe transform in the count domain, true parameters.

    The oracle of the targets (at ``sigma_scale`` 1). In pixel units the noise is
    not Poisson-Gaussian (the log detector makes its variance
    ``~ 1/(d lambda) + s^2/(d lambda)^2`` times the slope squared, and skews it),
    so no affine noise model fits there.
    Inverting the detector gives the counts ``M = Poisson(d lambda) + N(0, s^2)``
    exactly, with known gain 1, ``sigma = s``; the GAT [2]_ makes their noise
    ``N(0, 1)``, BM3D [1]_ denoises with ``sigma = 1``, the exact unbiased
    inverse estimates ``E[M] = d lambda``, and the log of that is the clean
    line integral, mapped back to pixels. Taking the log of the estimated mean
    (not averaging logs) is what makes the route unbiased. BM3D's ``sigma_psd``
    also sets how much it smooths: ``sigma_scale`` above 1 smooths more than the
    noise's true std asks (``bm3d-gat-oracle-tuned``).

    Parameters
    ----------
    case : Case
        Gives the noisy image, the dose and the detector.
    sigma_scale : float
        BM3D's ``sigma_psd`` over the stabilised noise's std (1).

    Returns
    -------
    ndarray of float64

    References
    ----------
    .. [1] K. Dabov, A. Foi, V. Katkovnik, K. Egiazarian, "Image denoising by
       sparse 3-D transform-domain collaborative filtering", IEEE Trans. Image
       Process. 16(8), 2080-2095, 2007.
    .. [2] M. Makitalo, A. Foi, "Optimal inversion of the generalized Anscombe
       transformation for Poisson-Gaussian noise", IEEE Trans. Image Process.
       22(1), 91-103, 2013.
    """
    bm3d = import_bm3d()
    gat = GeneralizedAnscombe(gain=1.0, sigma=case.detector.electronic_noise)
    stabilised = gat.forward(counts_of(case, case.noisy.pixels))
    denoised = bm3d.bm3d(stabilised, sigma_psd=sigma_scale * gat.noise_std_after, profile="np")
    return pixels_of(case, gat.inverse(denoised))


def bm3d_project_stabiliser(case: Case) -> np.ndarray:
    """BM3D behind the project's own blind front end: what the network adds is measured here.

    The noisy image alone, as the project takes it: its noise is estimated
    (:func:`core.denoise.domain.estimate_image_noise`: a log detector fitted to its
    noise-level function where one is plausible), the project's stabiliser
    (``ModelDomain.from_image(...).stabilizer``: the GAT of the quanta behind the
    pixels, else one built from the noise-level function) makes the noise white with
    std 1, BM3D [1]_ runs with ``sigma_psd = 1``, and the stabiliser's unbiased
    inverse [2]_ gives pixels. Nothing of the simulation is read.

    Parameters
    ----------
    case : Case
        The noisy image.

    Returns
    -------
    ndarray of float64

    References
    ----------
    .. [1] K. Dabov, A. Foi, V. Katkovnik, K. Egiazarian, "Image denoising by
       sparse 3-D transform-domain collaborative filtering", IEEE Trans. Image
       Process. 16(8), 2080-2095, 2007.
    .. [2] M. Makitalo, A. Foi, "Optimal inversion of the generalized Anscombe
       transformation for Poisson-Gaussian noise", IEEE Trans. Image Process.
       22(1), 91-103, 2013.
    """
    bm3d = import_bm3d()
    from core.denoise.domain import ModelDomain, estimate_image_noise

    stabilizer = ModelDomain.from_image(case.noisy, estimate_image_noise(case.noisy)).stabilizer
    stabilised = stabilizer.forward(case.noisy.pixels)
    denoised = bm3d.bm3d(stabilised, sigma_psd=stabilizer.noise_std_after, profile="np")
    return stabilizer.inverse(denoised)


def estimated_sigma(case: Case) -> tuple[np.ndarray, float]:
    """The noisy image on a ``[0, 1]`` scale and its noise std from :func:`estimate_noise_sigma`.

    Parameters
    ----------
    case : Case
        The noisy image.

    Returns
    -------
    unit : ndarray of float64
    sigma : float
        On the same scale; a typical level of the signal-dependent noise.
    """
    unit = case.to_unit(case.noisy.pixels)
    return unit, max(estimate_noise_sigma(unit), 1e-6)


def bm3d_blind(case: Case) -> np.ndarray:
    """BM3D with one noise std estimated from the noisy image, on a ``[0, 1]`` scale.

    Parameters
    ----------
    case : Case
        The noisy image.

    Returns
    -------
    ndarray of float64

    References
    ----------
    .. [1] K. Dabov, A. Foi, V. Katkovnik, K. Egiazarian, "Image denoising by
       sparse 3-D transform-domain collaborative filtering", IEEE Trans. Image
       Process. 16(8), 2080-2095, 2007.
    """
    bm3d = import_bm3d()
    unit, sigma = estimated_sigma(case)
    return case.from_unit(bm3d.bm3d(unit, sigma_psd=sigma, profile="np"))


def nl_means(case: Case) -> np.ndarray:
    """Non-local means, fast mode, ``h = 0.8 sigma`` with the estimated sigma given.

    Parameters
    ----------
    case : Case
        The noisy image.

    Returns
    -------
    ndarray of float64

    References
    ----------
    .. [1] A. Buades, B. Coll, J.-M. Morel, "A non-local algorithm for image
       denoising", CVPR 2005, vol. 2, 60-65.
    """
    unit, sigma = estimated_sigma(case)
    denoised = denoise_nl_means(
        unit, h=NLM_H_PER_SIGMA * sigma, sigma=sigma, fast_mode=True, **NLM_PATCH
    )
    return case.from_unit(denoised)


def tv_discrepancy(
    unit: np.ndarray, sigma: float, *, steps: int = TV_BISECTION_STEPS
) -> np.ndarray:
    """Chambolle TV denoising with the weight that meets the discrepancy principle.

    The weight is the one whose residual has the noise's RMS,
    ``||u - f|| / sqrt(N) = sigma`` (the constrained ROF problem, solved as in
    Chambolle [1]_, Sec. 4, by adjusting the weight); the residual grows with
    the weight, so a bisection on ``log(weight)`` over ``[0.01, 100] sigma``
    finds it. When even the largest weight leaves a smaller residual (a nearly
    flat image), that weight is used.

    Parameters
    ----------
    unit : ndarray
        Noisy image on a ``[0, 1]`` scale.
    sigma : float
        Estimated noise std on that scale.
    steps : int
        Bisection steps.

    Returns
    -------
    ndarray of float64

    References
    ----------
    .. [1] A. Chambolle, "An algorithm for total variation minimization and
       applications", J. Math. Imaging Vis. 20, 89-97, 2004.
    .. [2] L. I. Rudin, S. Osher, E. Fatemi, "Nonlinear total variation based
       noise removal algorithms", Physica D 60, 259-268, 1992.
    """
    low, high = math.log(0.01 * sigma), math.log(100.0 * sigma)
    best = denoise_tv_chambolle(unit, weight=math.exp(high))
    if float(np.sqrt(np.mean((best - unit) ** 2))) <= sigma:
        return best
    for _ in range(steps):
        middle = (low + high) / 2.0
        denoised = denoise_tv_chambolle(unit, weight=math.exp(middle))
        if float(np.sqrt(np.mean((denoised - unit) ** 2))) > sigma:
            high = middle
        else:
            low, best = middle, denoised
    return best


def total_variation(case: Case) -> np.ndarray:
    """TV (Chambolle) with its weight from the estimated sigma by the discrepancy principle.

    Parameters
    ----------
    case : Case
        The noisy image.

    Returns
    -------
    ndarray of float64
    """
    unit, sigma = estimated_sigma(case)
    return case.from_unit(tv_discrepancy(unit, sigma))


def wavelet(case: Case) -> np.ndarray:
    """Wavelet soft thresholding, BayesShrink per sub-band, with the estimated sigma.

    scikit-image's defaults otherwise (Daubechies-1, three levels fewer than the
    maximum), ``rescale_sigma=True``.

    Parameters
    ----------
    case : Case
        The noisy image.

    Returns
    -------
    ndarray of float64

    References
    ----------
    .. [1] S. G. Chang, B. Yu, M. Vetterli, "Adaptive wavelet thresholding for
       image denoising and compression", IEEE Trans. Image Process. 9(9),
       1532-1546, 2000.
    """
    unit, sigma = estimated_sigma(case)
    denoised = denoise_wavelet(
        unit, sigma=sigma, method="BayesShrink", mode="soft", rescale_sigma=True
    )
    return case.from_unit(denoised)


CLASSICAL: dict[str, tuple[str, Denoiser]] = {
    ORACLE_KEY: ("BM3D + GAT, oracle noise parameters", bm3d_gat_oracle),
    ORACLE_TUNED_KEY: (
        f"BM3D + GAT, oracle noise parameters, sigma x {ORACLE_TUNED_SIGMA_SCALE:g} (tuned)",
        functools.partial(bm3d_gat_oracle, sigma_scale=ORACLE_TUNED_SIGMA_SCALE),
    ),
    BM3D_PROJECT_KEY: (
        "BM3D behind the project's blind stabiliser",
        bm3d_project_stabiliser,
    ),
    "bm3d-blind": ("BM3D, blind (estimated sigma)", bm3d_blind),
    "nlm": ("non-local means (fast, estimated sigma)", nl_means),
    "tv": ("TV Chambolle (discrepancy weight)", total_variation),
    "wavelet": ("wavelet BayesShrink (estimated sigma)", wavelet),
}


def classical_methods(keys: Iterable[str]) -> list[Method]:
    """The non-project methods among ``keys``, in the order given.

    Parameters
    ----------
    keys : iterable of str
        Method keys.

    Returns
    -------
    list of Method
    """
    return [Method(k, *CLASSICAL[k]) for k in keys if k in CLASSICAL]


def oracle_at(sigma_scale: float) -> Method:
    """The BM3D + GAT oracle with ``sigma_psd`` scaled by ``sigma_scale``.

    Parameters
    ----------
    sigma_scale : float
        > 0; 1 is ``bm3d-gat-oracle`` itself.

    Returns
    -------
    Method
        Keyed ``bm3d-gat-oracle`` at 1, else ``bm3d-gat-oracle-x<scale>``.
    """
    if not sigma_scale > 0:
        raise BenchError(f"the oracle's sigma scale must be > 0, got {sigma_scale:g}")
    if sigma_scale == 1.0:
        return Method(ORACLE_KEY, *CLASSICAL[ORACLE_KEY])
    return Method(
        f"{ORACLE_KEY}-x{sigma_scale:g}",
        f"BM3D + GAT, oracle noise parameters, sigma x {sigma_scale:g}",
        functools.partial(bm3d_gat_oracle, sigma_scale=sigma_scale),
    )


# --------------------------------------------------------------------------- project


def set_threads(threads: int | None) -> None:
    """Limit torch's intra-op threads, if torch is (or will be) used.

    Parameters
    ----------
    threads : int or None
        None: leave torch's default.
    """
    if threads is None:
        return
    import torch

    torch.set_num_threads(threads)


@dataclass
class Project:
    """The project's denoiser: a loaded model and its default settings.

    Parameters
    ----------
    model_path : Path
        The weights file that was loaded.
    model : Any
        From ``core.diffusion.load_model``.
    settings : Any
        ``core.denoise.DenoiseSettings`` at its defaults (device, views and precision
        overridden if asked), the number of views chosen (:meth:`Project.load`).
    denoise : callable
        ``core.denoise.denoise_image``.
    card : dict
        The model card.
    device_used : str
        Where the last denoise ran (``DenoiseResult.device``).
    precision_used : str
        What its network computed in (``DenoiseResult.precision``).
    """

    model_path: Path
    model: Any
    settings: Any
    denoise: Callable[..., Any]
    card: dict[str, Any] = field(default_factory=dict)
    device_used: str = ""
    precision_used: str = ""

    @classmethod
    def load(
        cls,
        model_path: Path | None,
        *,
        device: str | None = None,
        views: int | None = None,
        precision: str | None = None,
    ) -> Project:
        """Load the model (the shipped one when ``model_path`` is None).

        Parameters
        ----------
        model_path : Path or None
            Weights file; its model card must sit beside it.
        device : str or None
            Overrides ``DenoiseSettings.device``.
        views : int or None
            Overrides ``DenoiseSettings.views`` (1, 2, 4 or 8); None: the product's
            auto, chosen here for the device and precision
            (:meth:`DenoiseSettings.with_views_for`), so that the settings, and every
            header and label made from them, name the count the denoise uses.
        precision : str or None
            Overrides ``DenoiseSettings.precision`` (``"auto"`` or ``"float32"``).

        Returns
        -------
        Project
        """
        try:
            denoise = importlib.import_module("core.denoise")
        except ImportError as error:
            raise BenchError(
                f"the project's denoiser is not available ({error}); "
                f"choose other methods with --methods {','.join(CLASSICAL)}"
            ) from error
        from dataclasses import replace

        settings = denoise.DenoiseSettings()
        if device is not None:
            settings = replace(settings, device=device)
        if views is not None:
            settings = replace(settings, views=views)
        if precision is not None:
            settings = replace(settings, precision=precision)
        devices = importlib.import_module("core.device")
        chosen = devices.select_device(settings.device)
        settings = settings.with_views_for(devices.inference_dtype(chosen, settings.precision))
        path = Path(model_path) if model_path is not None else Path(denoise.default_model_path())
        try:
            model = denoise.open_model(path)  # on the CPU; the denoiser moves it
        except XrayError as error:
            raise BenchError(f"{error}; pass a model file with --model") from error
        card = getattr(model, "card", None)
        card_json = card.to_json() if card is not None else {}
        return cls(path, model, settings, denoise.denoise_image, card_json)

    @property
    def default_steps(self) -> int:
        """``n_steps`` of the default settings."""
        return int(self.settings.n_steps)

    def method(self, n_steps: int | None = None) -> Method:
        """The denoiser at default settings, or with ``n_steps`` reverse steps.

        Parameters
        ----------
        n_steps : int or None
            None: the default.

        Returns
        -------
        Method
        """
        from dataclasses import replace

        settings = self.settings if n_steps is None else replace(self.settings, n_steps=n_steps)

        def run(case: Case) -> np.ndarray:
            result = self.denoise(case.noisy, self.model, settings)
            self.device_used = str(result.device)
            self.precision_used = str(result.precision)
            return result.image.pixels

        if n_steps is None:
            key, label = "project", f"project, default ({settings.describe()})"
        else:
            key, label = f"project-{settings.n_steps}step", f"project, {settings.describe()}"
        return Method(key, label, run, warm_up=True)

    def describe(self) -> str:
        """One line: model file, its SHA-256 (12 digits), training, settings, precision used."""
        stages = _training_stages(self.card)
        total = sum(steps for steps in stages if steps is not None)
        if not stages or stages[0] is None:
            trained = ""
        elif len(stages) == 1:
            trained = f", trained {stages[0]} steps"
        else:
            trained = (
                f", trained {stages[0]} steps in its last stage ({total} in all, "
                f"{len(stages)} stages)"
            )
        sha = str(self.card.get("weights_sha256", ""))[:12] or "unknown"
        ran = f"; network in {self.precision_used}" if self.precision_used else ""
        return f"model {self.model_path} (SHA-256 {sha}){trained}; settings {self.settings}{ran}"


def _training_stages(card: dict[str, Any]) -> list[int | None]:
    """Steps of each training stage a model card records, the last stage first.

    A fine-tune's card nests its starting model's card in ``training.started_from``.
    """
    stages = []
    training = card.get("training") or {}
    while training:
        stages.append(training.get("steps_done"))
        training = (training.get("started_from") or {}).get("training") or {}
    return stages


def build_methods(
    keys: Sequence[str],
    *,
    project: Project | None,
    sweep: Sequence[int] = (),
    oracle_sweep: Sequence[float] = (),
) -> list[Method]:
    """The methods to run, in table order.

    Parameters
    ----------
    keys : sequence of str
        From :data:`METHOD_KEYS`.
    project : Project or None
        Needed for ``project``, ``project-1step`` and ``sweep``. A step count
        equal to the default's is run once, as ``project``.
    sweep : sequence of int
        Step counts of the project to add.
    oracle_sweep : sequence of float
        Scales of the oracle's ``sigma_psd`` to add (:func:`oracle_at`), after
        ``keys``' methods; 1 is run once, as ``bm3d-gat-oracle``.

    Returns
    -------
    list of Method
    """
    methods: list[Method] = []
    if project is not None:
        steps = ([1] if "project-1step" in keys else []) + list(sweep)
        if "project" in keys:
            methods.append(project.method())
            steps = [n for n in steps if n != project.default_steps]
        for n in dict.fromkeys(steps):
            methods.append(project.method(n))
    methods += classical_methods(keys)
    for scale in dict.fromkeys(oracle_sweep):
        method = oracle_at(scale)
        if method.key not in {m.key for m in methods}:
            methods.append(method)
    return methods


# --------------------------------------------------------------------------- scores


@dataclass(frozen=True)
class Score:
    """One method on one noisy image.

    Parameters
    ----------
    image : str
        The clean image's name.
    level : str
        Noise level label.
    dose : float
        Dose simulated.
    method : str
        Method key (``noisy`` for the input itself).
    psnr, ssim : float
        Against the clean image, ``data_range`` the storable range.
    seconds : float
        Wall time of the method alone (0 for ``noisy``).
    """

    image: str
    level: str
    dose: float
    method: str
    psnr: float
    ssim: float
    seconds: float


def as_written(case: Case, output: np.ndarray) -> np.ndarray:
    """``output`` as the project writes its result of ``case.noisy``.

    Rounded onto the stored grid (:func:`core.io.dtypes.written_pixels`, as
    ``core.denoise`` rounds a result whose input lies on that grid) when the case
    is ``quantized``; as it is otherwise.

    Parameters
    ----------
    case : Case
        Gives the image's mapping and whether its noisy values were rounded.
    output : ndarray
        Denoised pixel values.

    Returns
    -------
    ndarray
    """
    if not case.quantized:
        return output
    return written_pixels(case.noisy, output)


def score(case: Case, method: str, output: np.ndarray, seconds: float) -> Score:
    """Clip ``output`` to the storable range and score it against the clean image.

    Every method's output is scored :func:`as_written`, so that the project's
    rounded result of a ``quantized`` case is compared with others rounded alike.

    Parameters
    ----------
    case : Case
        The clean image and range.
    method : str
        Method key.
    output : ndarray
        Denoised pixel values.
    seconds : float
        The method's time.

    Returns
    -------
    Score
    """
    output = np.asarray(output, dtype=np.float64)
    if output.shape != case.clean.shape:
        raise BenchError(f"{method} returned shape {output.shape} for {case.clean.shape}")
    if not np.all(np.isfinite(output)):
        raise BenchError(f"{method} returned NaN or infinity on {case.name}")
    output = np.clip(as_written(case, output), case.low, case.high)
    metrics = compare(case.clean.pixels, output, data_range=case.data_range)
    return Score(case.name, case.level, case.dose, method, metrics.psnr, metrics.ssim, seconds)


def timed(method: Method, case: Case) -> tuple[np.ndarray, float]:
    """Run a method on a case, timing the call alone with ``time.perf_counter``.

    Parameters
    ----------
    method : Method
        The method.
    case : Case
        Its input.

    Returns
    -------
    output : ndarray
    seconds : float
    """
    start = time.perf_counter()
    output = method.run(case)
    return output, time.perf_counter() - start


def run_case(
    case: Case, methods: Sequence[Method], *, warmed: set[str] | None = None
) -> list[Score]:
    """Score the noisy input and every method on one case.

    Parameters
    ----------
    case : Case
        The noisy image.
    methods : sequence of Method
        What to run.
    warmed : set of str, optional
        Keys of methods already warmed up; updated.

    Returns
    -------
    list of Score
        ``noisy`` first.
    """
    warmed = set() if warmed is None else warmed
    scores = [score(case, "noisy", case.noisy.pixels, 0.0)]
    for method in methods:
        if method.warm_up and method.key not in warmed:
            method.run(case)
            warmed.add(method.key)
        output, seconds = timed(method, case)
        scores.append(score(case, method.key, output, seconds))
    return scores


# --------------------------------------------------------------------------- tables


def machine_line(device: str = "cpu", threads: int | None = None) -> str:
    """Describe the machine: CPUs, torch version (if importable), device and threads.

    Parameters
    ----------
    device : str
        Where the project's model runs.
    threads : int or None
        ``--threads``.

    Returns
    -------
    str
    """
    torch_version = "not installed"
    if importlib.util.find_spec("torch") is not None:
        torch_version = importlib.import_module("torch").__version__
    cpu = platform.processor() or platform.machine()
    return (
        f"{os.cpu_count()} CPUs ({cpu}, {platform.system()}), torch {torch_version}, "
        f"device {device}, threads {threads if threads is not None else 'default'}"
    )


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return float(np.mean(values)) if values else math.nan


def _cell(scores: list[Score]) -> str:
    if not scores:
        return "-"
    return (
        FLOAT_FORMAT["psnr"].format(_mean(s.psnr for s in scores))
        + " / "
        + FLOAT_FORMAT["ssim"].format(_mean(s.ssim for s in scores))
    )


def results_table(
    scores: Sequence[Score], *, methods: Sequence[tuple[str, str]], levels: Sequence[str]
) -> str:
    """Markdown table: method x level, mean PSNR / SSIM over images, and seconds per image.

    Parameters
    ----------
    scores : sequence of Score
        Per-image results.
    methods : sequence of (key, label)
        Rows, in order (``noisy`` is added first).
    levels : sequence of str
        Columns, in order.

    Returns
    -------
    str
    """
    by = {}
    for s in scores:
        by.setdefault((s.method, s.level), []).append(s)
    head = "| method | " + " | ".join(levels) + " | s / image |"
    rule = "|---|" + "---|" * len(levels) + "---:|"
    doses = [_mean(s.dose for s in by.get(("noisy", lv), [])) for lv in levels]
    lines = [head, rule, "| dose (mean over images) | " + " | ".join(f"{d:.3g}" for d in doses)]
    lines[-1] += " | |"
    for key, label in [("noisy", "noisy input"), *methods]:
        cells = [_cell(by.get((key, lv), [])) for lv in levels]
        seconds = _mean(s.seconds for lv in levels for s in by.get((key, lv), []))
        time_cell = "-" if key == "noisy" or math.isnan(seconds) else f"{seconds:.3g}"
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {time_cell} |")
    return "\n".join(lines)


def gain_table(
    scores: Sequence[Score],
    *,
    keys: Sequence[tuple[str, str]],
    levels: Sequence[str],
    reference: tuple[str, str] = (ORACLE_KEY, "BM3D+GAT oracle"),
    patients: dict[str, str] | None = None,
) -> str:
    """Markdown table of paired PSNR / SSIM differences against a reference method.

    Parameters
    ----------
    scores : sequence of Score
        Per-image results.
    keys : sequence of (key, label)
        Methods to compare (the reference itself is skipped).
    levels : sequence of str
        Columns.
    reference : (key, label)
        The method subtracted (default: the BM3D + GAT oracle).
    patients : dict, optional
        Image name to patient (:func:`read_patients`): wins are then counted per
        patient too, a patient won when the mean paired PSNR difference over its
        images is positive.

    Returns
    -------
    str
        Cells ``+dPSNR dB / +dSSIM (wins/images[, wins/patients patients])``; empty
        without scores of the reference.
    """
    reference_key, reference_label = reference
    base = {(s.image, s.level): s for s in scores if s.method == reference_key}
    if not base:
        return ""
    lines = [
        f"| method - {reference_label} | " + " | ".join(levels) + " |",
        "|---|" + "---|" * len(levels),
    ]
    for key, label in keys:
        if key == reference_key:
            continue
        cells = []
        for lv in levels:
            pairs = [
                (s, base[(s.image, s.level)])
                for s in scores
                if s.method == key and s.level == lv and (s.image, s.level) in base
            ]
            if not pairs:
                cells.append("-")
                continue
            d_psnr = _mean(a.psnr - b.psnr for a, b in pairs)
            d_ssim = _mean(a.ssim - b.ssim for a, b in pairs)
            wins = sum(a.psnr > b.psnr for a, b in pairs)
            cell = f"{d_psnr:+.2f} dB / {d_ssim:+.4f} ({wins}/{len(pairs)}"
            if patients is not None:
                cell += ", " + _patient_wins(pairs, patients)
            cells.append(cell + ")")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _patient_wins(pairs: Sequence[tuple[Score, Score]], patients: dict[str, str]) -> str:
    by: dict[str, list[float]] = {}
    for a, b in pairs:
        by.setdefault(patients.get(a.image, a.image), []).append(a.psnr - b.psnr)
    wins = sum(_mean(differences) > 0 for differences in by.values())
    return f"{wins}/{len(by)} patients"


def read_patients(folder: Path, names: Iterable[str]) -> dict[str, str]:
    """The patient of each image, from the ``data.csv`` of a data folder.

    Parameters
    ----------
    folder : Path
        A folder whose ``data.csv`` has ``patient_id`` and ``image_id`` columns (the
        table training splits by), or that file itself.
    names : iterable of str
        Image names as benchmarked (``Source.name``); an ``image_id`` names an
        image by its file name without the extension.

    Returns
    -------
    dict
        Name to patient; an image the table does not list is a patient of its own.
    """
    table = folder if folder.is_file() else folder / "data.csv"
    try:
        with table.open(newline="", encoding="utf-8-sig") as file:
            rows = list(csv.DictReader(file))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise BenchError(f"{table}: cannot read it as a patient table ({error})") from error
    if not rows or not {"patient_id", "image_id"} <= set(rows[0]):
        raise BenchError(f"{table}: no patient_id and image_id columns")
    patient_of = {
        (row["image_id"] or "").strip(): (row["patient_id"] or "").strip() for row in rows
    }
    return {name: patient_of.get(Path(name).stem) or name for name in names}


def now() -> str:
    """The local date and time, to the minute, ISO style."""
    return _dt.datetime.now().astimezone().isoformat(timespec="minutes")


def reference_noise_line(sources: Sequence[Source]) -> str:
    """Estimated own noise of the clean images (they are references, so it counts as signal).

    Parameters
    ----------
    sources : sequence of Source
        The clean images, as benchmarked.

    Returns
    -------
    str
    """
    sigmas = []
    for source in sources:
        low, high = value_range(source.image)
        unit = (source.image.pixels.astype(np.float64) - low) / (high - low)
        if min(unit.shape) >= 9:
            sigmas.append(estimate_noise_sigma(unit))
    if not sigmas:
        return "references' own noise: not measured"
    sigma = _mean(sigmas)
    equivalent = -20.0 * math.log10(sigma) if sigma > 0 else math.inf
    return (
        f"references' own noise (estimate_noise_sigma, [0, 1] scale): mean {sigma:.4f}, "
        f"like a noisy PSNR of {equivalent:.1f} dB (an estimate: sharp structure at the pixel "
        "scale reads as noise, correlated noise does not)"
    )


# --------------------------------------------------------------------------- memory, processes


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far, in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def run_isolated(function: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run ``function(*args)`` in a fresh (spawned) process and return its result.

    A fresh interpreter makes its peak RSS the job's own.

    Parameters
    ----------
    function : callable
        A module-level function returning a picklable dict.
    *args
        Its (picklable) arguments.

    Returns
    -------
    dict
    """
    context = multiprocessing.get_context("spawn")
    with context.Pool(1, maxtasksperchild=1) as pool:
        return pool.apply(function, args)


def as_json(value: Any) -> Any:
    """Dataclasses, paths, numpy scalars and infinities as plain JSON values."""
    if hasattr(value, "__dataclass_fields__"):
        return as_json(asdict(value))
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [as_json(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, np.generic):
        return as_json(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
