"""Validation during training: PSNR and SSIM of the one-step (Tweedie) denoise.

Held-out patients' images are cut to centred crops (of ``val_crop`` px, or an image's
shorter side where that is less) at their own scale and magnified 2x (closer to
full-resolution radiographs), given white Gaussian noise at three
levels whose noisy PSNR on a ``[0, 1]`` scale is about 43, 36 and 30 dB, and denoised
with one reverse step from the matching time. The noise is fixed by a seed so that
numbers are comparable across steps and runs.

References
----------
.. [1] Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli. Image quality assessment:
   from error visibility to structural similarity. IEEE TIP 13(4), 2004.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from skimage.metrics import peak_signal_noise_ratio

from core.diffusion.model import DiffusionModel
from core.diffusion.sampler import diffusion_start
from core.metrics import compare
from core.training.patches import resize

log = logging.getLogger(__name__)

DATA_RANGE = 2.0  # the model domain [-1, 1]
NOISY_PSNR_DB = (43.0, 36.0, 30.0)
SCALES = (1.0, 2.0)

SSIM_METHOD = (
    "Wang et al. 2004 (core.metrics): 11 x 11 Gaussian window, sigma 1.5, population "
    "covariances, averaged over the pixels whose window fits in the crop and holds no padding"
)
"""How the scores' SSIM is computed, as the card records it (cards without this entry,
such as the shipped model's, used scikit-image's default 7 x 7 uniform window)."""

MIN_SIDE = 16
"""Images narrower than this (px) are left out of validation: SSIM's 11 px window, and
the network's reflection padding to a multiple of its size step (16 px for the shipped
one, at most half a side), need more, and so few pixels would say nothing."""


def sigma_for_psnr(psnr_db: float) -> float:
    """Return the model-domain Gaussian sigma whose noisy PSNR on ``[0, 1]`` is ``psnr_db``."""
    return DATA_RANGE * 10.0 ** (-psnr_db / 20.0)


@dataclass(frozen=True)
class LevelScore:
    """Mean scores at one noise level and scale.

    Parameters
    ----------
    noisy_psnr_db : float
        Nominal noisy PSNR that set the level.
    sigma : float
        Noise standard deviation in the model domain.
    scale : float
        Magnification of the crops.
    noisy_psnr, psnr, ssim : float
        PSNR (dB) of the noisy input, and PSNR and SSIM (:data:`SSIM_METHOD`) of the
        denoised crops, averaged over images (SSIM over those with an 11 x 11 window
        clear of padding; NaN if none), with ``data_range`` 2 on the ``[-1, 1]`` domain.
    """

    noisy_psnr_db: float
    sigma: float
    scale: float
    noisy_psnr: float
    psnr: float
    ssim: float


@dataclass(frozen=True)
class ValidationResult:
    """All scores of one validation pass.

    Parameters
    ----------
    step : int
        Training step of the weights validated.
    n_images : int
        Held-out images scored.
    scores : tuple of LevelScore
        One per noise level and scale.
    crops : tuple of int
        Side of each scored image's crops in px, in image order.
    n_left_out : int
        Held-out images too small to score (:data:`MIN_SIDE`).
    at_doses : dict or None
        The same step's validation at physical doses through the blind denoise
        (:meth:`core.training.dose_validation.DoseValidationResult.to_json`), if any.
    """

    step: int
    n_images: int
    scores: tuple[LevelScore, ...]
    crops: tuple[int, ...] = ()
    n_left_out: int = 0
    at_doses: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict; ``crop_sides`` counts the images per crop side.

        ``ssim`` names the SSIM of the scores (:data:`SSIM_METHOD`).
        """
        sides = Counter(self.crops)
        return {
            "step": self.step,
            "n_images": self.n_images,
            "method": "one-step (Tweedie) denoise of held-out crops, white Gaussian noise",
            "ssim": SSIM_METHOD,
            "crop_sides": {str(side): sides[side] for side in sorted(sides, reverse=True)},
            "n_left_out": self.n_left_out,
            "scores": [asdict(s) for s in self.scores],
            **({} if self.at_doses is None else {"at_doses": self.at_doses}),
        }

    def summary(self) -> str:
        """One line for logs: ``scale x noisy dB -> PSNR/SSIM`` per level."""
        return "  ".join(
            f"x{s.scale:g} {s.noisy_psnr:.1f}dB->{s.psnr:.2f}/{s.ssim:.4f}" for s in self.scores
        )


class Validator:
    """Fixed validation crops and noise, scored against any model.

    Each image is cut to a centred square of ``min(crop, its shorter side)`` px and
    scored on its own; images of one crop size are denoised as one batch. An image
    under :data:`MIN_SIDE` px across is left out, with a warning that names it.

    Parameters
    ----------
    images : sequence of ndarray
        Held-out 2-D float32 images in ``[-1, 1]``.
    crop : int
        Side of the crops (an image's shorter side where that is less).
    seed : int
        Seed of the noise.
    padding : sequence of (ndarray of bool or None), optional
        Per image, True where a pixel is padding (no image content) or None; padding
        is left out of the scores.
    names : sequence of str, optional
        Per image, how warnings name it (its file and frame); by default its place
        among the images.

    Raises
    ------
    ValueError
        If there are no images, or none of them is :data:`MIN_SIDE` px across.
    """

    def __init__(
        self,
        images: Sequence[np.ndarray],
        *,
        crop: int,
        seed: int = 0,
        padding: Sequence[np.ndarray | None] | None = None,
        names: Sequence[str] | None = None,
    ) -> None:
        if not images:
            raise ValueError("no validation images")
        kept = _large_enough(images, names)
        masks = padding or [None] * len(images)
        kept_images, kept_masks = [images[k] for k in kept], [masks[k] for k in kept]
        self.n_images = len(kept)
        self.n_left_out = len(images) - len(kept)
        self.crops = tuple(min(crop, *image.shape) for image in kept_images)
        rng = np.random.default_rng(seed)
        self.cases = []  # (noisy PSNR dB, sigma, scale, clean, noisy) per crop side
        self._members = []  # per case: the scored images its crops are, by index
        self.scored = []  # per scale and scored image: True where a crop's pixel is content
        for scale in SCALES:
            self.scored.append(
                [_scored(m, side, scale) for m, side in zip(kept_masks, self.crops, strict=True)]
            )
            batches = _crop_batches(kept_images, self.crops, scale)
            for db in NOISY_PSNR_DB:
                sigma = sigma_for_psnr(db)
                for members, clean in batches:
                    noisy = clean + sigma * rng.standard_normal(clean.shape, dtype=np.float32)
                    self.cases.append((db, sigma, scale, clean, noisy))
                    self._members.append(members)

    def __call__(self, model: DiffusionModel, step: int) -> ValidationResult:
        """Score ``model`` (its current weights) on every case."""
        device = model.device
        # Per scale and level: noisy PSNR, PSNR and SSIM of each scored image.
        per_image = {
            (scale, db): np.empty((3, self.n_images)) for scale in SCALES for db in NOISY_PSNR_DB
        }
        for (db, sigma, scale, clean, noisy), members in zip(
            self.cases, self._members, strict=True
        ):
            with torch.inference_mode():
                x_start, t_start = diffusion_start(
                    model.schedule, torch.from_numpy(noisy).to(device), sigma=sigma
                )
                denoised = model.predict_x0(x_start, t_start).clamp(-1, 1).float().cpu().numpy()
            scored = self.scored[SCALES.index(scale)]
            values = per_image[scale, db]
            for i, ref, den, noi in zip(
                members, clean[:, 0], denoised[:, 0], noisy[:, 0], strict=True
            ):
                values[:, i] = _image_scores(ref.astype(np.float64), den, noi, scored[i])
        scores = tuple(
            LevelScore(db, sigma_for_psnr(db), scale, *_means(per_image[scale, db]))
            for scale in SCALES
            for db in NOISY_PSNR_DB
        )
        return ValidationResult(
            step=step,
            n_images=self.n_images,
            scores=scores,
            crops=self.crops,
            n_left_out=self.n_left_out,
        )


def _large_enough(images: Sequence[np.ndarray], names: Sequence[str] | None) -> list[int]:
    """Return the indices of the images at least :data:`MIN_SIDE` px across; warn of the others.

    Raises
    ------
    ValueError
        If there are none.
    """
    kept, small = [], []
    for k, image in enumerate(images):
        if min(image.shape) >= MIN_SIDE:
            kept.append(k)
            continue
        name = names[k] if names is not None else f"validation image {k + 1} of {len(images)}"
        small.append(f"{name} ({image.shape[1]} x {image.shape[0]} px)")
        log.warning(
            "leaving %s out of validation: under %d px across, too small to score",
            small[-1],
            MIN_SIDE,
        )
    if not kept:
        raise ValueError(
            f"none of the {len(images)} held-out images is {MIN_SIDE} px or more across "
            f"(such as {small[0]}), too small to score; remove such images or hold none "
            "out (val_fraction 0)"
        )
    return kept


def _crop_batches(
    images: Sequence[np.ndarray], sides: Sequence[int], scale: float
) -> list[tuple[list[int], np.ndarray]]:
    """Group the images' centred crops by side, the largest first.

    Returns
    -------
    list of (list of int, ndarray of shape (n, 1, side, side))
        Per side: the images cropped to it, by index, and their crops.
    """
    batches = []
    for side in sorted(set(sides), reverse=True):
        members = [i for i, own in enumerate(sides) if own == side]
        crops = np.stack([_centre(images[i], side, scale) for i in members])[:, None]
        batches.append((members, crops))
    return batches


def _means(values: np.ndarray) -> tuple[float, float, float]:
    """Mean noisy PSNR, PSNR and SSIM over images (SSIM over those that have one; NaN if none)."""
    ssim = values[2][np.isfinite(values[2])]
    return (
        float(np.mean(values[0])),
        float(np.mean(values[1])),
        float(np.mean(ssim)) if ssim.size else float("nan"),
    )


def _image_scores(
    reference: np.ndarray, denoised: np.ndarray, noisy: np.ndarray, keep: np.ndarray | None
) -> tuple[float, float, float]:
    """Noisy PSNR, PSNR and SSIM of one crop over the pixels kept (all if None).

    SSIM is :func:`core.metrics.compare`'s (:data:`SSIM_METHOD`), as the app, the
    validation at doses and the benchmarks score: NaN where no 11 x 11 window of the
    crop is clear of padding.
    """
    exclude = None if keep is None else ~keep
    ssim = compare(reference, denoised.astype(np.float64), data_range=DATA_RANGE, exclude=exclude)
    return _psnr(reference, noisy, keep), _psnr(reference, denoised, keep), ssim.ssim


def _psnr(reference: np.ndarray, test: np.ndarray, keep: np.ndarray | None) -> float:
    """PSNR on the ``[-1, 1]`` domain over the pixels kept (all if None)."""
    if keep is None:
        return float(peak_signal_noise_ratio(reference, test, data_range=DATA_RANGE))
    return float(
        peak_signal_noise_ratio(
            reference[keep], test[keep].astype(np.float64), data_range=DATA_RANGE
        )
    )


def _scored(padding: np.ndarray | None, crop: int, scale: float) -> np.ndarray | None:
    """Pixels of a validation crop that are image content: none of their source is padding."""
    if padding is None:
        return None
    keep = _centre(padding.astype(np.float32), crop, scale) < 1e-3
    return keep if keep.any() and not keep.all() else None


def _centre(image: np.ndarray, crop: int, scale: float) -> np.ndarray:
    side = round(crop / scale)
    top, left = (image.shape[0] - side) // 2, (image.shape[1] - side) // 2
    return resize(image[top : top + side, left : left + side], crop)
