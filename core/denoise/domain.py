"""From pixels to the model's domain and back: blind noise estimate, stabilisation, affine map.

The diffusion model was trained on images scaled to ``[-1, 1]`` with white Gaussian
noise added. A radiograph's noise is signal-dependent, so the denoiser

1. estimates the noise-level function ``sigma(intensity)`` from the image alone [1]_,
   leaving its declared pixel padding out (:func:`estimate_image_noise`);
2. stabilises the variance: where that function is a log detector's
   (:mod:`core.noise.logdetector`) and the noise not signal-independent
   (:meth:`core.noise.LogDetectorFit.signal_independent`), with the
   generalised Anscombe transform of the counts behind the pixels [2]_, whose
   unbiased inverse gives the clean pixel rather than the log's biased mean;
   otherwise with ``f(y) = integral dy / sigma(y)`` [3]_ (noise that barely changes
   with intensity, taken for a log detector of tens of millions of quanta, is
   stabilised so, as the signal-independent noise it is). Either way the noise is
   then white with unit standard deviation;
3. maps the stabilised image affinely so that its 0.1 and 99.9 percentiles (over the
   pixels that are not padding) land on -0.9 and 0.9 (:mod:`core.model_span`), as
   training maps each image since 2026-11-28 and about where the shipped model's
   training films' percentiles lie (8-bit films scaled by their data range: their
   0.1-99.9 % span is 0.07-0.9 of it). The stabilised
   *storable* range would not do: the stabiliser is only known over the
   intensities present, and a 12- or 16-bit file's content fills a small and
   varying part of its range. The noise standard deviation is then the map's
   slope, ``s``;

and maps results back with the stabiliser's unbiased inverse [2]_ [3]_ (the
denoised stabilised image estimates ``E[f(z)]``, not ``f(E[z])``).

References
----------
.. [1] A. Foi, M. Trimeche, V. Katkovnik, K. Egiazarian, "Practical Poissonian-Gaussian
   noise modeling and fitting for single-image raw-data", IEEE TIP 17(10), 2008.
.. [2] M. Makitalo, A. Foi, "Optimal inversion of the generalized Anscombe transformation
   for Poisson-Gaussian noise", IEEE TIP 22(1), 2013.
.. [3] A. Foi, "Clipped noisy images: heteroskedastic modeling and practical denoising",
   Signal Processing 89(12), 2009.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import overload

import numpy as np
import torch

from core.denoise.table import UniformTable
from core.errors import issue_warning
from core.image import StoredMapping, XrayImage
from core.model_span import (
    MODEL_SPAN,
    anatomy,
    percentile_map,
    percentile_samples,
)
from core.noise import (
    LogDetectorFit,
    LogDetectorStabilizer,
    NoiseEstimate,
    NoiseLevelFunction,
    NoiseLevelStabilizer,
)
from core.noise.lossy import lossy_warning
from core.noise.value_range import ValueRange
from core.noise.value_range import value_range as range_of_values

MIN_SPAN = 2.0
"""Smallest stabilised span mapped onto ``MODEL_SPAN`` (two noise std): a flat image
gets noise std 0.9 in the model domain rather than an unbounded one."""


def _floored(nlf: NoiseLevelFunction, floor: float) -> NoiseLevelFunction:
    return NoiseLevelFunction(nlf.intensities, np.maximum(nlf.sigmas, floor), nlf.counts)


def _pixel_range(image: XrayImage, values: ValueRange) -> tuple[float, float] | None:
    """Return the values integer data can take, which results are clipped to; None for floats.

    That is the data's range ``values`` (:func:`core.noise.value_range.value_range`),
    not the container's: 12-bit data in a 16-bit PNG give results within 0 to 4095.
    """
    if image.mapping.is_float:
        return None
    return values.low, values.high


FLOAT_NOISE_FLOOR = 1e-6
"""Lowest noise level of floating-point data, as a fraction of their span."""


def _noise_floor(mapping: StoredMapping, span: float) -> float:
    """Lowest noise level an image whose values span ``span`` is taken to have.

    For integer data the quantisation noise, ``step / sqrt(12)``: no stored image is
    less noisy than that. Floating-point data have no step and no natural scale
    (attenuation, counts, or air kerma in Gy all occur), so their floor is
    :data:`FLOAT_NOISE_FLOOR` of their span: the map to the model domain, hence
    the result, then scales with the data.
    """
    if mapping.is_float:
        return span * FLOAT_NOISE_FLOOR
    return abs(mapping.slope) / math.sqrt(12.0)


def _mapped_range(image: XrayImage) -> tuple[float, float]:
    """Return the values :meth:`ModelDomain.of_value_range` maps onto :data:`MODEL_SPAN`.

    The data's range of values (:func:`core.noise.value_range.value_range`); for
    constant floating-point data, which have none, :attr:`XrayImage.data_interval`
    (``(0, 1)``, or a span of 1 from the value).
    """
    values = range_of_values(image)
    return (values.low, values.high) if values.span > 0 else image.data_interval


def plausible_detector(image: XrayImage, noise: NoiseEstimate) -> LogDetectorFit | None:
    """Return the estimate's log detector unless its noise is signal-independent.

    A fit whose slope spans less line integral over the image's range of values than
    any radiograph does describes noise that barely changes with intensity, with tens
    of millions of quanta behind it (:meth:`core.noise.LogDetectorFit.signal_independent`,
    the check the dose measurement and ``xray-denoise info`` make): such noise is
    stabilised from its noise-level function. A fit spanning *more* than a
    radiograph's range is kept, unlike in the dose measurement: over a wide
    container's range of values, real quantum noise of data filling a small part of
    it spans that much (a 12-bit phantom at 20,000-24,095 in a 16-bit file spans
    38 units), and the log detector's stabiliser is still the right one for it.

    Parameters
    ----------
    image : XrayImage
        The noisy image (its range of values, :func:`core.noise.value_range.value_range`).
    noise : NoiseEstimate
        Its noise.

    Returns
    -------
    LogDetectorFit or None
        ``noise.detector`` when there is one and it passes; None otherwise.
    """
    return _plausible(noise.detector, range_of_values(image))


def _plausible(fit: LogDetectorFit | None, values: ValueRange) -> LogDetectorFit | None:
    """Return ``fit`` unless there is none or it is signal-independent over ``values``."""
    if fit is None or fit.signal_independent(values):
        return None
    return fit


def estimate_image_noise(image: XrayImage) -> NoiseEstimate:
    """Estimate an image's noise as the denoiser takes it.

    The noise-level function is estimated on the pixels that are not padding
    (:meth:`NoiseEstimate.from_pixels` with the padding mask), and a log-detector fit
    is kept only where :func:`plausible_detector` accepts it. Where the image was
    lossy-compressed, as its metadata record or JPEG's 8 x 8 blocks show
    (:func:`core.noise.lossy.lossy_warning`), the compression took out the fine-scale
    noise the estimate measures: a warning says so.

    Parameters
    ----------
    image : XrayImage
        The noisy image.

    Returns
    -------
    NoiseEstimate

    Raises
    ------
    ValueError
        If the anatomy is too small or too flat to estimate its noise.

    Warns
    -----
    XrayWarning
        That the input was lossy-compressed, so the estimate may read low
        (:func:`core.errors.issue_warning`: collected where a caller collects them).
    """
    noise = NoiseEstimate.of_image(image)
    warning = lossy_warning(image, noise.sigma)
    if warning is not None:
        issue_warning(warning, stacklevel=2)
    detector = plausible_detector(image, noise)
    return noise if detector is noise.detector else replace(noise, detector=detector)


@dataclass(frozen=True, eq=False)
class ModelDomain:
    """The map between an image's pixels and the model's ``[-1, 1]`` domain.

    ``to_model(p) = scale * f(p) + offset`` with ``f`` a variance stabiliser, so the
    noise is white with standard deviation ``noise_std = scale`` there. The stabiliser
    and its inverses are tabulated over the image's values (:class:`UniformTable`).

    Parameters
    ----------
    stabilizer : LogDetectorStabilizer or NoiseLevelStabilizer
        Of the image's log detector, or built from its (floored) noise-level function.
    scale, offset : float
        The affine map of stabilised values.
    pixel_range : tuple of float or None
        The values the image's integer data can take (its bits, within a wider
        container); results are clipped to it (None for float data).
    value_range : tuple of float
        Smallest and largest value of the image's pixels that are not padding: the
        span tabulated.
    """

    stabilizer: LogDetectorStabilizer | NoiseLevelStabilizer
    scale: float
    offset: float
    pixel_range: tuple[float, float] | None
    value_range: tuple[float, float]
    _forward: UniformTable = field(init=False, repr=False)
    _inverse: UniformTable = field(init=False, repr=False)
    _algebraic: UniformTable = field(init=False, repr=False)
    _noisy_range: tuple[float, float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        low, high = self.value_range
        if not high > low:
            high = low + 1.0  # a constant image: any span will do
        forward = UniformTable.of(self.stabilizer.forward, low, high)
        # Model-domain values of the image, widened by half their span on each side.
        ends = forward.values[[0, -1]] * self.scale + self.offset
        margin = (ends[1] - ends[0]) / 2
        model_low, model_high = (
            self._stabilised(ends[0] - margin),
            self._stabilised(ends[1] + margin),
        )
        object.__setattr__(self, "_forward", forward)
        object.__setattr__(self, "_noisy_range", self._monotone_range(forward))
        for name, exact in (
            ("_inverse", self.stabilizer.inverse),
            ("_algebraic", self.stabilizer.algebraic_inverse),
        ):
            object.__setattr__(self, name, UniformTable.of(exact, model_low, model_high))

    def _monotone_range(self, forward: UniformTable) -> tuple[float, float]:
        """Stabilised values over which the algebraic inverse is monotone.

        A log detector's stabiliser is ``+-GAT(counts)``: it never changes sign, and
        the GAT's algebraic inverse ``D^2 / 4 - 3/8 - s^2`` is even in ``D``, so a noisy
        value past 0 (a bright ``x_t`` beyond what any pixel gives) would map back to
        ever more counts and be shown dark. Such values are clamped to 0 instead (no
        counts: the attenuating end, clipped to the data's range).
        """
        if not isinstance(self.stabilizer, LogDetectorStabilizer):
            return (-math.inf, math.inf)
        return (-math.inf, 0.0) if forward.values[-1] < 0 else (0.0, math.inf)

    @classmethod
    def from_image(cls, image: XrayImage, noise: NoiseEstimate) -> ModelDomain:
        """Build the map from an image and its noise estimate.

        The stabiliser is the log detector's when the estimate found one and the
        noise is not signal-independent (:func:`plausible_detector`); otherwise it
        is built from the noise-level function, with levels below the quantisation
        noise (``step / sqrt(12)``) raised to it. The percentiles of the map and the
        values tabulated are those of the pixels that are not padding.

        Parameters
        ----------
        image : XrayImage
            The noisy image.
        noise : NoiseEstimate
            Its noise, from :func:`estimate_image_noise` (or
            :meth:`NoiseEstimate.from_pixels`).

        Returns
        -------
        ModelDomain
        """
        pixels = anatomy(image)
        values = (float(pixels.min()), float(pixels.max()))
        data_range = range_of_values(image)  # a pass over the image: once
        detector = _plausible(noise.detector, data_range)
        stabilizer: LogDetectorStabilizer | NoiseLevelStabilizer
        if detector is not None:
            stabilizer = LogDetectorStabilizer(detector)
        else:
            stabilizer = NoiseLevelStabilizer.from_noise_level_function(
                _floored(noise.nlf, _noise_floor(image.mapping, values[1] - values[0]))
            )
        stabilised = stabilizer.forward(percentile_samples(image))
        scale, offset = percentile_map(stabilised, MIN_SPAN)
        return cls(stabilizer, scale, offset, _pixel_range(image, data_range), values)

    @classmethod
    def of_value_range(cls, image: XrayImage) -> ModelDomain:
        """Build an affine map for an image whose noise cannot be estimated.

        The data's range of values (:func:`core.noise.value_range.value_range`: 0 to
        4095 for 12-bit data, also in a 16-bit container; a floating-point image's own
        minimum and maximum, or ``(0, 1)`` where it is constant in it) lands on
        :data:`MODEL_SPAN`, whatever the pixels: a constant image, one of nothing but
        padding, one too small to measure. The stabiliser is that of a constant noise
        level, the quantisation noise (``step / sqrt(12)``), so :attr:`noise_std`
        is only a lower bound on the image's unknown noise. This map serves pictures
        of the forward process, which need no noise estimate, not denoising.

        Parameters
        ----------
        image : XrayImage
            Any image.

        Returns
        -------
        ModelDomain
        """
        low, high = _mapped_range(image)
        sigma = _noise_floor(image.mapping, high - low)
        nlf = NoiseLevelFunction(np.array([low]), np.array([sigma]), np.array([0]))
        stabilizer = NoiseLevelStabilizer.from_noise_level_function(nlf)  # (y - low) / sigma
        scale = (MODEL_SPAN[1] - MODEL_SPAN[0]) * sigma / (high - low)
        offset = MODEL_SPAN[0] - scale * float(stabilizer.forward(np.array([low]))[0])
        pixels = anatomy(image)
        values = (float(pixels.min()), float(pixels.max()))
        return cls(stabilizer, scale, offset, _pixel_range(image, range_of_values(image)), values)

    @property
    def noise_std(self) -> float:
        """Noise standard deviation of the image in the model domain, ``s``."""
        return self.scale * self.stabilizer.noise_std_after

    @overload
    def to_model(self, pixels: np.ndarray, *, device: None = None) -> np.ndarray: ...

    @overload
    def to_model(self, pixels: np.ndarray, *, device: torch.device) -> torch.Tensor: ...

    def to_model(
        self, pixels: np.ndarray, *, device: torch.device | None = None
    ) -> np.ndarray | torch.Tensor:
        """Stabilise and scale noisy pixels.

        Parameters
        ----------
        pixels : array_like
            Pixel values.
        device : torch.device or None
            Where the result is wanted: None for an array, else a tensor on that
            device. On a CUDA device the map itself runs there (:func:`on_device`).

        Returns
        -------
        ndarray of float32, or Tensor of float32 on ``device``
            Model-domain values, noise std :attr:`noise_std`.
        """
        if device is not None and on_device(device):
            model = self._forward(torch.tensor(np.asarray(pixels), device=device))
            return model.mul_(self.scale).add_(self.offset).to(torch.float32)
        model = _in_chunks(self._model_values, pixels)
        return model if device is None else torch.as_tensor(model, device=device)

    def _model_values(self, pixels: np.ndarray) -> np.ndarray:
        """Model-domain values of pixels, in float64 (:meth:`to_model` on the CPU)."""
        model = self._forward(pixels)  # a new array, scaled in place
        model *= self.scale
        model += self.offset
        return model

    def to_pixels(self, values: np.ndarray | torch.Tensor, *, estimate: bool = True) -> np.ndarray:
        """Map model-domain values back to pixels, clipped to the data's :attr:`pixel_range`.

        Parameters
        ----------
        values : array_like or Tensor
            Model-domain values; a tensor on a CUDA device is mapped there
            (:func:`on_device`), and only the pixels come back.
        estimate : bool
            True for a denoised estimate (``E[f(z)]``): the unbiased inverse [1]_.
            False for a noisy state (``f(z)``): the algebraic inverse, monotone (values
            beyond what any pixel stabilises to saturate).

        Returns
        -------
        ndarray of float32

        References
        ----------
        .. [1] A. Foi, "Clipped noisy images: heteroskedastic modeling and practical
           denoising", Signal Processing 89(12), 2009.
        """
        if isinstance(values, torch.Tensor):
            if on_device(values.device):
                return self._tensor_to_pixels(values, estimate=estimate).cpu().numpy()
            values = values.cpu().numpy()
        inverse = self._estimate_pixels if estimate else self._noisy_pixels
        return _in_chunks(inverse, values)

    def _estimate_pixels(self, values: np.ndarray) -> np.ndarray:
        """Pixels of denoised model-domain values, in float64 (the unbiased inverse)."""
        return self._clipped(self._inverse(self._stabilised(values)))

    def _noisy_pixels(self, values: np.ndarray) -> np.ndarray:
        """Pixels of noisy model-domain values, in float64 (the algebraic inverse)."""
        stabilised = self._stabilised(values)
        if math.isfinite(self._noisy_range[0]) or math.isfinite(self._noisy_range[1]):
            np.clip(stabilised, *self._noisy_range, out=stabilised)
        return self._clipped(self._algebraic(stabilised))

    def _clipped(self, pixels: np.ndarray) -> np.ndarray:
        """Clip pixels (in place) to the data's :attr:`pixel_range`, where there is one."""
        if self.pixel_range is not None:
            np.clip(pixels, *self.pixel_range, out=pixels)
        return pixels

    def _tensor_to_pixels(self, values: torch.Tensor, *, estimate: bool) -> torch.Tensor:
        """:meth:`to_pixels` with torch, on the tensor's device; the same float64 steps."""
        stabilised = (values.to(torch.float64) - self.offset).div_(self.scale)
        if estimate:
            pixels = self._inverse(stabilised)
        else:
            pixels = self._algebraic(stabilised.clamp_(*self._noisy_range))
        if self.pixel_range is not None:
            pixels = pixels.clamp_(*self.pixel_range)
        return pixels.to(torch.float32)

    def _stabilised(self, values: np.ndarray) -> np.ndarray:
        """Stabilised values of model-domain ones: a new float64 array."""
        stabilised = np.subtract(values, self.offset, dtype=np.float64)
        stabilised /= self.scale
        return stabilised


CHUNK = 1 << 16
"""Values mapped at a time on the CPU: the float64 temporaries of a chunk stay in the
CPU's cache. Mapping a 2048 px image took 25 ms so against 75 ms in whole-image passes
(one core), with the same result."""


def _in_chunks(map_values: Callable[[np.ndarray], np.ndarray], values: np.ndarray) -> np.ndarray:
    """Apply an elementwise float64 map to :data:`CHUNK` values at a time; float32 out.

    Parameters
    ----------
    map_values : callable
        Maps a 1-D array to a new float64 array of its length, element by element.
    values : array_like
        Any shape.

    Returns
    -------
    ndarray of float32
        ``map_values(values)`` cast to float32, shaped like ``values`` (a scalar for a
        0-d input).
    """
    values = np.asarray(values)
    flat = values.reshape(-1)
    out = np.empty(flat.shape, dtype=np.float32)
    for start in range(0, flat.size, CHUNK):
        out[start : start + CHUNK] = map_values(flat[start : start + CHUNK])
    return out.reshape(values.shape) if values.ndim else out[0]


def on_device(device: torch.device) -> bool:
    """Whether :class:`ModelDomain` maps tensors on ``device`` there rather than on the CPU.

    On CUDA: the image is on the GPU for the network anyway, and the table
    lookups take a millisecond there against about 0.1 s on a CPU core. On the
    CPU, numpy reads the tables faster than torch; Apple MPS has no float64.
    """
    return device.type == "cuda"
