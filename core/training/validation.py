"""Validation during training: PSNR and SSIM of the one-step (Tweedie) denoise.

Held-out patients' images are cut to centred crops at their own scale and magnified
2x (closer to full-resolution radiographs), given white Gaussian noise at three
levels whose noisy PSNR on a ``[0, 1]`` scale is about 43, 36 and 30 dB, and denoised
with one reverse step from the matching time. The noise is fixed by a seed so that
numbers are comparable across steps and runs.

References
----------
.. [1] Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli. Image quality assessment:
   from error visibility to structural similarity. IEEE TIP 13(4), 2004.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from core.diffusion.model import DiffusionModel
from core.diffusion.sampler import diffusion_start
from core.training.patches import resize

DATA_RANGE = 2.0  # the model domain [-1, 1]
NOISY_PSNR_DB = (43.0, 36.0, 30.0)
SCALES = (1.0, 2.0)


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
        PSNR (dB) of the noisy input, and PSNR and SSIM of the denoised crops,
        averaged over images, with ``data_range`` 2 on the ``[-1, 1]`` domain.
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
        Held-out images used.
    scores : tuple of LevelScore
        One per noise level and scale.
    """

    step: int
    n_images: int
    scores: tuple[LevelScore, ...]

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        return {
            "step": self.step,
            "n_images": self.n_images,
            "method": "one-step (Tweedie) denoise of held-out crops, white Gaussian noise",
            "scores": [asdict(s) for s in self.scores],
        }

    def summary(self) -> str:
        """One line for logs: ``scale x noisy dB -> PSNR/SSIM`` per level."""
        return "  ".join(
            f"x{s.scale:g} {s.noisy_psnr:.1f}dB->{s.psnr:.2f}/{s.ssim:.4f}" for s in self.scores
        )


class Validator:
    """Fixed validation crops and noise, scored against any model.

    Parameters
    ----------
    images : sequence of ndarray
        Held-out 2-D float32 images in ``[-1, 1]``.
    crop : int
        Side of the crops (reduced to the smallest image side if needed).
    seed : int
        Seed of the noise.
    padding : sequence of (ndarray of bool or None), optional
        Per image, True where a pixel is padding (no image content) or None; padding
        is left out of the scores.
    """

    def __init__(
        self,
        images: Sequence[np.ndarray],
        *,
        crop: int,
        seed: int = 0,
        padding: Sequence[np.ndarray | None] | None = None,
    ) -> None:
        if not images:
            raise ValueError("no validation images")
        crop = min(crop, *(min(im.shape) for im in images))
        self.n_images = len(images)
        masks = padding or [None] * len(images)
        rng = np.random.default_rng(seed)
        self.cases = []
        self.scored = []  # per scale: True where a crop's pixel is image content
        for scale in SCALES:
            clean = np.stack([_centre(im, crop, scale) for im in images])[:, None]
            self.scored.append([_scored(mask, crop, scale) for mask in masks])
            for db in NOISY_PSNR_DB:
                sigma = sigma_for_psnr(db)
                noisy = clean + sigma * rng.standard_normal(clean.shape, dtype=np.float32)
                self.cases.append((db, sigma, scale, clean, noisy))

    def __call__(self, model: DiffusionModel, step: int) -> ValidationResult:
        """Score ``model`` (its current weights) on every case."""
        device = next(model.parameters()).device
        scores = []
        for db, sigma, scale, clean, noisy in self.cases:
            with torch.inference_mode():
                x_start, t_start = diffusion_start(
                    model.schedule, torch.from_numpy(noisy).to(device), sigma=sigma
                )
                denoised = model.predict_x0(x_start, t_start).clamp(-1, 1).float().cpu().numpy()
            psnr, ssim, noisy_psnr = [], [], []
            scored = self.scored[SCALES.index(scale)]
            for ref, den, noi, keep in zip(
                clean[:, 0], denoised[:, 0], noisy[:, 0], scored, strict=True
            ):
                ref64 = ref.astype(np.float64)
                psnr.append(_psnr(ref64, den, keep))
                whole, ssim_map = structural_similarity(
                    ref64, den.astype(np.float64), data_range=2.0, full=True
                )
                ssim.append(float(whole if keep is None else ssim_map[keep].mean()))
                noisy_psnr.append(_psnr(ref64, noi, keep))
            scores.append(
                LevelScore(
                    db,
                    sigma,
                    scale,
                    float(np.mean(noisy_psnr)),
                    float(np.mean(psnr)),
                    float(np.mean(ssim)),
                )
            )
        return ValidationResult(step=step, n_images=self.n_images, scores=tuple(scores))


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
