"""The training loop: eps-prediction loss, AdamW, EMA, checkpoints, validation, DDP.

Every random draw of step ``k`` on rank ``r`` comes from
``numpy.random.default_rng([seed, k, r])`` and the learning rate is a pure function of
``k`` (and, under a time budget, of the share of it used:
:mod:`core.training.lr_schedule`), so resuming a step-limited run from a checkpoint
continues exactly as if never interrupted, and each DDP rank draws its own patches
(the sharding).

References
----------
.. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models. NeurIPS 2020
   (the simple loss ``|eps - eps_theta(x_t, t)|^2``, eq. 14).
.. [2] I. Loshchilov, F. Hutter. Decoupled Weight Decay Regularization. ICLR 2019.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path, PureWindowsPath
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from core.binning import block_means
from core.device import cpu_has_amx, precision_label
from core.diffusion.grow import is_deepening, load_deepened
from core.diffusion.model import DiffusionModel, ModelCard, card_path, load_model, save_model
from core.diffusion.sampler import q_sample, torch_seed
from core.diffusion.unet import UNet
from core.io.safe_text import text_safe
from core.resources import file_sha256
from core.training.checkpoint import (
    Checkpoint,
    load_checkpoint,
    load_ema,
    read_checkpoint,
    save_checkpoint,
)
from core.training.config import TimeBudget, TrainConfig
from core.training.data import (
    BLANK_REASON,
    ImageRecord,
    TrainingImage,
    assign_patients,
    describe_images,
    describe_source,
    find_images,
    is_blank,
    load_images,
    patient_tables,
)
from core.training.distributed import DistributedContext
from core.training.dose_validation import (
    DoseValidator,
    dose_change,
    read_held_out,
    unscored_doses,
)
from core.training.dose_validation import settings_changes as dose_settings_changes
from core.training.draws import StepDraws, auto_workers, iterate_draws
from core.training.ema import EMA
from core.training.lr_schedule import MAX_WARMUP_FRACTION, StepPlan, learning_rate
from core.training.outputs import check_outputs, clear_outputs, start_metrics
from core.training.patches import PatchSampler
from core.training.patient_table import read_patient_tables, warn_of_images_without_patient
from core.training.selection import (
    DataChangedError,
    Selection,
    SelectionRule,
    one_patient_hint,
    restore_split,
    select_images,
    split_hashes,
    split_source,
    split_to_json,
)
from core.training.validation import ValidationResult, Validator

log = logging.getLogger(__name__)

NORMALISATION_RECORDS = {
    "percentiles": "pixels mapped as the denoiser maps an image it is given: the 0.1 and 99.9 "
    "percentiles of the means of 4 x 4 blocks clear of padding on -0.9 and 0.9, at least 1 % "
    "of the data's range of values apart, values beyond clipped to [-1, 1]",
    "range": "pixels mapped to [-1, 1] over the data's range of values: integer "
    "data over their storable range (DICOM BitsStored through the rescale), narrowed in a "
    "16-bit container to the fewest bits, at least 8, that hold the image (12-bit data: 0 "
    "to 4095); floating-point data over [0, 1] where within it, else their own extent",
}
"""What a model card says of each normalisation (:func:`core.training.data.normalise`)."""


@dataclass(frozen=True)
class TrainState:
    """Progress report passed to the ``callback`` after every step (rank 0 only).

    Parameters
    ----------
    step : int
        Optimiser steps done.
    total_steps : int
        The run's horizon.
    loss : float
        This step's loss.
    lr : float
        This step's learning rate.
    elapsed_s : float
        Wall time of the whole run, all invocations together.
    steps_per_s : float
        Throughput of this invocation so far.
    validation : ValidationResult or None
        The latest validation of this invocation, if any.
    """

    step: int
    total_steps: int
    loss: float
    lr: float
    elapsed_s: float
    steps_per_s: float
    validation: ValidationResult | None


Callback = Callable[[TrainState], bool | None]
"""Called with each :class:`TrainState`; returning True stops the run gracefully."""


def _binned_padding(padding: np.ndarray | None, binning: int) -> np.ndarray | None:
    """Return the padding of a binned image: the blocks with any padding pixel."""
    if padding is None:
        return None
    return block_means(padding.astype(np.float32), binning) > 0


@dataclass(frozen=True)
class _Data:
    sampler: PatchSampler
    validator: Validator | None
    card: dict[str, Any]
    not_scored: str | None
    selection: Selection
    split: dict[str, Any]
    """The split as the checkpoint stores it (:func:`core.training.selection.split_to_json`)."""
    dose_validator: DoseValidator | None = None
    """The validation at ``val_doses`` through the blind denoise; None without them."""


def _not_scored(
    config: TrainConfig, n_patients: int, n_val_images: int, hint: str = ""
) -> str | None:
    """Say why the run will not validate its model, logged; None when it will.

    ``hint`` (:func:`core.training.selection.one_patient_hint`) is logged after the reason
    of a run of one patient; it may name the patient, so the reason returned for the
    card never holds it.
    """
    if n_val_images == 0 and config.val_fraction > 0:
        reason = (
            f"only {n_patients} patient: nothing held out for validation; "
            "the model will not be scored"
        )
        log.warning("%s", f"{reason} ({hint})" if hint else reason)
        return reason
    if n_val_images == 0:
        reason = "val_fraction is 0: nothing held out for validation; the model will not be scored"
    elif config.val_every == 0:
        reason = "val_every is 0: validation is off; the model will not be scored"
    else:
        return None
    log.info("%s", reason)
    return reason


@dataclass(frozen=True)
class TrainingFiles:
    """A data folder's image files, and what under it could not be read, from one walk.

    Parameters
    ----------
    images : list of Path
        The image files (:func:`core.training.data.find_images`), sorted; never empty.
    unreadable : list of (Path, str)
        The folders that cannot be listed and the files that cannot be examined, with
        why (:func:`core.training.data.walk_files`): each warned of when found, and
        counted as unreadable in the model card.
    not_images : list of (Path, str)
        The files not taken as images (a DICOMDIR, a text), with why
        (:func:`core.io.sniff.why_not_an_image`): warned of when found, and counted as
        ``not_images`` among the model card's skipped files.
    """

    images: list[Path]
    unreadable: list[tuple[Path, str]]
    not_images: list[tuple[Path, str]] = field(default_factory=list)


def find_training_files(folder: Path) -> TrainingFiles:
    """List a data folder's image files and what cannot be read, walking it once.

    Parameters
    ----------
    folder : Path
        The data folder.

    Returns
    -------
    TrainingFiles

    Raises
    ------
    ValueError
        If ``folder`` is not a folder or holds no image file.
    """
    unreadable: list[tuple[Path, str]] = []
    not_images: list[tuple[Path, str]] = []
    images = find_images(folder, unreadable=unreadable, not_images=not_images)
    if not images:
        raise ValueError(_no_images(folder))
    return TrainingFiles(images, unreadable, not_images)


def _no_images(folder: Path) -> str:
    return f"no PNG, TIFF, JPEG or DICOM images under {folder}"


def check_patient_tables(config: TrainConfig, files: TrainingFiles) -> None:
    """Refuse a data folder whose ``data.csv`` tables cannot be used, reading only them.

    No image is read, so that such a run is refused before it writes anything (its lock
    and log included). The tables' warnings are left to the run, which reads the tables
    again with the images' headers (:func:`core.training.data.assign_patients`) and
    warns once.

    Parameters
    ----------
    config : TrainConfig
        ``data`` and ``ignore_patient_table`` (which skips the check).
    files : TrainingFiles
        The data folder's files (:func:`find_training_files`).

    Raises
    ------
    core.training.patient_table.PatientTableError
        As :func:`core.training.patient_table.read_patient_tables` does.
    """
    if config.ignore_patient_table:
        return
    tables_log = logging.getLogger(read_patient_tables.__module__)
    tables_log.addFilter(_silent)
    try:
        read_patient_tables(config.data, patient_tables(config.data), files.images)
    finally:
        tables_log.removeFilter(_silent)


def _silent(_record: logging.LogRecord) -> bool:
    """Drop every record (a logging filter)."""
    return False


def _prepare_data(
    config: TrainConfig,
    stored_split: dict[str, Any] | None = None,
    files: TrainingFiles | None = None,
) -> _Data:
    """Load the images, select and split them, and describe them for the model card.

    Parameters
    ----------
    config : TrainConfig
        The run.
    stored_split : dict or None
        A resumed run's split from its checkpoint, kept as it is; None makes the split.
    files : TrainingFiles or None
        The data folder's files (:func:`find_training_files`); None finds them.

    Returns
    -------
    _Data

    Raises
    ------
    ValueError
        If no image can be used, or the usable images differ from the stored split's.
    """
    if files is None:
        files = find_training_files(config.data)
    records = assign_patients(
        config.data, files.images, ignore_tables=config.ignore_patient_table, warn_alone=False
    )
    if not records:
        raise ValueError(_no_images(config.data))
    joined: list[Path] = []
    images, unreadable = load_images(records, normalisation=config.normalisation, joined=joined)
    if not images:
        _warn_of_images_without_patient(config, records, images)
        raise ValueError(f"none of the {len(records)} images under {config.data} could be read")
    # A resumed run keeps the images its split was made of: one begun before blank frames
    # were left out trained on them, and goes on as it began (exact resume).
    images, constant = (images, 0) if stored_split is not None else _without_constant(images)
    _warn_of_images_without_patient(config, records, images)
    if not images:
        raise ValueError(
            f"every image read under {config.data} has one value throughout (a blank frame): "
            "there is nothing to train on"
        )
    selection = _select(config, images, stored_split)
    loaded = {(im.record.path, im.record.frame): im for im in images}
    train_images = [loaded[r.path, r.frame] for r in selection.train]
    val_images = [loaded[r.path, r.frame] for r in selection.val]
    n_val_patients = len({r.patient_id for r in selection.val})
    # Count what is used: skipped files are counted under "skipped", never in these counts.
    # Every frame of a multi-frame file is an image: n_images counts frames, n_files files.
    n_images, n_patients = len(selection.images), len(selection.patients)
    n_files = len({r.path for r in selection.images})
    n_unreadable = len(unreadable) + len(files.unreadable)  # warned of when found
    n_skipped = n_unreadable + len(selection.too_small) + constant
    log.info(
        "data %s: %d images from %d files (each frame an image) of %s; training on %s of %s, "
        "validating on %s of %s; %d skipped (unreadable, too small or blank); training images %s",
        config.data,
        n_images,
        n_files,
        _counted(n_patients, "patient"),
        _counted(len(train_images), "image"),
        _counted(n_patients - n_val_patients, "patient"),
        _counted(len(val_images), "image"),
        _counted(n_val_patients, "patient"),
        n_skipped,
        f"binned {config.binning} x {config.binning}" if config.binning > 1 else "as stored",
    )
    _warn_of_uneven_split(config, selection)
    split = split_to_json(selection, config.data)
    terms = describe_source(config.data)
    if "no_terms" in terms:  # names the folder
        terms["no_terms"] = text_safe(terms["no_terms"])
    # The card is shared with the model: counts and hashes, never a patient id or a file's name.
    card = {
        "name": text_safe(config.data.name),  # a folder name not valid UTF-8, as \xNN
        **terms,
        "n_images": n_images,
        "n_files": n_files,
        "images": f"{n_images} images from {n_files} files: every frame of a multi-frame "
        "file (DICOM frames, TIFF pages) is an image of the file's patient",
        "n_patients": n_patients,
        "n_train_images": len(train_images),
        "n_val_images": len(val_images),
        "n_val_patients": n_val_patients,
        "kinds": describe_images(train_images + val_images),
        "skipped": {
            "unreadable": n_unreadable,
            "too_small": len(selection.too_small),
            "constant": constant,
            "not_images": len(files.not_images),
        },
        "files_joined_by_pixels": len(joined),
        "split": "by patient (data.csv patient_id, else DICOM PatientID or StudyInstanceUID; "
        "images that share a patient, a study, a SOPInstanceUID or identical pixels are one "
        "patient), else by file (the frames of a file always together)",
        "split_sources": dict(sorted(selection.sources().items())),
        "file_hashes": split_hashes(split),
        "normalisation": NORMALISATION_RECORDS[config.normalisation],
    }
    sampler = PatchSampler(
        [block_means(im.pixels, config.binning) for im in train_images],
        config.patch_size,
        config.augmentation,
        padding=[_binned_padding(im.padding, config.binning) for im in train_images],
    )
    log.info(
        "training images in memory: %.0f MiB (float32)",
        sum(image.nbytes for image in sampler.images) / 2**20,
    )
    validator = (
        Validator(
            [im.pixels for im in val_images],
            crop=config.val_crop,
            padding=[im.padding for im in val_images],
            names=[im.record.name for im in val_images],
        )
        if val_images and config.val_every > 0
        else None
    )
    return _Data(
        sampler,
        validator,
        card,
        _not_scored(
            config,
            n_patients,
            len(val_images),
            one_patient_hint(selection, joined_by_pixels=joined),
        ),
        selection,
        split,
        _dose_validator(config, val_images) if validator is not None else None,
    )


def _warn_of_images_without_patient(
    config: TrainConfig, records: list[ImageRecord], images: list[TrainingImage]
) -> None:
    """Warn of the files each its own patient, leaving out those with no image read.

    Only where no table lists an image (a patient named by a table has no prefix).
    """
    if any(split_source(r.patient_id) == "patient in data.csv" for r in records):
        return
    read = {image.record.path for image in images}
    warn_of_images_without_patient(
        config.data,
        {r.path: r.patient_id for r in records},
        {r.path for r in records if r.path not in read},
    )


def _without_constant(images: list[TrainingImage]) -> tuple[list[TrainingImage], int]:
    """Leave out, naming each, the images of one value throughout: return the rest, and how many.

    A blank frame (a dark field, a flat white image) teaches no anatomy and scores
    nothing in validation; its padding, cropped and masked, is not counted as a value.
    """
    kept = []
    for image in images:
        if is_blank(image.pixels, image.padding):
            log.warning("skipping image %s: %s", image.record.name, BLANK_REASON)
        else:
            kept.append(image)
    return kept, len(images) - len(kept)


def _counted(n: int, noun: str) -> str:
    """Return ``"1 image"``, ``"16 images"``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


UNEVEN_SPLIT = 2.0
"""How many times ``val_fraction`` the held-out share of the images may be (and at most
half of them) before :func:`_warn_of_uneven_split` warns."""


def _warn_of_uneven_split(config: TrainConfig, selection: Selection) -> None:
    """Warn where the held-out patients hold far more of the images than ``val_fraction``.

    The split holds out whole patients: where one patient holds most images (a PatientID
    an anonymiser gave many patients, say), the held-out share of the images is far from
    ``val_fraction`` (over :data:`UNEVEN_SPLIT` times it, or over half). Not where the
    held-out patients hold no more than their share of the images: few patients, each
    with as many images, hold out a large share of both, which this warning would not
    mend. The warning reaches the wizard's log as training's other warnings do; it names
    no patient.
    """
    images, patients = len(selection.images), len(selection.patients)
    val_images = len(selection.val)
    val_patients = len({r.patient_id for r in selection.val})
    if not images or not val_images:
        return
    share = val_images / images
    if share <= min(UNEVEN_SPLIT * config.val_fraction, 0.5) or share <= val_patients / patients:
        return
    log.warning(
        "validating on %d of the %d images (%.0f %%), far more than --val-fraction %g asks: "
        "the %s held out %s %d images, the %d that train %d; if a DICOM PatientID (an "
        "anonymiser's, say) or study is given the images of several patients, a data.csv with "
        "patient_id and image_id columns tells them apart",
        val_images,
        images,
        100 * share,
        config.val_fraction,
        _counted(val_patients, "patient"),
        "has" if val_patients == 1 else "have",
        val_images,
        patients - val_patients,
        images - val_images,
    )


def _dose_validator(config: TrainConfig, val_images: list[TrainingImage]) -> DoseValidator | None:
    """Make the validation at ``config.val_doses`` of the held-out images; None without doses."""
    if not config.val_doses:
        return None
    images, names = read_held_out(
        [(im.record.path, im.record.frame, im.record.name) for im in val_images]
    )
    return DoseValidator(
        images,
        names,
        doses=config.val_doses,
        photons_per_pixel=config.val_photons,
        electronic_noise=config.val_electronic_noise,
        crop=config.val_crop,
        schedule=config.schedule,
        seed=config.seed,
    )


def _select(
    config: TrainConfig, images: list[TrainingImage], stored_split: dict[str, Any] | None
) -> Selection:
    """Select the images that hold a patch and split them, or keep a stored split.

    Each image too small for a patch is logged by name (the log stays local).
    """
    shapes = [(im.record, im.pixels.shape) for im in images]
    selection = select_images(shapes, SelectionRule.of(config))
    for record, reason in selection.too_small:
        log.warning("skipping image %s: %s", record.name, reason)
    if not selection.images:
        raise ValueError(_nothing_fits(config, shapes))
    if stored_split is None:
        return selection
    try:
        return restore_split(selection, stored_split, config.data)
    except DataChangedError as e:
        raise DataChangedError(
            f"cannot resume {config.checkpoint_path}: {e}; put the folder back as it was, "
            "or start afresh (--overwrite)"
        ) from None


def _nothing_fits(config: TrainConfig, shapes: list[tuple[Any, tuple[int, int]]]) -> str:
    """Say that no image holds a patch, naming --binning when binning is the cause."""
    nothing = f"none of the images under {config.data} holds a {config.patch_size} px patch"
    unbinned = replace(SelectionRule.of(config), binning=1)
    if config.binning > 1 and any(unbinned.too_small(shape) is None for _, shape in shapes):
        return f"{nothing} once binned {config.binning} x {config.binning}; use a smaller --binning"
    return f"{nothing}; use a smaller --patch-size"


def training_dtype(device: torch.device, precision: str) -> torch.dtype:
    """Choose what a run's network computes in: bfloat16 where it is in hardware, else float32.

    bfloat16 needs no loss scaling. Only GPUs with it in hardware (Ampere, compute
    capability 8.0, and later) and CPUs with AMX get it: elsewhere it is emulated, more
    slowly than float32.

    Parameters
    ----------
    device : torch.device
        Where the network trains.
    precision : {"auto", "float32"}
        :attr:`TrainConfig.precision`.

    Returns
    -------
    torch.dtype
        ``torch.bfloat16`` or ``torch.float32``.
    """
    if precision == "auto":
        if device.type == "cuda" and torch.cuda.get_device_capability(device) >= (8, 0):
            return torch.bfloat16
        if device.type == "cpu" and cpu_has_amx():
            return torch.bfloat16
    return torch.float32


def _autocast(device: torch.device, dtype: torch.dtype) -> contextlib.AbstractContextManager[Any]:
    """Autocast the network's passes to ``dtype``; nothing for float32."""
    if dtype == torch.float32:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=dtype)


def _card_training(
    config: TrainConfig,
    step: int,
    elapsed_s: float,
    ctx: DistributedContext,
    started_from: dict[str, Any] | None,
    budget: TimeBudget | None,
    precision: str,
    plan: StepPlan,
    resume_changes: list[dict[str, Any]],
    threads: int | None,
) -> dict[str, Any]:
    settings = config.to_config()
    # minutes is this invocation's request; the run's whole budget is time_budget_s.
    local = ("data", "output", "checkpoint", "resume", "overwrite", "progress", "device", "minutes")
    for name in local:
        settings.pop(name)
    if config.init_model is not None:  # by name and hash: a path would tell where it lay
        sha256 = (started_from or {}).get("weights_sha256", "")
        settings["init_model"] = {"name": config.init_model.stem, "weights_sha256": sha256}
    settings["time_budget_s"] = None if budget is None else round(budget.total_s, 1)
    settings["warmup_steps"] = plan.warmup  # as used: at most a tenth of the first horizon
    if settings["warmup_steps"] != config.warmup_steps:
        settings["warmup_steps_requested"] = config.warmup_steps
    if budget is not None:
        settings["steps_meaning"] = (
            "learning-rate horizon: the time budget ends the run (steps_done says where); "
            "the warm-up ends at warmup_steps or a tenth of the budget, whichever comes first"
        )
    training = {
        "steps_done": step,
        "elapsed_s": round(elapsed_s, 1),
        "world_size": ctx.world_size,
        "device": ctx.device.type,
        "precision": precision,
        "threads": threads,  # None on a GPU
        "objective": "eps-prediction MSE (Ho et al. 2020, L_simple)",
        "settings": settings,
        "lr_plan": plan.to_json(),
        "resume_changes": resume_changes,
    }
    if started_from is not None:
        training["started_from"] = started_from
    return training


_LOCAL_DATA = ("skipped", "val_patients")
"""Data card entries that describe the starting model's files, not its data's source."""


def _lineage(card: ModelCard, name: str) -> dict[str, Any]:
    """Return what a fine-tuned card records of its starting model (lineage nested).

    The model is named by its file's stem, ``name``, never by a path; paths that cards
    written before this rule hold in the lineage are cut to their stems.
    """
    return {
        "name": name,
        "data": {key: value for key, value in card.data.items() if key not in _LOCAL_DATA},
        "weights_sha256": card.weights_sha256,
        "created": card.created,
        "code_version": card.code_version,
        **({"code_commit": card.code_commit} if card.code_commit else {}),
        "training": _without_paths(card.training),
        "validation": card.validation,
    }


def _without_paths(training: dict[str, Any]) -> dict[str, Any]:
    """Return a card's training section with the model files it names cut to their stems.

    Cards written before models were named by stem hold the starting model's path in
    ``settings.init_model``, and cards saved by the wizard then in ``started_from.file``.
    """
    training = dict(training)
    settings = training.get("settings")
    if isinstance(settings, dict) and isinstance(settings.get("init_model"), str):
        stem = PureWindowsPath(settings["init_model"]).stem  # either kind of separator
        training["settings"] = {**settings, "init_model": {"name": stem}}
    parent = training.get("started_from")
    if isinstance(parent, dict):
        parent = dict(parent)
        file = parent.pop("file", None)
        if isinstance(file, str):
            parent.setdefault("name", PureWindowsPath(file).stem)
        if isinstance(parent.get("training"), dict):
            parent["training"] = _without_paths(parent["training"])
        training["started_from"] = parent
    return training


WORSE_DB = 0.005
"""A fall in PSNR that counts as worse: one that shows at the 0.01 dB the log gives."""


def validation_change(start: dict[str, Any], final: dict[str, Any]) -> dict[str, Any]:
    """Compare a fine-tune's held-out scores with its starting model's, level by level.

    Parameters
    ----------
    start, final : dict
        ``ValidationResult.to_json()`` of the starting model (step 0) and of the
        model exported; either may be empty or lack ``scores`` (not scored).

    Returns
    -------
    dict
        Empty where either was not scored; else ``from_step``, ``to_step``, ``levels``
        (per scale and noise level: ``start_psnr``, ``psnr`` and ``change_db``, the mean
        PSNR in dB on the held-out images) and ``worse_at``: the levels whose PSNR fell
        by :data:`WORSE_DB` or more, as ``"x2 43 dB: -3.18 dB"``; with scores at doses
        in both, made with the same settings but the doses, ``at_doses`` too
        (:func:`core.training.dose_validation.dose_change`).
    """
    if not start.get("scores") or not final.get("scores"):
        return {}
    before = {(s["scale"], s["noisy_psnr_db"]): s["psnr"] for s in start["scores"]}
    levels = [
        {
            "scale": score["scale"],
            "noisy_psnr_db": score["noisy_psnr_db"],
            "start_psnr": round(before[level], 3),
            "psnr": round(score["psnr"], 3),
            "change_db": round(score["psnr"] - before[level], 3),
        }
        for score in final["scores"]
        if (level := (score["scale"], score["noisy_psnr_db"])) in before
    ]
    change = {
        "from_step": start["step"],
        "to_step": final["step"],
        "what": "mean PSNR (dB, one-step denoise) on the held-out images of the model "
        "exported against the starting model's, per level",
        "levels": levels,
        "worse_at": [
            f"x{lv['scale']:g} {lv['noisy_psnr_db']:g} dB: {lv['change_db']:+.2f} dB"
            for lv in levels
            if lv["change_db"] <= -WORSE_DB
        ],
    }
    at_doses = dose_change(start.get("at_doses"), final.get("at_doses"), worse_db=WORSE_DB)
    return change | ({"at_doses": at_doses} if at_doses else {})


def _time_budget(config: TrainConfig, stored: Checkpoint | None) -> TimeBudget | None:
    """Return the run's time budget: a fresh run's ``minutes``, else the checkpoint's.

    ``minutes`` on a resumed run gives it that much more time, the learning rate going
    on from where it stopped (:meth:`TimeBudget.extended`). A budget that is spent, with
    no ``minutes`` to add, is returned as it is: the run is finished (:func:`_finished`).
    """
    more_s = None if config.minutes is None else 60.0 * config.minutes
    if stored is None:
        return None if more_s is None else TimeBudget(more_s)
    elapsed_s = stored.extra["elapsed_s"]
    kept = stored.extra.get("time_budget")
    budget = None if kept is None else TimeBudget.from_json(kept)
    if more_s is not None:
        if budget is None:  # a run by steps, or a checkpoint from before budgets were kept
            return TimeBudget(elapsed_s + more_s, elapsed_s)
        return budget.extended(elapsed_s, more_s)
    if budget is None and stored.config.get("minutes") is not None:
        log.warning(
            "%s predates stored time budgets: the run goes on by steps; give --minutes with "
            "the time left to keep to a budget",
            config.checkpoint_path,
        )
    return budget


def _resume_changes(
    config: TrainConfig, stored: Checkpoint | None, budget: TimeBudget | None, threads: int | None
) -> list[dict[str, Any]]:
    """Return where the run went on otherwise than it began, this resume's changes last.

    A run resumed with other ``steps`` or more ``minutes`` goes on from the rate it
    reached (:meth:`StepPlan.rehorizoned`, :meth:`TimeBudget.extended`), and one on
    another number of CPU threads rounds its sums otherwise, so its weights are not those
    of a fresh run of its final settings; the card says where and how (``{"at_step": 6,
    "steps": [6, 12]}``, ``{"at_step": 40, "time_budget_s": [60.0, 180.0]}``,
    ``{"at_step": 6, "threads": [2, 1]}``, with a warning for the threads).
    """
    if stored is None:
        return []
    changes = list(stored.extra.get("resume_changes", []))
    if stored.config["steps"] != config.steps:
        changes.append({"at_step": stored.step, "steps": [stored.config["steps"], config.steps]})
    kept = stored.extra.get("time_budget")
    before = None if kept is None else round(TimeBudget.from_json(kept).total_s, 1)
    after = None if budget is None else round(budget.total_s, 1)
    if before != after:
        changes.append({"at_step": stored.step, "time_budget_s": [before, after]})
    trained_on = stored.extra.get("threads")
    if threads is not None and trained_on is not None and trained_on != threads:
        changes.append({"at_step": stored.step, "threads": [trained_on, threads]})
        log.warning(
            "resumed with %d CPU threads, trained with %d until now: the weights will differ "
            "in their last bits from those of a run never stopped (give --threads %d to "
            "resume exactly)",
            threads,
            trained_on,
            trained_on,
        )
    return changes


def _step_plan(config: TrainConfig, stored: Checkpoint | None) -> StepPlan:
    """Return the run's warm-up and decay: a fresh run's, else the checkpoint's.

    A resumed run given another horizon (``steps``) keeps its warm-up and the rate it
    reached, and spreads what is left of the decay over the new remaining steps
    (:meth:`StepPlan.rehorizoned`), as ``minutes`` does with a time budget.
    """
    if stored is None or stored.step == 0:
        return StepPlan.fresh(config)
    old_steps = stored.config["steps"]
    kept = stored.extra.get("lr_plan")
    if kept is None:  # a checkpoint from before plans were kept: its horizon's own
        plan = StepPlan.fresh(replace(config, steps=old_steps))
    else:
        plan = StepPlan.from_json(kept)
    if old_steps == config.steps:
        return plan
    new = plan.rehorizoned(stored.step, old_steps, config.steps, config.min_lr_fraction)
    log.warning(
        "horizon changed from %d to %d steps: the learning rate goes on from %.3g at step %d "
        "(%.3g before the change), its decay spread over the %d steps left; warm-up %d steps",
        old_steps,
        config.steps,
        learning_rate(stored.step, config, plan=new),
        stored.step,
        learning_rate(stored.step, replace(config, steps=old_steps), plan=plan),
        config.steps - stored.step,
        new.warmup,
    )
    return new


def _stored_split(stored: Checkpoint, path: Path) -> dict[str, Any] | None:
    """Return a checkpoint's split; None, with a warning, for one from before splits were kept."""
    split = stored.extra.get("split")
    if split is None:
        log.warning(
            "%s predates stored splits: the split is made afresh from the folder, and holds "
            "out other patients if images were added or removed since",
            path,
        )
    return split


def _same_checkpoint(first: Checkpoint, second: Checkpoint) -> bool:
    """Whether two reads found the same checkpoint: compared as JSON, where a NaN is itself."""
    return json.dumps(first.__dict__, sort_keys=True) == json.dumps(second.__dict__, sort_keys=True)


def check_resume(config: TrainConfig) -> Checkpoint:
    """Read a resumed run's checkpoint; refuse a resume that it cannot make.

    Only the checkpoint's metadata is read (and, for a run whose time budget is spent,
    its model is hashed): nothing is trained or written.

    Parameters
    ----------
    config : TrainConfig
        The resumed run (``resume``), its checkpoint beside ``output``.

    Returns
    -------
    Checkpoint
        The checkpoint's step, configuration and bookkeeping.

    Raises
    ------
    ValueError
        If its trajectory settings differ from the checkpoint's, ``steps`` is not more
        than the steps done where it changes, or the time budget is spent, ``minutes``
        gives no more and the model is exported (nothing is left to do).
    OSError
        If the checkpoint cannot be read.
    """
    ckpt_path = config.checkpoint_path
    stored = read_checkpoint(ckpt_path)
    different = config.trajectory_differences(stored.config)
    if different:
        raise ValueError(f"cannot resume {ckpt_path}: settings differ in {', '.join(different)}")
    if config.steps != stored.config["steps"] and config.steps <= stored.step:
        raise ValueError(
            f"cannot resume {ckpt_path} with {config.steps} steps: it has done "
            f"{stored.step} of {stored.config['steps']}; give more steps than {stored.step}"
        )
    spent = _spent_minutes(config, stored)
    if spent is not None and stored.step < config.steps and not _unlike_export(config, stored):
        raise ValueError(
            f"cannot resume {ckpt_path}: its time budget of {spent:g} minutes is spent; "
            "give --minutes M to train M minutes more"
        )
    return stored


def _spent_minutes(config: TrainConfig, stored: Checkpoint) -> float | None:
    """Return a resumed run's time budget in minutes where it is spent and no more is given."""
    kept = stored.extra.get("time_budget")
    if config.minutes is not None or kept is None:
        return None
    budget = TimeBudget.from_json(kept)
    return budget.total_s / 60 if stored.extra["elapsed_s"] >= budget.total_s else None


def _finished(config: TrainConfig, stored: Checkpoint) -> str:
    """Say why a resumed run has nothing left to train; empty where it has.

    A run is finished when its steps are done, or its time budget is spent and
    ``minutes`` gives no more.
    """
    if stored.step >= config.steps:
        return f"{stored.step} of {config.steps} steps done"
    spent = _spent_minutes(config, stored)
    if spent is None:
        return ""
    return f"its time budget of {spent:g} minutes spent at step {stored.step}"


def _unlike_export(config: TrainConfig, stored: Checkpoint) -> str:
    """Say how a run's model differs from its checkpoint's export; empty where it is that.

    The model is that export when it and its card are there, the card is of the
    checkpoint's step and the weights' SHA-256 is the card's (a run killed while it
    exported, or damaged weights, fail this).
    """
    output = config.output
    if not output.is_file():
        return "is missing"
    try:
        card = json.loads(card_path(output).read_text(encoding="utf-8"))
        if card["training"]["steps_done"] == stored.step:
            if card["weights_sha256"] == file_sha256(output):
                return ""
    except FileNotFoundError:
        return "has no model card"
    except (OSError, ValueError, TypeError, KeyError, RecursionError):
        pass
    return "does not match its model card"


def _export_again(config: TrainConfig, stored: Checkpoint) -> None:
    """Export a finished run's model again: its checkpoint's EMA weights and card sections.

    Nothing is trained and no image read; the model is the one the checkpoint's last
    export wrote, bit for bit (its card is dated anew).
    """
    with torch.random.fork_rng(devices=[]):
        network = UNet(config.architecture)
    load_ema(config.checkpoint_path, network)
    extra = stored.extra
    validation = extra.get("validation") or {}
    start = extra.get("validation_start", {})
    save_model(
        DiffusionModel(network, config.schedule),
        config.output,
        data=extra["card"]["data"],
        training=extra["card"]["training"],
        validation=validation,
        validation_start=start,
        validation_change=validation_change(start, validation),
    )


def train(
    config: TrainConfig,
    *,
    callback: Callback | None = None,
    files: TrainingFiles | None = None,
    checked: Checkpoint | None = None,
) -> Path:
    """Train (or resume training) a diffusion denoiser and export its EMA weights.

    Resuming a run that is finished (no step left, or its time budget spent) writes
    nothing where its model is its checkpoint's export: the model keeps its bytes, and so
    the SHA-256 that its results record. Where the model is missing or does not match its
    card (a run killed while it exported, damaged weights), the checkpoint's EMA weights
    are exported again, without training.

    A fine-tune validates its starting model at step 0 and its card keeps those scores
    (``validation_start``) beside the final ones, with their difference
    (``validation_change``, :func:`validation_change`); where the model exported scores
    below the starting model at any level, a warning names the levels and the dB lost
    (the model is exported all the same).

    Parameters
    ----------
    config : TrainConfig
        The run.
    callback : callable or None
        Called on rank 0 after each step with a :class:`TrainState`; returning True
        stops the run gracefully (checkpoint and export, as at the end).
    files : TrainingFiles or None
        The data folder's files, where already found (:func:`find_training_files`); None
        finds them.
    checked : Checkpoint or None
        A resumed run's checkpoint as :func:`check_resume` read and accepted it for
        ``config``, where already checked; None checks it. The run refuses to go on if
        the checkpoint it loads says otherwise (replaced since).

    Returns
    -------
    Path
        ``config.output``: the EMA weights (safetensors) with a model card beside it.

    Raises
    ------
    ValueError
        If there are no readable images, the output cannot be written, a fresh run
        would replace a model or checkpoint without ``overwrite``, ``resume`` is True
        but there is no checkpoint, it was made with different trajectory settings or
        on other images (files added, removed or changed), or its time budget is spent,
        ``minutes`` gives no more and its model is exported (:func:`check_resume`), or
        the checkpoint loaded is not the one checked.
    """
    ctx = DistributedContext.from_env(config.device)
    try:
        return _train(config, ctx, callback, files, checked)
    finally:
        ctx.close()


def _train(
    config: TrainConfig,
    ctx: DistributedContext,
    callback: Callback | None,
    files: TrainingFiles | None,
    checked: Checkpoint | None,
) -> Path:
    ckpt_path = config.checkpoint_path
    check_outputs(config)
    stored = None
    finished = ""
    if config.resume:
        stored = check_resume(config) if checked is None else checked
        finished = _finished(config, stored)
    if stored is not None and finished:
        unlike = _unlike_export(config, stored)
        if not unlike:
            log.info(
                "%s is finished (%s): nothing to train, %s left as it is",
                ckpt_path,
                finished,
                config.output,
            )
            return config.output
        if "card" in stored.extra:  # else a checkpoint from before it kept the card
            if ctx.is_main:
                _export_again(config, stored)
                log.info(
                    "%s is finished (%s): nothing to train; %s %s, exported again from the "
                    "checkpoint's EMA weights",
                    ckpt_path,
                    finished,
                    config.output,
                    unlike,
                )
            ctx.barrier()
            return config.output
        log.info(
            "%s is finished (%s): nothing to train; %s %s, exported again from the "
            "checkpoint's EMA weights once the data are read (the checkpoint predates the "
            "model cards it keeps)",
            ckpt_path,
            finished,
            config.output,
            unlike,
        )
    budget = _time_budget(config, stored)
    stored_split = None if stored is None else _stored_split(stored, ckpt_path)
    data = _prepare_data(config, stored_split, files)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(torch_seed(config.seed))
        network = UNet(config.architecture)
    started_from = None
    if config.init_model is not None and not config.resume:
        started_from = _load_initial_weights(network, config)
    network.to(ctx.device)
    ema = EMA(network, config.ema_decay)
    optimizer = torch.optim.AdamW(
        network.parameters(), lr=config.lr, weight_decay=config.weight_decay
    )
    step, elapsed_before = 0, 0.0
    validation_json = {} if data.not_scored is None else {"not_scored": data.not_scored}
    validation_start: dict[str, Any] = {}  # a fine-tune's starting model's, at step 0
    interval_losses: list[float] = []  # the losses since the last loss record
    if stored is not None:
        if changes := dose_settings_changes(config, stored.config):
            log.warning(
                "validation settings changed since the checkpoint (%s): the scores after step "
                "%d are not comparable with those up to it",
                "; ".join(changes),
                stored.step,
            )
        loaded = load_checkpoint(ckpt_path, network=network, ema=ema.network, optimizer=optimizer)
        if not _same_checkpoint(loaded, stored):  # its settings and split were checked
            raise ValueError(
                f"cannot resume {ckpt_path}: it was replaced while the run started; resume again"
            )
        step, elapsed_before = loaded.step, loaded.extra["elapsed_s"]
        validation_json = loaded.extra.get("validation") or validation_json
        # The records stay on the log_every grid, with the means of a run never stopped.
        interval_losses = list(loaded.extra.get("interval_losses", []))
        validation_start = loaded.extra.get("validation_start", {})
        started_from = loaded.extra.get("started_from")
        if started_from is None and config.init_model is not None:
            # A checkpoint written before lineage was stored: the init model is still there.
            started_from = _lineage(load_model(config.init_model).card, config.init_model.stem)
        elif started_from is not None and config.init_model is not None:
            started_from = {"name": config.init_model.stem, **started_from}  # older lineage
        log.info("resumed %s at step %d", ckpt_path, step)
    n_params = sum(p.numel() for p in network.parameters())
    log.info(
        "training %.2fM parameters on %s x%d, %d -> %d steps, batch %d x %d px",
        n_params / 1e6,
        ctx.device,
        ctx.world_size,
        step,
        config.steps,
        config.batch_size,
        config.patch_size,
    )
    plan = _step_plan(config, stored)
    threads = torch.get_num_threads() if ctx.device.type == "cpu" else None
    resume_changes = _resume_changes(config, stored, budget, threads)
    if stored is None and plan.warmup < config.warmup_steps:
        log.warning(
            "learning-rate warm-up shortened from %d to %d steps (at most %d%% of the %d steps)",
            config.warmup_steps,
            plan.warmup,
            round(100 * MAX_WARMUP_FRACTION),
            config.steps,
        )
    if budget is not None:
        log.info(
            "time budget: %.1f s of run time in all, %.1f s spent; the learning rate warms up "
            "and decays within it",
            budget.total_s,
            elapsed_before,
        )
    trained = (
        DistributedDataParallel(
            network, device_ids=[ctx.device] if ctx.device.type == "cuda" else None
        )
        if ctx.world_size > 1
        else network
    )
    schedule = config.schedule
    dtype = training_dtype(ctx.device, config.precision)
    used_precision = precision_label(dtype, ctx.device)
    log.info("the network trains in %s", used_precision)

    def elapsed() -> float:
        return elapsed_before + time.monotonic() - started

    last_checkpoint = step if stored is not None else 0  # for a diverging run's message

    def save(*, checkpoint: bool = True, model: bool = True) -> None:
        """Write the checkpoint and the model with its card, or either alone."""
        nonlocal last_checkpoint
        seconds = elapsed()
        training = _card_training(
            config,
            step,
            seconds,
            ctx,
            started_from,
            budget,
            used_precision,
            plan,
            resume_changes,
            threads,
        )
        written = []
        if checkpoint:
            last_checkpoint = step
            extra = {
                "elapsed_s": seconds,
                "validation": validation_json,
                "split": data.split,
                "interval_losses": interval_losses,
                "card": {"data": data.card, "training": training},  # to export it again
            }
            if budget is not None:
                extra["time_budget"] = budget.to_json()
            extra["lr_plan"] = plan.to_json()
            extra["resume_changes"] = resume_changes
            if threads is not None:
                extra["threads"] = threads
            if started_from is not None:
                extra["started_from"] = started_from
            if validation_start:
                extra["validation_start"] = validation_start
            save_checkpoint(
                ckpt_path,
                network=network,
                ema=ema.network,
                optimizer=optimizer,
                checkpoint=Checkpoint(step, config.to_config(), extra),
            )
            written.append(f"checkpoint {ckpt_path}")
        if model:
            save_model(
                DiffusionModel(ema.network, schedule),
                config.output,
                data=data.card,
                training=training,
                validation=validation_json,
                validation_start=validation_start,
                validation_change=validation_change(validation_start, validation_json),
            )
            written.append(f"model {config.output}")
        log.info("step %d: %s", step, ", ".join(written))

    def validate(*, at_stop: bool = False) -> ValidationResult:
        result = data.validator(DiffusionModel(ema.network, schedule), step)
        at_doses = None
        if data.dose_validator is not None:
            at_doses = data.dose_validator(DiffusionModel(ema.network, schedule), step)
            result = replace(result, at_doses=at_doses.to_json())
        record = {"step": step, "validation": result.to_json()}
        if at_stop:  # off the val_every grid: a run stopped early scores its model there
            record["at_stop"] = True
        _append_metrics(config, record)
        log.info("step %d validation (EMA, 1 step): %s", step, result.summary())
        if at_doses is not None:
            log.info(
                "step %d validation at doses (EMA, blind denoise): %s", step, at_doses.summary()
            )
        return result

    if ctx.is_main:
        clear_outputs(config)  # only now: the data are read and every check has passed
        start_metrics(config, step)
    started = time.monotonic()
    if config.init_model is not None and not config.resume and data.validator is not None:
        validation_json = validate().to_json()  # the starting model's scores, at step 0
        validation_start = validation_json
    first_step = step
    interval_start, interval_first = started, step  # this invocation's part of the interval
    validation: ValidationResult | None = None
    workers = auto_workers(ctx.device) if config.workers is None else config.workers
    draws = iterate_draws(
        StepDraws(
            data.sampler,
            config.timesteps,
            schedule,
            config.batch_size,
            seed=config.seed,
            rank=ctx.rank,
        ),
        step,
        config.steps,
        workers=workers,
        pin_memory=ctx.device.type == "cuda",
    )
    if workers:
        log.info("drawing patches in %d worker processes", workers)
    bar = _progress_bar(config, step, budget, elapsed(), shown=config.progress and ctx.is_main)
    bar_loss: float | None = None  # the last loss record's, for the bar
    try:
        with logging_redirect_tqdm():  # log lines above the bar, not on its line
            while step < config.steps and not finished:
                x0, t, noise = next(draws)  # t stays on the CPU for the schedule's numpy
                x0 = x0.to(ctx.device, non_blocking=True)
                noise = noise.to(ctx.device, non_blocking=True)
                x_t = q_sample(schedule, x0, t, noise)  # x_t = sqrt(abar) x_0 + sqrt(1-abar) eps
                # Every rank takes rank 0's clock, so that all apply the same rate.
                used = 0.0 if budget is None else ctx.share(budget.fraction(elapsed()))
                lr = learning_rate(step, config, time_fraction=used, plan=plan)
                for group in optimizer.param_groups:
                    group["lr"] = lr
                with _autocast(ctx.device, dtype):
                    eps = trained(x_t, t.float().to(ctx.device))
                loss = F.mse_loss(eps.float(), noise)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(network.parameters(), config.grad_clip)
                optimizer.step()
                ema.update(network, step)
                step += 1
                loss_value = loss.item()
                if not math.isfinite(loss_value):  # the user's learning rate, not a bug: exit 2
                    kept = (
                        f"the checkpoint of step {last_checkpoint} is kept"
                        if last_checkpoint
                        else "no checkpoint was written"
                    )
                    raise ValueError(
                        f"training diverged at step {step} (loss {loss_value}): lower --lr; {kept}"
                    )

                stop = False
                if ctx.is_main:
                    interval_losses.append(loss_value)
                    if step % config.log_every == 0:
                        now = time.monotonic()
                        record = {
                            "step": step,
                            "loss": float(np.mean(interval_losses)),
                            "lr": lr,
                            "steps_per_s": (step - interval_first) / (now - interval_start),
                            "elapsed_s": elapsed(),
                        }
                        _append_metrics(config, record)
                        bar_loss = record["loss"]
                        log.info(
                            "step %d loss %.5f lr %.2e %.2f steps/s",
                            step,
                            record["loss"],
                            lr,
                            record["steps_per_s"],
                        )
                        interval_losses, interval_start, interval_first = [], now, step
                    _advance(bar, _postfix(step, config.steps, budget, bar_loss), budget, elapsed())
                    if data.validator is not None and step % config.val_every == 0:
                        validation = validate()
                        validation_json = validation.to_json()
                    if callback is not None:
                        rate = (step - first_step) / max(time.monotonic() - started, 1e-9)
                        state = TrainState(
                            step, config.steps, loss_value, lr, elapsed(), rate, validation
                        )
                        stop = bool(callback(state))
                    if budget is not None and elapsed() >= budget.total_s:
                        minutes = budget.total_s / 60
                        log.info("time budget of %.3g minutes reached at step %d", minutes, step)
                        stop = True
                    if step % config.checkpoint_every == 0 and step < config.steps and not stop:
                        save()
                if ctx.agree(stop):
                    break
    finally:
        draws.close()  # stops the workers
        bar.close()
    if ctx.is_main:
        checkpointed = False
        if data.validator is not None and validation_json.get("step") != step:
            if step < config.steps:  # a stop: checkpoint and model first, in seconds
                save()
                checkpointed = True
            validation_json = validate(at_stop=step < config.steps).to_json()
        # A stopped run may be killed while it validates (a closing wizard kills its run a
        # minute after asking it to pause), so its checkpoint and model are written before.
        # The checkpoint is not written again after: it holds all a resume needs (a resumed
        # run trains and validates again), and its card sections and validation (the last
        # before the stop) are what a finished run whose model is missing exports again.
        # The model (a fraction of the checkpoint's size) is written again with the scores.
        save(checkpoint=not checkpointed)
        _warn_if_worse(config, validation_change(validation_start, validation_json))
        if unscored := unscored_doses(validation_json.get("at_doses")):
            log.warning(
                "the validation at doses scored no held-out image at dose %s (see the lines "
                "that left them out)",
                ", ".join(f"{dose:g}" for dose in unscored),
            )
    # The other ranks leave the process group only once rank 0 has written the model.
    ctx.barrier()
    return config.output


def _progress_bar(
    config: TrainConfig, step: int, budget: TimeBudget | None, elapsed_s: float, *, shown: bool
) -> tqdm:
    """Return the run's progress bar: its steps, or under a time budget its seconds.

    A run with ``--minutes`` ends when its budget is spent, mostly long before
    ``config.steps``: its bar counts the budget's seconds and gives the step in its
    postfix. The bar is shown on a terminal only, and only where `shown`.
    """
    common: dict[str, Any] = {
        "disable": None if shown else True,  # None: on a terminal only
        "mininterval": 5.0,
        "dynamic_ncols": True,
    }
    if budget is None:
        return tqdm(total=config.steps, initial=step, unit="step", **common)
    return tqdm(
        total=budget.total_s,
        initial=min(elapsed_s, budget.total_s),
        bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s [{elapsed}<{remaining}{postfix}]",
        postfix=_postfix(step, config.steps, budget, None),  # as the bar shows it at first
        **common,
    )


def _postfix(step: int, steps: int, budget: TimeBudget | None, loss: float | None) -> str:
    """Return the bar's postfix: the step under a time budget (its bar counts seconds), the loss."""
    parts = [f"step {step}/{steps}"] if budget is not None else []
    if loss is not None:
        parts.append(f"loss {loss:.4f}")
    return ", ".join(parts)


def _advance(bar: tqdm, postfix: str, budget: TimeBudget | None, elapsed_s: float) -> None:
    """Move the bar on by a step, or under a time budget to the run time spent."""
    bar.set_postfix_str(postfix, refresh=False)
    bar.update(1 if budget is None else min(elapsed_s, budget.total_s) - bar.n)


def _warn_if_worse(config: TrainConfig, change: dict[str, Any]) -> None:
    """Warn where the model exported scores below its starting model on the held-out images."""
    doses = change.get("at_doses", {})
    if change.get("worse_at") or doses.get("worse_at"):
        log.warning(
            "%s scores below its starting model %s on the held-out images at %d of %d "
            "levels (%s) and %d of %d doses (%s); it is exported all the same: keep the "
            "starting model, or train again with a lower --lr or fewer steps (the card's "
            "validation_change)",
            config.output,
            config.init_model.stem if config.init_model is not None else "",
            len(change["worse_at"]),
            len(change["levels"]),
            "; ".join(change["worse_at"]) or "none",
            len(doses.get("worse_at", [])),
            len(doses.get("doses", [])),
            "; ".join(doses.get("worse_at", [])) or "none",
        )


def _load_initial_weights(network: UNet, config: TrainConfig) -> dict[str, Any]:
    """Start from ``config.init_model`` (fine-tuning); return its lineage for the card.

    Its card must match the config's schedule and architecture, or the architecture
    must be a deepening of the card's (:mod:`core.diffusion.grow`): the added blocks
    start as identities.
    """
    model = load_model(config.init_model)
    if model.schedule != config.schedule or not is_deepening(
        model.network.config, config.architecture
    ):
        raise ValueError(
            f"{config.init_model} has another architecture or schedule than this run; "
            "take both from its model card (only more blocks may be added)"
        )
    load_deepened(network, model.network)
    log.info("starting from the weights of %s", config.init_model)
    return _lineage(model.card, config.init_model.stem)


def _append_metrics(config: TrainConfig, record: dict[str, Any]) -> None:
    """Append a record to the metrics file; an error names the file (a full disk's does not)."""
    path = config.metrics_path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
    except OSError as error:
        if error.filename is not None:
            raise
        raise OSError(error.errno, error.strerror or str(error), str(path)) from None
