"""The noise of one image, estimated from the image alone, as the denoiser uses it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.image import XrayImage
from core.noise.estimate import (
    NoiseLevelFunction,
    bin_count_for,
    estimate_noise_level_and_sigma,
)
from core.noise.logdetector import LogDetectorFit, log_detector_of


@dataclass(frozen=True)
class NoiseEstimate:
    """The noise of an image, estimated from the image alone.

    Parameters
    ----------
    nlf : NoiseLevelFunction
        Noise std as a function of local intensity (pixel units) [1]_.
    sigma : float
        Global noise std (pixel units), :func:`core.noise.estimate_noise_sigma`, brought
        within the range of the noise-level function's levels
        (:meth:`NoiseLevelFunction.within_levels`) by :meth:`from_pixels`.
    detector : LogDetectorFit or None
        The log detector's noise model fitted to ``nlf``, when it describes it
        (:attr:`LogDetectorFit.accepted`); None otherwise.

    References
    ----------
    .. [1] A. Foi, M. Trimeche, V. Katkovnik, K. Egiazarian, "Practical Poissonian-Gaussian
       noise modeling and fitting for single-image raw-data", IEEE TIP 17(10), 2008.
    """

    nlf: NoiseLevelFunction
    sigma: float
    detector: LogDetectorFit | None = None

    @classmethod
    def from_pixels(cls, pixels: np.ndarray, *, exclude: np.ndarray | None = None) -> NoiseEstimate:
        """Estimate the noise of an image.

        The noise-level function's bins hold 1000 smooth 3 x 3 blocks each (a 3.7 %
        standard error), fewer on images under about 400 x 400 pixels, down to 10.

        Parameters
        ----------
        pixels : ndarray, shape (rows, cols)
            At least 9 x 9, finite.
        exclude : ndarray of bool, shape (rows, cols), optional
            Pixels that are no image, left out of the estimate (DICOM pixel padding,
            :attr:`core.image.XrayImage.padding_mask`); see
            :func:`core.noise.estimate_noise_level_function`.

        Returns
        -------
        NoiseEstimate

        Raises
        ------
        ValueError
            If the image is too small, not finite, or has too few unclipped smooth
            areas to measure noise in (a constant image, say).
        """
        try:
            nlf, sigma = estimate_noise_level_and_sigma(  # the image cut into blocks once
                pixels,
                min_count=bin_count_for(pixels.shape, exclude=exclude),
                exclude=exclude,
            )
            # The global figure summarises the curve: kept within the levels of its bins.
            sigma = nlf.within_levels(sigma)
        except ValueError as error:
            raise ValueError(f"cannot estimate the noise of this image: {error}") from error
        return cls(nlf, sigma, log_detector_of(nlf))

    @classmethod
    def of_image(cls, image: XrayImage) -> NoiseEstimate:
        """Estimate the noise of an image's pixels that are not padding (:meth:`from_pixels`).

        Parameters
        ----------
        image : XrayImage
            The image; its ``padding_mask`` (DICOM pixel padding) is left out.

        Returns
        -------
        NoiseEstimate

        Raises
        ------
        ValueError
            As :meth:`from_pixels`.
        """
        return cls.from_pixels(image.pixels, exclude=image.padding_mask)

    def sigma_at(self, values: np.ndarray) -> np.ndarray:
        """Noise std at intensities ``values``: the log detector's where fitted, else the NLF's.

        Parameters
        ----------
        values : array_like
            Mean intensities (pixel units).

        Returns
        -------
        ndarray of float64
        """
        if self.detector is not None:
            return self.detector.sigma(values)
        return self.nlf(values)

    def summary(self) -> str:
        """Describe the estimate in one line: global sigma, the NLF's span, the detector fit."""
        nlf = self.nlf
        model = self.detector.describe() if self.detector is not None else "no log detector fit"
        return (
            f"sigma {self.sigma:.4g} (from {nlf.sigmas.min():.4g} to {nlf.sigmas.max():.4g} "
            f"over intensities {nlf.intensities[0]:.5g} to {nlf.intensities[-1]:.5g}; {model})"
        )
