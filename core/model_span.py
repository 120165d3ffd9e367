"""Where an image's values land in the model's domain: shared by the denoiser and training.

The denoiser maps an image's stabilised values so that their 0.1 and 99.9 percentiles
(over means of 4 x 4 blocks clear of padding) land on -0.9 and 0.9
(:class:`core.denoise.domain.ModelDomain`); training maps each clean image's values the
same way (:func:`core.training.data.normalise`), so that the network is trained on the
contrast it is later given, whatever part of its storable range a detector's image fills.
"""

from __future__ import annotations

import numpy as np

from core.binning import block_means
from core.image import XrayImage

PERCENTILES = (0.1, 99.9)
"""Percentiles of an image's values that set the affine map."""

MODEL_SPAN = (-0.9, 0.9)
"""Where those percentiles land in the model domain."""

PERCENTILE_BLOCK = 4
"""The percentiles are taken over means of 4 x 4 blocks: a quarter of the noise, 1/16 the work."""


def anatomy(image: XrayImage) -> np.ndarray:
    """Return the pixels that are not padding (the image itself without padding, or all padding).

    Parameters
    ----------
    image : XrayImage
        Any image.

    Returns
    -------
    ndarray
        ``image.pixels`` where it has no padding or nothing but padding, else its
        pixels that are not padding, flattened.
    """
    mask = image.padding_mask
    return image.pixels if mask is None or mask.all() else image.pixels[~mask]


def percentile_samples(image: XrayImage) -> np.ndarray:
    """Return the means of the image's :data:`PERCENTILE_BLOCK` blocks that hold no padding.

    Parameters
    ----------
    image : XrayImage
        Any image.

    Returns
    -------
    ndarray
        The block means (where no block is clear of padding, a sliver of anatomy, or
        the image is smaller than a block: its pixels themselves).
    """
    if min(image.pixels.shape[:2]) < PERCENTILE_BLOCK:
        return anatomy(image)
    means = block_means(image.pixels, PERCENTILE_BLOCK)
    mask = image.padding_mask
    if mask is None:
        return means
    clear = block_means(mask.astype(np.float32), PERCENTILE_BLOCK) == 0
    return means[clear] if clear.any() else anatomy(image)


def percentile_map(samples: np.ndarray, least_span: float) -> tuple[float, float]:
    """Return the affine map that takes the samples' :data:`PERCENTILES` onto :data:`MODEL_SPAN`.

    Parameters
    ----------
    samples : ndarray
        Values of an image (:func:`percentile_samples`, stabilised or not).
    least_span : float
        Percentiles closer than this, > 0, are taken this far apart (about their middle):
        a nearly flat image is not magnified without end.

    Returns
    -------
    scale, offset : float
        ``x -> scale * x + offset``.
    """
    low, high = np.percentile(samples, PERCENTILES)
    span = max(float(high - low), least_span)
    scale = (MODEL_SPAN[1] - MODEL_SPAN[0]) / span
    centre = (float(low) + float(high)) / 2.0
    return scale, (MODEL_SPAN[0] + MODEL_SPAN[1]) / 2.0 - scale * centre
