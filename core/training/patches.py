"""Random training patches with the augmentations that make a model generalise.

The training films are downscaled to about 640 px; users open 2-3k px radiographs
whose anatomy is smoother per pixel and whose noise grain is finer. Each patch is
therefore cut at a random scale (a crop of ``patch / s`` pixels resized to ``patch``),
so the network sees anatomy at many sizes per pixel while the noise it learns to
remove is always added afterwards, at the pixel grid.

The denoiser often works on a variance-stabilised image rather than the stored pixels:
behind a log detector that is the square root of the detected quanta, an exponential of
the pixel values. A random exponential tone curve shows the network such warped anatomy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class Augmentation:
    """Random changes applied to each training patch.

    Parameters
    ----------
    scale_range : tuple of float
        Resize factor ``s`` (log-uniform): a crop of ``patch / s`` pixels becomes the
        patch, so ``s > 1`` magnifies (smoother anatomy per pixel).
    dihedral : bool
        Random flips and 90-degree rotations (the 8 symmetries of the square).
    invert_probability : float
        Chance of negating intensities (MONOCHROME1 versus MONOCHROME2 data).
    contrast_range : tuple of float
        Intensity gain ``a`` (uniform); the patch becomes ``a x + b`` with ``b`` uniform
        in ``[-(1 - a), 1 - a]``, so it stays within ``[-1, 1]``.
    tone_curvature : float
        Largest curvature ``|k|`` of the exponential tone curve, drawn uniform in
        ``[-k, k]`` (see :func:`tone_curve`); 0 leaves intensities linear.
    """

    scale_range: tuple[float, float] = (0.5, 4.0)
    dihedral: bool = True
    invert_probability: float = 0.5
    contrast_range: tuple[float, float] = (0.5, 1.0)
    tone_curvature: float = 3.5

    def __post_init__(self) -> None:
        lo, hi = self.scale_range
        if not 0 < lo <= hi:
            raise ValueError(f"scale_range must satisfy 0 < low <= high, got {self.scale_range}")
        lo, hi = self.contrast_range
        if not 0 < lo <= hi <= 1:
            raise ValueError(f"contrast_range must lie in (0, 1], got {self.contrast_range}")
        if not 0 <= self.invert_probability <= 1:
            raise ValueError("invert_probability must lie in [0, 1]")
        if not 0 <= self.tone_curvature <= 20:
            raise ValueError(f"tone_curvature must lie in [0, 20], got {self.tone_curvature}")

    def to_config(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict of the fields."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Augmentation:
        """Rebuild from :meth:`to_config` output.

        A configuration saved before the tone curve existed trained without one.
        """
        config = {"tone_curvature": 0.0, **config}
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in config.items()})


def tone_curve(patch: np.ndarray, curvature: float) -> np.ndarray:
    """Map ``[-1, 1]`` onto itself through an exponential of the given curvature.

    With ``z = (x + 1) / 2`` the curve is ``expm1(k z) / expm1(k)``, the shape of a
    square root of detected quanta against pixel values of a log detector whose
    attenuation range is ``2 |k|``. It fixes -1 and 1 and is the identity at ``k = 0``.

    Parameters
    ----------
    patch : ndarray
        Values, nominally in ``[-1, 1]``.
    curvature : float
        ``k``; positive expands the bright end, negative the dark end.

    Returns
    -------
    ndarray of float32, same shape
    """
    if abs(curvature) < 1e-6:
        return patch.astype(np.float32, copy=False)
    z = (patch.astype(np.float64) + 1.0) / 2.0
    return (2.0 * np.expm1(curvature * z) / math.expm1(curvature) - 1.0).astype(np.float32)


def resize(crop: np.ndarray, size: int) -> np.ndarray:
    """Resize a 2-D float32 array to ``size x size`` (bicubic, antialiased when shrinking)."""
    if crop.shape == (size, size):
        return crop
    tensor = torch.from_numpy(np.ascontiguousarray(crop))[None, None]
    out = F.interpolate(tensor, size=(size, size), mode="bicubic", antialias=True)
    return out[0, 0].numpy()


PADDING_TRIES = 16
"""Positions tried for a patch without padding before the least padded one is taken."""


def _position(
    shape: tuple[int, ...], side: int, padding: np.ndarray | None, rng: np.random.Generator
) -> tuple[int, int]:
    """Draw the top-left corner of a ``side`` square crop, avoiding padding if possible."""
    best = (2.0, 0, 0)  # (padding share, top, left): any position beats it
    for _ in range(PADDING_TRIES):
        top = int(rng.integers(shape[0] - side + 1))
        left = int(rng.integers(shape[1] - side + 1))
        if padding is None:
            return top, left
        share = float(padding[top : top + side, left : left + side].mean())
        if share == 0.0:
            return top, left
        if share < best[0]:
            best = (share, top, left)
    return best[1], best[2]


def _views(shared: torch.Tensor, shapes: Sequence[tuple[int, ...]]) -> list[np.ndarray]:
    """Consecutive arrays of the given shapes in a flat tensor's memory."""
    flat, start, views = shared.numpy(), 0, []
    for shape in shapes:
        size = math.prod(shape)
        views.append(flat[start : start + size].reshape(shape))
        start += size
    return views


class PatchSampler:
    """Draws augmented square patches from images in ``[-1, 1]``.

    Pickling puts the images in one shared-memory tensor: a worker process that
    training's patch drawing starts by spawning (the default on Windows and macOS)
    unpickles the sampler through torch's multiprocessing pickler, which then maps the
    parent's images instead of sending each worker a copy of them. (Forked workers
    share them anyway; a plain pickle copies them.)

    Parameters
    ----------
    images : sequence of ndarray
        2-D images (kept as float32), each at least ``patch_size / max(scale_range)``
        on a side.
    patch_size : int
        Side of the patches.
    augmentation : Augmentation
        What to randomise.
    padding : sequence of (ndarray of bool or None), optional
        Per image, True where a pixel is padding (no image content) or None. A patch
        is drawn at up to :data:`PADDING_TRIES` positions until one holds no padding
        (else the one with least is taken).
    """

    def __init__(
        self,
        images: Sequence[np.ndarray],
        patch_size: int,
        augmentation: Augmentation,
        *,
        padding: Sequence[np.ndarray | None] | None = None,
    ) -> None:
        if not images:
            raise ValueError("no training images")
        self.images = [np.asarray(image, dtype=np.float32) for image in images]
        self.padding = [
            None if mask is None or not mask.any() else np.asarray(mask, dtype=bool)
            for mask in (padding or [None] * len(self.images))
        ]
        self._shared: torch.Tensor | None = None
        self.patch_size = patch_size
        self.augmentation = augmentation
        smallest = min(min(im.shape) for im in self.images)
        if smallest * augmentation.scale_range[1] < patch_size:
            raise ValueError(
                f"patch size {patch_size} does not fit an image of {smallest} px even at "
                f"scale {augmentation.scale_range[1]}; use a smaller --patch-size"
            )

    def _share_images(self) -> torch.Tensor:
        """Move the images into one flat shared-memory tensor (once) and return it.

        ``images`` become views of it and the sampler drops its own arrays, so where
        nothing else holds them the images stay in memory once.
        """
        if self._shared is None:
            shared = torch.empty(sum(image.size for image in self.images), dtype=torch.float32)
            shared.share_memory_()
            views = _views(shared, [image.shape for image in self.images])
            for view, image in zip(views, self.images, strict=True):
                view[...] = image
            self.images, self._shared = views, shared
        return self._shared

    def __getstate__(self) -> dict[str, Any]:
        state = vars(self).copy()
        state["images"] = [image.shape for image in self.images]
        state["_shared"] = self._share_images()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        vars(self).update(state)
        self.images = _views(self._shared, state["images"])

    def patch(self, rng: np.random.Generator) -> np.ndarray:
        """Draw one patch.

        Parameters
        ----------
        rng : numpy.random.Generator
            All randomness comes from here.

        Returns
        -------
        ndarray of float32, shape (patch_size, patch_size)
        """
        aug, size = self.augmentation, self.patch_size
        index = rng.integers(len(self.images))
        image = self.images[index]
        log_lo, log_hi = (math.log(s) for s in aug.scale_range)
        scale = math.exp(rng.uniform(log_lo, log_hi))
        side = min(max(1, round(size / scale)), *image.shape)
        top, left = _position(image.shape, side, self.padding[index], rng)
        # Bicubic overshoot is an artefact; the tone curve would magnify it.
        patch = np.clip(resize(image[top : top + side, left : left + side], size), -1, 1)
        if aug.tone_curvature > 0:
            patch = tone_curve(patch, rng.uniform(-aug.tone_curvature, aug.tone_curvature))
        if aug.dihedral:
            k = int(rng.integers(8))
            patch = np.rot90(patch, k % 4)
            if k >= 4:
                patch = patch[:, ::-1]
        if rng.random() < aug.invert_probability:
            patch = -patch
        gain = rng.uniform(*aug.contrast_range)
        offset = rng.uniform(-(1 - gain), 1 - gain)
        return (gain * patch + offset).astype(np.float32)

    def batch(self, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        """Draw ``batch_size`` patches as an array of shape (N, 1, patch_size, patch_size)."""
        return np.stack([self.patch(rng) for _ in range(batch_size)])[:, None]
