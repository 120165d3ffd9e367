"""Validation at physical doses, through the product's whole blind denoise.

The Gaussian validation (:mod:`core.training.validation`) scores the network's one-step
denoise of white Gaussian noise in the model's domain. This one scores what a user gets:
each held-out image, read again as stored, is cut to the same centred crop (of
``val_crop`` px, or its shorter side where that is less; at its own scale, since
magnifying would correlate the noise), simulated at each dose with the physical
low-dose simulation (:func:`core.noise.simulate_low_dose_image`: thinning of the
detected quanta plus electronic noise), and denoised blind by
:func:`core.denoise.denoise_image` (noise estimate, variance
stabilisation, reverse diffusion from the estimated level) at the default settings but
one view. Noisy and denoised crops are scored against the full-dose crop (its own
noise counts as error) by :func:`core.metrics.compare`, PSNR and SSIM on a ``[0, 1]``
scale of the image's range of values (:func:`core.noise.value_range.metric_range`),
padding left out.

The quanta per unattenuated pixel at full dose are, by default, those behind each
image's own noise, measured once per image
(:meth:`core.noise.LowDoseSettings.measured_from`, with the validation's electronic
noise), so that a dose is a fraction of the dose the image was taken at; where the
measurement is refused the image is simulated at
:data:`core.noise.DEFAULT_PHOTONS_PER_PIXEL` (a log line names it and the reason). A
number of quanta given forces that number for every image.

The simulated noise is fixed by a seed per image and dose value (not the dose's place
in the list, so that adding a dose leaves the others' noise as it was), so scores
compare across steps and runs. An image whose content is under
:data:`core.training.validation.MIN_SIDE` px across is left out at every dose, as the
Gaussian validation leaves it out, and so is an image whose simulation or noise
estimate fails at any dose (an image without measurable noise, a dose too low for the
quanta), so that every dose's means are over the same images; both once, when the
validator is made, with a log line that names the image and the reason. One whose
denoise fails is left out of that pass, likewise. None is fatal.
"""

from __future__ import annotations

import copy
import logging
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from core.denoise.domain import ModelDomain, estimate_image_noise
from core.denoise.pipeline import denoise_image
from core.denoise.settings import DenoiseSettings
from core.diffusion.model import DiffusionModel
from core.diffusion.schedule import NoiseSchedule
from core.errors import XrayError, error_line
from core.image import Padding, XrayImage
from core.io import read_image
from core.metrics import compare, finite_or_none
from core.noise import DEFAULT_PHOTONS_PER_PIXEL, LowDoseSettings, simulate_low_dose_image
from core.noise.value_range import ValueRange, metric_range, value_range
from core.training.config import TrainConfig
from core.training.validation import MIN_SIDE

log = logging.getLogger(__name__)

VIEWS = 1
"""Views of the denoise (:attr:`core.denoise.DenoiseSettings.views`): one keeps it cheap."""

METHOD = (
    "blind denoise (core.denoise.denoise_image, default settings, 1 view) of held-out "
    "centred crops simulated at each dose (core.noise.simulate_low_dose_image); PSNR and "
    "SSIM against the full-dose crop (its own noise counts as error) on [0, 1] of the "
    "image's range of values"
)

SETTINGS_FIELDS = ("val_doses", "val_photons", "val_electronic_noise", "val_crop")
"""The training settings that make the validation at doses (a change makes new scores)."""

MEASURED = "measured"
"""``photons_per_pixel`` in the settings where each image's quanta are measured."""


@dataclass(frozen=True)
class DoseScore:
    """Mean scores at one dose.

    Parameters
    ----------
    dose : float
        Fraction of the full dose simulated.
    n_images : int
        Held-out crops scored at this dose.
    noisy_psnr, psnr, ssim : float
        PSNR (dB) of the simulated input, and PSNR and SSIM of its denoise, against the
        full-dose crop on ``[0, 1]`` of the image's range of values, averaged over the
        crops (NaN where none was scored).
    """

    dose: float
    n_images: int
    noisy_psnr: float
    psnr: float
    ssim: float


@dataclass(frozen=True)
class DoseValidationResult:
    """All scores of one validation pass at doses.

    Parameters
    ----------
    step : int
        Training step of the weights validated.
    scores : tuple of DoseScore
        One per dose.
    settings : dict
        What produced them: doses, quanta, electronic noise, seed, crop, views.
    n_left_out : int
        Cases (image and dose) left out, when the validator was made or in this pass.
    """

    step: int
    scores: tuple[DoseScore, ...]
    settings: dict[str, Any]
    n_left_out: int = 0

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict: counts only, no image named.

        A score that is not finite is None: none scored, or at dose 1, where the input
        is the reference, an infinite PSNR.
        """
        return {
            "step": self.step,
            "method": METHOD,
            "settings": self.settings,
            "n_left_out": self.n_left_out,
            "scores": [
                {k: finite_or_none(v) if isinstance(v, float) else v for k, v in asdict(s).items()}
                for s in self.scores
            ],
        }

    def summary(self) -> str:
        """One line for logs: ``dose noisy dB -> PSNR/SSIM`` per dose."""
        return "  ".join(
            f"{s.dose:g} {s.noisy_psnr:.1f}dB->{s.psnr:.2f}/{s.ssim:.4f} (n={s.n_images})"
            for s in self.scores
        )


@dataclass(frozen=True)
class _Case:
    """One held-out crop at one dose: its reference, simulated input and data range."""

    name: str
    dose_index: int
    reference: XrayImage
    noisy: XrayImage
    data_range: float


class DoseValidator:
    """Fixed simulated crops of the held-out images, denoised blind by any model.

    Parameters
    ----------
    images : sequence of XrayImage
        The held-out images as stored (:func:`read_held_out` reads them).
    names : sequence of str
        Per image, how log lines name it.
    doses : sequence of float
        Fractions of the full dose, each in (0, 1].
    photons_per_pixel : float or None
        Detected quanta per unattenuated pixel at full dose, for every image; None:
        measured from each image's noise, :data:`DEFAULT_PHOTONS_PER_PIXEL` where that
        is refused.
    electronic_noise : float
        Electronic noise std, in quanta.
    crop : int
        Side of the crops (an image's shorter side where that is less).
    schedule : NoiseSchedule
        The schedule of the models it will score: a noise level beyond its reach leaves
        a case out.
    seed : int
        Seed of the simulations.

    Raises
    ------
    ValueError
        If a dose or detector setting is out of range.
    """

    def __init__(
        self,
        images: Sequence[XrayImage],
        names: Sequence[str],
        *,
        doses: Sequence[float],
        photons_per_pixel: float | None,
        electronic_noise: float,
        crop: int,
        schedule: NoiseSchedule,
        seed: int = 0,
    ) -> None:
        self.doses = tuple(float(d) for d in doses)
        forced = photons_per_pixel
        for dose in self.doses:  # bad settings first, whatever the images
            LowDoseSettings(dose, forced or DEFAULT_PHOTONS_PER_PIXEL, electronic_noise)
        self.settings: dict[str, Any] = {
            "doses": list(self.doses),
            "photons_per_pixel": MEASURED if forced is None else float(forced),
            "electronic_noise": float(electronic_noise),
            "seed": seed,
            "crop": crop,
            "views": VIEWS,
        }
        self.denoise = DenoiseSettings(views=VIEWS)
        self.cases: list[_Case] = []
        self.n_left_out = 0
        chosen = {"measured": 0, "fallback": 0}
        for i, (image, name) in enumerate(zip(images, names, strict=True)):
            if not _large_enough(image, name):
                self.n_left_out += len(self.doses)
                continue
            reference = _centre_crop(image, crop)
            values = value_range(image)
            data_range = metric_range(image)[0]
            if forced is None:
                full, how = _measured(image, name, electronic_noise, values)
                chosen[how] += 1
            else:
                full = LowDoseSettings(1.0, forced, electronic_noise)
            cases, failed = [], []
            for k, dose in enumerate(self.doses):
                simulation = replace(full, dose=dose, seed=case_seed(seed, i, dose))
                try:
                    noisy = simulate_low_dose_image(reference, simulation, values=values)
                    noise = estimate_image_noise(noisy)
                    domain = ModelDomain.from_image(noisy, noise)
                    self.denoise.check_strength(domain.noise_std, schedule.sigma_max)
                except (XrayError, ValueError) as error:
                    _say_left_out(name, dose, error)
                    failed.append(dose)
                    continue
                cases.append(_Case(name, k, reference, noisy, data_range))
            if failed:  # out at every dose, so that each dose's means are over the same images
                self.n_left_out += len(self.doses)
                if cases:
                    log.warning(
                        "leaving %s out of the validation at doses at every dose, not only "
                        "at %s, so that every dose scores the same images",
                        name,
                        ", ".join(f"{dose:g}" for dose in failed),
                    )
                continue
            self.cases.extend(cases)
        if forced is None:
            self.settings["quanta"] = chosen | {
                "fallback_photons_per_pixel": DEFAULT_PHOTONS_PER_PIXEL
            }

    def __call__(self, model: DiffusionModel, step: int) -> DoseValidationResult:
        """Denoise every case with ``model`` (a copy of its current weights, on its device)."""
        # A copy: the denoise may change its model's memory format (channels-last on CUDA).
        model = DiffusionModel(copy.deepcopy(model.network), model.schedule)
        device = model.device
        settings = replace(self.denoise, device=str(device))
        per_dose: list[list[tuple[float, float, float]]] = [[] for _ in self.doses]
        left_out = self.n_left_out
        for case in self.cases:
            try:
                denoised = denoise_image(case.noisy, model, settings).image
            except (XrayError, ValueError, RuntimeError) as error:
                left_out += 1
                _say_left_out(case.name, self.doses[case.dose_index], error)
                continue
            reference = case.reference.pixels
            exclude = case.reference.padding_mask
            noisy = compare(
                reference, case.noisy.pixels, data_range=case.data_range, exclude=exclude
            )
            after = compare(reference, denoised.pixels, data_range=case.data_range, exclude=exclude)
            per_dose[case.dose_index].append((noisy.psnr, after.psnr, after.ssim))
        scores = tuple(
            DoseScore(dose, len(rows), *_means(rows))
            for dose, rows in zip(self.doses, per_dose, strict=True)
        )
        return DoseValidationResult(step, scores, self.settings, left_out)


def case_seed(seed: int, image: int, dose: float) -> int:
    """Seed of one image's simulation at one dose: from the dose's value, not its place.

    Parameters
    ----------
    seed : int
        The run's seed.
    image : int
        The image's index among the held-out images.
    dose : float
        The dose.

    Returns
    -------
    int
        A seed that depends on these three only, so that the noise at a dose stays the
        same when other doses are added or removed.
    """
    bits = int(np.array(float(dose), dtype=np.float64).view(np.uint64))
    return int(np.random.SeedSequence([seed, image, bits]).generate_state(1)[0])


def _measured(
    image: XrayImage, name: str, electronic_noise: float, values: ValueRange
) -> tuple[LowDoseSettings, str]:
    """Full-dose settings with the quanta behind the image's noise, else the default's.

    Returns
    -------
    settings : LowDoseSettings
        At dose 1, seed 0 (the caller sets both).
    how : {"measured", "fallback"}
        How the quanta were chosen; a fallback is logged with the image and the reason.
    """
    try:
        settings = LowDoseSettings.measured_from(
            image, 1.0, electronic_noise=electronic_noise, values=values
        )
    except (XrayError, ValueError) as error:
        log.warning(
            "the quanta of %s cannot be measured from its noise, so the validation at doses "
            "simulates it at %g quanta per unattenuated pixel: %s",
            name,
            DEFAULT_PHOTONS_PER_PIXEL,
            error_line(error),
        )
        return LowDoseSettings(1.0, DEFAULT_PHOTONS_PER_PIXEL, electronic_noise), "fallback"
    return settings, "measured"


def dose_change(
    start: dict[str, Any] | None, final: dict[str, Any] | None, *, worse_db: float
) -> dict[str, Any]:
    """Compare a fine-tune's scores at doses with its starting model's, dose by dose.

    Parameters
    ----------
    start, final : dict or None
        :meth:`DoseValidationResult.to_json` of the starting model and of the model
        exported (a validation's ``at_doses``); None where there was none.
    worse_db : float
        A fall in PSNR that counts as worse.

    Returns
    -------
    dict
        Empty where either is missing or their settings other than the doses differ
        (the scores would be of other cases); else ``doses`` (per dose scored by both,
        matched by value: ``dose``, ``start_psnr``, ``psnr`` and ``change_db``, the mean
        PSNR in dB of the blind denoise) and ``worse_at``: the doses whose PSNR fell by
        ``worse_db`` or more, as ``"dose 0.05: -0.31 dB"``.
    """
    if not start or not final:
        return {}

    def others(record: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in record.get("settings", {}).items() if k != "doses"}

    if others(start) != others(final):
        return {}
    before = {s["dose"]: s["psnr"] for s in start.get("scores", []) if s.get("psnr") is not None}
    doses = [
        {
            "dose": score["dose"],
            "start_psnr": round(before[score["dose"]], 3),
            "psnr": round(score["psnr"], 3),
            "change_db": round(score["psnr"] - before[score["dose"]], 3),
        }
        for score in final.get("scores", [])
        if score.get("psnr") is not None and score["dose"] in before
    ]
    if not doses:
        return {}
    return {
        "what": "mean PSNR (dB, blind denoise) at each dose of both, the exported model's "
        "against the starting model's",
        "doses": doses,
        "worse_at": [
            f"dose {d['dose']:g}: {d['change_db']:+.2f} dB"
            for d in doses
            if d["change_db"] <= -worse_db
        ],
    }


def unscored_doses(at_doses: dict[str, Any] | None) -> list[float]:
    """Return the doses of a validation at doses that scored no image.

    Parameters
    ----------
    at_doses : dict or None
        :meth:`DoseValidationResult.to_json` output.

    Returns
    -------
    list of float
        Doses whose ``n_images`` is 0; empty without a validation at doses.
    """
    return [s["dose"] for s in (at_doses or {}).get("scores", []) if not s.get("n_images")]


def settings_changes(config: TrainConfig, stored: dict[str, Any]) -> list[str]:
    """Say which settings of the validation at doses differ from a checkpoint's.

    Parameters
    ----------
    config : TrainConfig
        The resumed run's settings.
    stored : dict
        The checkpoint's (:meth:`TrainConfig.to_config`), read as
        :meth:`TrainConfig.from_config` reads it: a field it predates has its default.

    Returns
    -------
    list of str
        Per field of :data:`SETTINGS_FIELDS` that differs, ``"val_doses 0.5 -> 0.2, 0.5"``;
        empty where none does, or neither run validates at doses.
    """
    mine, theirs = config.to_config(), TrainConfig.from_config(stored).to_config()
    if not mine["val_doses"] and not theirs["val_doses"]:
        return []
    return [
        f"{name} {_setting(theirs[name])} -> {_setting(mine[name])}"
        for name in SETTINGS_FIELDS
        if mine[name] != theirs[name]
    ]


def _setting(value: Any) -> str:
    """Write a setting as the command line does: doses ``0.2, 0.5`` (none: ``none``)."""
    if value is None:
        return MEASURED
    if isinstance(value, tuple | list):
        return ", ".join(f"{v:g}" for v in value) or "none"
    return f"{value:g}"


def _large_enough(image: XrayImage, name: str) -> bool:
    """Tell whether an image's content is :data:`MIN_SIDE` px across; log it if not."""
    rows, cols = _content_box(image.padding_mask, image.shape)
    height, width = rows.stop - rows.start, cols.stop - cols.start
    if min(height, width) >= MIN_SIDE:
        return True
    log.warning(
        "leaving %s (%d x %d px) out of the validation at doses: under %d px across, "
        "too small to score",
        name,
        width,
        height,
        MIN_SIDE,
    )
    return False


def _say_left_out(name: str, dose: float, error: Exception) -> None:
    """Log that an image is left out at a dose, and why."""
    log.warning(
        "leaving %s at dose %g out of the validation at doses: %s", name, dose, error_line(error)
    )


def _means(rows: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Mean noisy PSNR, PSNR and SSIM (SSIM over the crops that have one); NaN for none."""
    if not rows:
        return math.nan, math.nan, math.nan
    values = np.array(rows, dtype=np.float64)
    ssim = values[:, 2][np.isfinite(values[:, 2])]
    return (
        float(values[:, 0].mean()),
        float(values[:, 1].mean()),
        float(ssim.mean()) if ssim.size else math.nan,
    )


def read_held_out(
    sources: Sequence[tuple[Any, int, str]],
) -> tuple[list[XrayImage], list[str]]:
    """Read the held-out images again as stored; an unreadable one is left out and logged.

    Parameters
    ----------
    sources : sequence of (path, frame, name)
        Each held-out image's file, frame and name for log lines.

    Returns
    -------
    images : list of XrayImage
    names : list of str
    """
    images, names = [], []
    for path, frame, name in sources:
        try:
            images.append(read_image(path, frame=frame, digest=False))
        except (XrayError, ValueError, OSError) as error:
            log.warning("leaving %s out of the validation at doses: %s", name, error_line(error))
            continue
        names.append(name)
    return images, names


def _centre_crop(image: XrayImage, crop: int) -> XrayImage:
    """Cut the centred square of ``min(crop, shorter side)`` px of the image's content.

    The content is the bounding box of the pixels that are not padding, as training
    images are cropped (:func:`core.training.data.without_padding`); padding left in
    the crop stays padding.
    """
    rows, cols = _content_box(image.padding_mask, image.shape)
    side = min(crop, rows.stop - rows.start, cols.stop - cols.start)
    top = rows.start + (rows.stop - rows.start - side) // 2
    left = cols.start + (cols.stop - cols.start - side) // 2
    window = (slice(top, top + side), slice(left, left + side))
    padding = image.padding
    if padding is not None:
        stored = np.zeros(padding.mask.shape, dtype=np.int64)
        stored[padding.mask] = padding.values
        mask = padding.mask[window]
        padding = (
            Padding(padding.first, padding.last, mask.copy(), stored[window][mask])
            if mask.any()
            else None
        )
    return image.with_pixels(image.pixels[window].copy(), padding=padding)


def _content_box(mask: np.ndarray | None, shape: tuple[int, ...]) -> tuple[slice, slice]:
    """Rows and columns of the bounding box of the pixels that are not padding."""
    if mask is None:
        return slice(0, shape[0]), slice(0, shape[1])
    rows = np.flatnonzero(~mask.all(axis=1))
    cols = np.flatnonzero(~mask.all(axis=0))
    return slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)
