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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from tqdm import tqdm

from core.binning import block_means
from core.diffusion.grow import is_deepening, load_deepened
from core.diffusion.model import DiffusionModel, ModelCard, load_model, save_model
from core.diffusion.sampler import q_sample
from core.diffusion.unet import UNet
from core.training.checkpoint import Checkpoint, load_checkpoint, read_checkpoint, save_checkpoint
from core.training.config import TrainConfig
from core.training.data import (
    TrainingImage,
    assign_patients,
    describe_source,
    find_images,
    load_images,
    split_by_patient,
)
from core.training.distributed import DistributedContext
from core.training.draws import StepDraws, auto_workers, iterate_draws
from core.training.ema import EMA
from core.training.lr_schedule import MAX_WARMUP_FRACTION, learning_rate, warmup_steps
from core.training.outputs import check_outputs, start_metrics
from core.training.patches import PatchSampler
from core.training.validation import ValidationResult, Validator

log = logging.getLogger(__name__)


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


def _fitting_patches(
    images: list[TrainingImage], config: TrainConfig
) -> tuple[list[TrainingImage], list[tuple[Path, str]]]:
    """Split off the images too small for a patch even magnified most (e.g. a thumbnail).

    Returns
    -------
    fitting : list of TrainingImage
        The others.
    too_small : list of (Path, str)
        Each small image and why, also logged, as for unreadable files.
    """
    magnified = config.augmentation.scale_range[1]
    fitting, too_small = [], []
    for image in images:
        side = min(image.pixels.shape) // config.binning
        if side * magnified >= config.patch_size:
            fitting.append(image)
            continue
        binned = f" binned {config.binning} x {config.binning}" if config.binning > 1 else ""
        reason = (
            f"too small: {side} px across{binned}, under a {config.patch_size} px patch even "
            f"magnified {magnified:g}x"
        )
        log.warning("skipping image %s: %s", image.record.name, reason)
        if image.record.n_frames > 1:
            reason = f"frame {image.record.frame}: {reason}"
        too_small.append((image.record.path, reason))
    return fitting, too_small


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


def _not_scored(config: TrainConfig, n_patients: int, n_val_images: int) -> str | None:
    """Say why the run will not validate its model, logged; None when it will."""
    if n_val_images == 0 and config.val_fraction > 0:
        reason = (
            f"only {n_patients} patient: nothing held out for validation; "
            "the model will not be scored"
        )
        log.warning("%s", reason)
        return reason
    if n_val_images == 0:
        reason = "val_fraction is 0: nothing held out for validation; the model will not be scored"
    elif config.val_every == 0:
        reason = "val_every is 0: validation is off; the model will not be scored"
    else:
        return None
    log.info("%s", reason)
    return reason


def _prepare_data(config: TrainConfig) -> _Data:
    records = assign_patients(config.data, find_images(config.data))
    if not records:
        raise ValueError(f"no PNG, TIFF, JPEG or DICOM images under {config.data}")
    images, skipped = load_images(records)
    if not images:
        raise ValueError(f"none of the {len(records)} images under {config.data} could be read")
    images, too_small = _fitting_patches(images, config)
    skipped += too_small
    if not images:
        raise ValueError(
            f"none of the images under {config.data} holds a {config.patch_size} px patch; "
            "use a smaller --patch-size"
        )
    # Split the readable images only, so an unreadable file never leaves validation empty.
    _, val_records = split_by_patient(
        [im.record for im in images], val_fraction=config.val_fraction, seed=config.split_seed
    )
    held_out = set(val_records)
    train_images = [im for im in images if im.record not in held_out]
    val_images = [im for im in images if im.record in held_out]
    val_patients = sorted({im.record.patient_id for im in val_images})
    # Count what is used: skipped files are listed under "skipped", never in these counts.
    # Every frame of a multi-frame file is an image: n_images counts frames, n_files files.
    n_patients = len({im.record.patient_id for im in images})
    n_files = len({im.record.path for im in images})
    log.info(
        "data %s: %d images from %d files (each frame an image) of %d patients; training on %d, "
        "validating on %d of %d patients; %d skipped (unreadable or too small); training images %s",
        config.data,
        len(images),
        n_files,
        n_patients,
        len(train_images),
        len(val_images),
        len(val_patients),
        len(skipped),
        f"binned {config.binning} x {config.binning}" if config.binning > 1 else "as stored",
    )
    card = {
        "name": config.data.name,
        **describe_source(config.data),
        "n_images": len(images),
        "n_files": n_files,
        "images": f"{len(images)} images from {n_files} files: every frame of a multi-frame "
        "file (DICOM frames, TIFF pages) is an image of the file's patient",
        "n_patients": n_patients,
        "n_train_images": len(train_images),
        "n_val_images": len(val_images),
        "val_patients": val_patients,
        "skipped": [f"{path.relative_to(config.data).as_posix()}: {why}" for path, why in skipped],
        "split": "by patient (data.csv patient_id, else DICOM PatientID or StudyInstanceUID), "
        "else by file (the frames of a file always together)",
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
        )
        if val_images and config.val_every > 0
        else None
    )
    return _Data(sampler, validator, card, _not_scored(config, n_patients, len(val_images)))


def _autocast(device: torch.device) -> contextlib.AbstractContextManager[Any]:
    """bfloat16 autocast on CUDA GPUs that support it (no loss scaling needed); else fp32.

    Only GPUs with bfloat16 in hardware (Ampere, compute capability 8.0, and later): older
    ones emulate it, more slowly than float32.
    """
    if device.type == "cuda" and torch.cuda.get_device_capability(device) >= (8, 0):
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def _card_training(
    config: TrainConfig,
    step: int,
    elapsed_s: float,
    ctx: DistributedContext,
    started_from: dict[str, Any] | None,
) -> dict[str, Any]:
    settings = config.to_config()
    local = ("data", "output", "checkpoint", "resume", "overwrite", "progress", "device", "minutes")
    for name in local:
        settings.pop(name)
    training = {
        "steps_done": step,
        "elapsed_s": round(elapsed_s, 1),
        "world_size": ctx.world_size,
        "device": ctx.device.type,
        "objective": "eps-prediction MSE (Ho et al. 2020, L_simple)",
        "settings": settings,
    }
    if started_from is not None:
        training["started_from"] = started_from
    return training


_LOCAL_DATA = ("skipped", "val_patients")
"""Data card entries that describe the starting model's files, not its data's source."""


def _lineage(card: ModelCard) -> dict[str, Any]:
    """Return what a fine-tuned card records of its starting model (lineage nested)."""
    return {
        "data": {key: value for key, value in card.data.items() if key not in _LOCAL_DATA},
        "weights_sha256": card.weights_sha256,
        "created": card.created,
        "code_version": card.code_version,
        "training": card.training,
        "validation": card.validation,
    }


def train(config: TrainConfig, *, callback: Callback | None = None) -> Path:
    """Train (or resume training) a diffusion denoiser and export its EMA weights.

    Parameters
    ----------
    config : TrainConfig
        The run.
    callback : callable or None
        Called on rank 0 after each step with a :class:`TrainState`; returning True
        stops the run gracefully (checkpoint and export, as at the end).

    Returns
    -------
    Path
        ``config.output``: the EMA weights (safetensors) with a model card beside it.

    Raises
    ------
    ValueError
        If there are no readable images, the output cannot be written, a fresh run
        would replace a model or checkpoint without ``overwrite``, ``resume`` is True
        but there is no checkpoint, or it was made with different trajectory settings.
    """
    ctx = DistributedContext.from_env(config.device)
    try:
        return _train(config, ctx, callback)
    finally:
        ctx.close()


def _train(config: TrainConfig, ctx: DistributedContext, callback: Callback | None) -> Path:
    ckpt_path = config.checkpoint_path
    check_outputs(config)
    data = _prepare_data(config)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
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
    if config.resume:
        stored = read_checkpoint(ckpt_path)
        different = config.trajectory_differences(stored.config)
        if different:
            raise ValueError(
                f"cannot resume {ckpt_path}: settings differ in {', '.join(different)}"
            )
        if stored.config["steps"] != config.steps:
            log.warning("horizon changed from %d to %d steps", stored.config["steps"], config.steps)
        load_checkpoint(ckpt_path, network=network, ema=ema.network, optimizer=optimizer)
        step, elapsed_before = stored.step, stored.extra["elapsed_s"]
        validation_json = stored.extra.get("validation") or validation_json
        started_from = stored.extra.get("started_from")
        if started_from is None and config.init_model is not None:
            # A checkpoint written before lineage was stored: the init model is still there.
            started_from = _lineage(load_model(config.init_model).card)
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
    if warmup_steps(config) < config.warmup_steps:
        log.warning(
            "learning-rate warm-up shortened from %d to %d steps (at most %d%% of the %d steps)",
            config.warmup_steps,
            warmup_steps(config),
            round(100 * MAX_WARMUP_FRACTION),
            config.steps,
        )
    budget_s = None if config.minutes is None else elapsed_before + 60 * config.minutes
    if budget_s is not None:
        log.info(
            "time budget: the learning rate warms up and decays within %.0f s of run time",
            budget_s,
        )
    trained = (
        DistributedDataParallel(
            network, device_ids=[ctx.device] if ctx.device.type == "cuda" else None
        )
        if ctx.world_size > 1
        else network
    )
    schedule = config.schedule

    def elapsed() -> float:
        return elapsed_before + time.monotonic() - started

    def save() -> None:
        extra = {"elapsed_s": elapsed(), "validation": validation_json}
        if started_from is not None:
            extra["started_from"] = started_from
        save_checkpoint(
            ckpt_path,
            network=network,
            ema=ema.network,
            optimizer=optimizer,
            checkpoint=Checkpoint(step, config.to_config(), extra),
        )
        save_model(
            DiffusionModel(ema.network, schedule),
            config.output,
            data=data.card,
            training=_card_training(config, step, elapsed(), ctx, started_from),
            validation=validation_json,
        )
        log.info("step %d: checkpoint %s, model %s", step, ckpt_path, config.output)

    def validate() -> ValidationResult:
        result = data.validator(DiffusionModel(ema.network, schedule), step)
        _append_metrics(config, {"step": step, "validation": result.to_json()})
        log.info("step %d validation (EMA, 1 step): %s", step, result.summary())
        return result

    if ctx.is_main:
        start_metrics(config, step)
    started = time.monotonic()
    if config.init_model is not None and not config.resume and data.validator is not None:
        validation_json = validate().to_json()  # the starting model's scores, at step 0
    first_step = step
    interval_losses: list[float] = []
    interval_start = started
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
    bar = tqdm(
        total=config.steps,
        initial=step,
        disable=not (config.progress and ctx.is_main),
        mininterval=5.0,
        dynamic_ncols=True,
    )
    try:
        while step < config.steps:
            x0, t, noise = next(draws)  # t stays on the CPU for the schedule's numpy
            x0 = x0.to(ctx.device, non_blocking=True)
            noise = noise.to(ctx.device, non_blocking=True)
            x_t = q_sample(schedule, x0, t, noise)  # x_t = sqrt(abar) x_0 + sqrt(1-abar) eps
            # Every rank takes rank 0's clock, so that all apply the same rate.
            used = 0.0 if budget_s is None else ctx.share(elapsed() / budget_s)
            lr = learning_rate(step, config, time_fraction=used)
            for group in optimizer.param_groups:
                group["lr"] = lr
            with _autocast(ctx.device):
                eps = trained(x_t, t.float().to(ctx.device))
            loss = F.mse_loss(eps.float(), noise)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), config.grad_clip)
            optimizer.step()
            ema.update(network, step)
            step += 1
            loss_value = loss.item()
            if not math.isfinite(loss_value):
                raise FloatingPointError(f"loss is {loss_value} at step {step}")

            stop = False
            if ctx.is_main:
                bar.update(1)
                interval_losses.append(loss_value)
                if step % config.log_every == 0:
                    now = time.monotonic()
                    record = {
                        "step": step,
                        "loss": float(np.mean(interval_losses)),
                        "lr": lr,
                        "steps_per_s": len(interval_losses) / (now - interval_start),
                        "elapsed_s": elapsed(),
                    }
                    _append_metrics(config, record)
                    bar.set_postfix(loss=f"{record['loss']:.4f}", refresh=False)
                    log.info(
                        "step %d loss %.5f lr %.2e %.2f steps/s",
                        step,
                        record["loss"],
                        lr,
                        record["steps_per_s"],
                    )
                    interval_losses, interval_start = [], now
                if data.validator is not None and step % config.val_every == 0:
                    validation = validate()
                    validation_json = validation.to_json()
                if callback is not None:
                    rate = (step - first_step) / max(time.monotonic() - started, 1e-9)
                    state = TrainState(
                        step, config.steps, loss_value, lr, elapsed(), rate, validation
                    )
                    stop = bool(callback(state))
                if config.minutes is not None and time.monotonic() - started >= 60 * config.minutes:
                    log.info("time budget of %g minutes reached at step %d", config.minutes, step)
                    stop = True
                if step % config.checkpoint_every == 0 and step < config.steps and not stop:
                    save()
            if ctx.agree(stop):
                break
    finally:
        draws.close()  # stops the workers
        bar.close()
    if ctx.is_main:
        if data.validator is not None and validation_json.get("step") != step:
            validation_json = validate().to_json()
        save()
    # The other ranks leave the process group only once rank 0 has written the model.
    ctx.barrier()
    return config.output


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
    return _lineage(model.card)


def _append_metrics(config: TrainConfig, record: dict[str, Any]) -> None:
    config.metrics_path.parent.mkdir(parents=True, exist_ok=True)
    with config.metrics_path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")
