"""Training configuration: one frozen dataclass, serialisable to JSON."""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from core.device import PRECISION_CHOICES
from core.diffusion.schedule import NoiseSchedule
from core.diffusion.unet import UNetConfig
from core.noise.dose import (
    DEFAULT_ELECTRONIC_NOISE,
    MAX_ELECTRONIC_NOISE,
    MAX_PHOTONS_PER_PIXEL,
)
from core.training.data import NORMALISATIONS
from core.training.patches import Augmentation
from core.training.timesteps import TimestepSampler

DEVICE_NAMES = re.compile(r"auto|cpu|cuda(:[0-9]+)?|mps")
"""The devices a run may name (``device``)."""

FINE_TUNE_LR_FRACTION = 0.25
"""A fine-tune's default peak learning rate as a share of a fresh run's ``lr``: the
command line's for ``--init-model`` without ``--lr``, and the wizard's (5e-5)."""

INTEGER_FIELDS = (
    "workers",
    "steps",
    "batch_size",
    "patch_size",
    "binning",
    "warmup_steps",
    "seed",
    "split_seed",
    "val_every",
    "val_crop",
    "checkpoint_every",
    "log_every",
)
"""Fields that must be integers (``workers`` may also be None)."""

SEED_LIMIT = 2**64
"""Seeds lie in ``[0, SEED_LIMIT)``: NumPy's generators take none below 0; torch keeps
only 32 bits, so seeds of ``2**32`` or more are hashed to 32 bits for it
(:func:`core.diffusion.sampler.torch_seed`)."""

# Fields that shape the training trajectory: a resumed run must keep them.
TRAJECTORY_FIELDS = (
    "architecture",
    "schedule",
    "timesteps",
    "augmentation",
    "binning",
    "normalisation",
    "batch_size",
    "patch_size",
    "lr",
    "warmup_steps",
    "min_lr_fraction",
    "weight_decay",
    "grad_clip",
    "ema_decay",
    "seed",
    "val_fraction",
    "split_seed",
)


@dataclass(frozen=True)
class TimeBudget:
    """A run's time budget, all its invocations together, and how its learning rate spends it.

    The share of the budget used, the ``time_fraction`` of
    :func:`core.training.lr_schedule.learning_rate`, rises linearly from
    ``from_fraction`` at ``from_s`` seconds of run time to 1 at ``total_s``: from 0 at
    the start, unless a resumed run was given more time (:meth:`extended`).

    Parameters
    ----------
    total_s : float
        Run time, in seconds, at which the run ends.
    from_s : float
        Run time at which the current plan began.
    from_fraction : float
        Share of the budget used at ``from_s``, in ``[0, 1]``.
    """

    total_s: float
    from_s: float = 0.0
    from_fraction: float = 0.0

    def fraction(self, elapsed_s: float) -> float:
        """Return the share of the budget used after ``elapsed_s`` seconds of run time."""
        planned = (elapsed_s - self.from_s) / (self.total_s - self.from_s)
        return self.from_fraction + (1.0 - self.from_fraction) * planned

    def extended(self, elapsed_s: float, more_s: float) -> TimeBudget:
        """Give the run ``more_s`` seconds more from ``elapsed_s`` on.

        The share used at ``elapsed_s`` is kept, so the learning rate goes on from
        where it was; what is left of its decay is spread over the new time (a run
        whose budget was spent goes on at its final rate).

        Parameters
        ----------
        elapsed_s : float
            Run time so far.
        more_s : float
            Time added, in seconds.

        Returns
        -------
        TimeBudget
        """
        return TimeBudget(elapsed_s + more_s, elapsed_s, min(1.0, self.fraction(elapsed_s)))

    def to_json(self) -> dict[str, float]:
        """Return a JSON-serialisable dict."""
        return {"total_s": self.total_s, "from_s": self.from_s, "from_fraction": self.from_fraction}

    @classmethod
    def from_json(cls, data: dict[str, float]) -> TimeBudget:
        """Rebuild from :meth:`to_json` output."""
        return cls(**data)


def _without_physical_noise(value: Any) -> bool:
    """Whether a stored ``physical_noise`` (commit d7079b2, reverted) noised no patch."""
    fraction = value.get("fraction", 0.0) if isinstance(value, dict) else value
    return fraction == 0


RETIRED_FIELDS: dict[str, Callable[[Any], bool]] = {"physical_noise": _without_physical_noise}
"""Fields that earlier versions stored and this one dropped, with whether a stored value
trained as this version trains (the field is then left out, else the run is refused)."""


@dataclass(frozen=True)
class TrainConfig:
    """Everything a training run needs.

    Parameters
    ----------
    data : Path
        Folder of training images (searched recursively).
    output : Path
        Model file to write (its name must end in ``.safetensors``; the model card goes
        beside it).
    checkpoint : Path or None
        Checkpoint file; ``<output stem>.checkpoint.safetensors`` beside the output if None.
    resume : bool
        Continue from the checkpoint (which must exist).
    overwrite : bool
        Let a fresh run replace an existing model (and its card, checkpoint and
        metrics); without it such a run is refused.
    init_model : Path or None
        Fine-tune: start from this model's weights (its schedule must be this run's,
        its architecture too or one with fewer blocks, which the run's extra blocks
        extend as identities: :mod:`core.diffusion.grow`), and validate it at step 0
        for comparison. None starts fresh.
    device : str
        ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.
    precision : {"auto", "float32"}
        What the network's forward and backward passes compute in. ``"auto"``: bfloat16
        autocast on CUDA GPUs with it in hardware (compute capability 8.0 and later) and on
        CPUs with AMX (:func:`core.device.cpu_has_amx`), float32 elsewhere; the weights,
        optimiser and loss stay float32 either way. ``"float32"``: float32 everywhere. On
        a 2-core AMX CPU a step of the 48-channel network (8 patches of 128 px) took
        0.24 s in bfloat16 against 0.53 s in float32 (2026-11-27).
    workers : int or None
        Processes that draw the training patches ahead of the network
        (:mod:`core.training.draws`); None: none on the CPU, up to 8 on a GPU. The
        weights do not depend on it.
    steps : int
        Total optimiser steps (the learning-rate schedule's horizon).
    minutes : float or None
        Time budget in minutes: the learning rate warms up and decays within it, and the
        run stops (with a checkpoint) at its end. A fresh run's budget is the whole run's;
        a resumed run keeps its checkpoint's budget when this is None, and otherwise
        trains this many minutes more, its learning rate going on from where it stopped
        and decaying over the new time (:meth:`TimeBudget.extended`).
    batch_size : int
        Patches per step per process.
    patch_size : int
        Side of the training patches.
    binning : int
        Average each training image over ``binning x binning`` pixel blocks before
        patches are cut (1: as stored). Films downscaled for distribution keep a grain
        that a clean target should not have; 2 x 2 binning cuts the estimated noise of
        the 640 px training films to 0.55 of it (white noise: 0.5). Validation images
        are used as stored.
    normalisation : {"percentiles", "range"}
        How each image's values are mapped to the model's domain
        (:func:`core.training.data.normalise`): ``"percentiles"``, as the denoiser maps
        the images it is given (their 0.1 and 99.9 percentiles on -0.9 and 0.9);
        ``"range"``, over the data's range of values, as models were trained before
        2026-11-28 (the shipped one among them). A stored configuration without it was
        trained over the range.
    lr : float
        Peak AdamW learning rate (the command line gives a fine-tune
        :data:`FINE_TUNE_LR_FRACTION` of this default unless told otherwise).
    warmup_steps : int
        Linear warm-up steps.
    min_lr_fraction : float
        The cosine decay ends at ``lr * min_lr_fraction``, in ``[0, 1]``.
    weight_decay : float
        AdamW's decoupled weight decay, >= 0.
    grad_clip : float
        Gradient-norm clip, > 0 (``float("inf")``: no clipping).
    ema_decay : float
        EMA decay of the exported weights, in ``[0, 1)``.
    seed : int
        Seed of the initial weights and of every random draw, in ``[0, 2**64)``.
    val_fraction : float
        Fraction of patients held out.
    split_seed : int
        Seed of the patient split (fixed so runs share validation patients), in
        ``[0, 2**64)``.
    val_every : int
        Validate every this many steps (and at the end); 0 disables.
    val_crop : int
        Side of the validation crops, a multiple of the architecture's
        ``size_multiple`` (as ``patch_size``).
    val_doses : tuple of float
        Doses (fractions of the full dose, in (0, 1]) of a second validation, through
        the blind denoise (:mod:`core.training.dose_validation`); empty (the default):
        none. With the shipped model on an otherwise idle 2-core CPU, 3 doses of the 14
        held-out images of xray-train (256 px crops) took 5.7 s a pass and 1.3 s to
        prepare, against 27 s for the Gaussian validation (2026-11-27); measuring the
        quanta of 14 of its images (9 measured, 5 refused) made that 3.1 s.
    val_photons : float or None
        Its detected quanta per unattenuated pixel at full dose, for every image; None
        (the default): measured from each held-out image's noise, 50,000 where that is
        refused (:class:`core.training.dose_validation.DoseValidator`).
    val_electronic_noise : float
        Its electronic noise std, in quanta: at most
        :data:`core.noise.dose.MAX_ELECTRONIC_NOISE` (1000), as the simulator takes.
    checkpoint_every : int
        Checkpoint (and export the EMA model) every this many steps, and at the end.
    log_every : int
        Log the mean loss every this many steps.
    progress : bool
        Show a tqdm bar.
    ignore_patient_table : bool
        Split without the ``data.csv`` tables (by DICOM patient, else by file), even
        where one cannot be used (:func:`core.training.data.assign_patients`).
    architecture : UNetConfig
        The network.
    schedule : NoiseSchedule
        The diffusion schedule.
    timesteps : TimestepSampler
        Training time distribution.
    augmentation : Augmentation
        Patch augmentation.
    """

    data: Path
    output: Path
    checkpoint: Path | None = None
    resume: bool = False
    overwrite: bool = False
    init_model: Path | None = None
    device: str = "auto"
    precision: str = "auto"
    workers: int | None = None
    steps: int = 100_000
    minutes: float | None = None
    batch_size: int = 16
    patch_size: int = 96
    binning: int = 1
    normalisation: str = "percentiles"
    lr: float = 2e-4
    warmup_steps: int = 500
    min_lr_fraction: float = 0.05
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    ema_decay: float = 0.999
    seed: int = 0
    val_fraction: float = 0.1
    split_seed: int = 0
    val_every: int = 1000
    val_crop: int = 256
    val_doses: tuple[float, ...] = ()
    val_photons: float | None = None
    val_electronic_noise: float = DEFAULT_ELECTRONIC_NOISE
    checkpoint_every: int = 500
    log_every: int = 50
    progress: bool = True
    ignore_patient_table: bool = False
    architecture: UNetConfig = field(default_factory=UNetConfig)
    schedule: NoiseSchedule = field(default_factory=NoiseSchedule)
    timesteps: TimestepSampler = field(default_factory=TimestepSampler)
    augmentation: Augmentation = field(default_factory=Augmentation)

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", Path(self.data))
        object.__setattr__(self, "output", Path(self.output))
        if self.output.suffix.lower() != ".safetensors":
            raise ValueError(f"output {self.output} must be a .safetensors file")
        for name in ("checkpoint", "init_model"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, Path(getattr(self, name)))
        for name in INTEGER_FIELDS:
            value = getattr(self, name)
            if value is None and name == "workers":
                continue
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise ValueError(f"{name} must be an integer, got {value!r}")
        for name in (
            "steps",
            "batch_size",
            "patch_size",
            "binning",
            "checkpoint_every",
            "log_every",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not 0 < self.lr < float("inf"):
            raise ValueError(f"lr must be a positive number, got {self.lr}")
        if not 0 <= self.min_lr_fraction <= 1:
            raise ValueError(f"min_lr_fraction must lie in [0, 1], got {self.min_lr_fraction}")
        if not 0 <= self.weight_decay < float("inf"):
            raise ValueError(f"weight_decay must be a number >= 0, got {self.weight_decay}")
        if not self.grad_clip > 0:
            raise ValueError(
                f"grad_clip must be > 0 (inf: no clipping), got {self.grad_clip}: clipping "
                "to a norm <= 0 zeroes or reverses the gradient"
            )
        if not 0 <= self.ema_decay < 1:
            raise ValueError(f"ema_decay must lie in [0, 1), got {self.ema_decay}")
        for name in ("seed", "split_seed"):
            if not 0 <= getattr(self, name) < SEED_LIMIT:
                raise ValueError(f"{name} must lie in [0, 2**64), got {getattr(self, name)}")
        if self.val_every < 0:
            raise ValueError(
                f"val_every must be at least 0 (0: no validation), got {self.val_every}"
            )
        if not 0 <= self.val_fraction < 1:
            raise ValueError(f"val_fraction must lie in [0, 1), got {self.val_fraction}")
        if not DEVICE_NAMES.fullmatch(self.device):
            raise ValueError(f"device {self.device}: use auto, cpu, cuda, cuda:N or mps")
        if self.normalisation not in NORMALISATIONS:
            raise ValueError(
                f"normalisation must be one of {', '.join(NORMALISATIONS)}, "
                f"got {self.normalisation!r}"
            )
        if self.precision not in PRECISION_CHOICES:
            raise ValueError(f"precision must be 'auto' or 'float32', got {self.precision!r}")
        if self.workers is not None and self.workers < 0:
            raise ValueError(f"workers must be at least 0, got {self.workers}")
        if self.warmup_steps < 0:
            raise ValueError(f"warmup_steps must be at least 0, got {self.warmup_steps}")
        if self.minutes is not None and not (math.isfinite(self.minutes) and self.minutes > 0):
            raise ValueError(f"minutes must be a finite number above 0, got {self.minutes}")
        if self.timesteps.focus_sigma[1] > self.schedule.sigma_max:
            raise ValueError(
                f"focus_sigma {self.timesteps.focus_sigma[0]:g} {self.timesteps.focus_sigma[1]:g}"
                f" reaches above the schedule's largest noise level, {self.schedule.sigma_max:.4g}:"
                " give a range up to it"
            )
        object.__setattr__(self, "val_doses", tuple(float(d) for d in self.val_doses))
        for dose in self.val_doses:
            if not 0 < dose <= 1:
                raise ValueError(f"val_doses must lie in (0, 1], got {dose:g}")
        if self.val_photons is not None:
            if not 0 < self.val_photons <= MAX_PHOTONS_PER_PIXEL:
                raise ValueError(
                    f"val_photons must lie in (0, {MAX_PHOTONS_PER_PIXEL:g}], "
                    f"got {self.val_photons:g}"
                )
            for dose in self.val_doses:
                if dose * self.val_photons < 1:
                    raise ValueError(
                        f"validation dose {dose:g} x {self.val_photons:g} photons per pixel "
                        "(--val-doses, --val-photons) is under 1 quantum per unattenuated "
                        "pixel: no image can be simulated at it; give a higher dose or more "
                        "photons"
                    )
        if not 0 <= self.val_electronic_noise <= MAX_ELECTRONIC_NOISE:
            raise ValueError(
                f"val_electronic_noise must lie in [0, {MAX_ELECTRONIC_NOISE:g}] quanta rms "
                f"(a detector's is a few), got {self.val_electronic_noise:g}"
            )
        if self.patch_size % self.architecture.size_multiple:
            raise ValueError(
                f"patch size must be a multiple of {self.architecture.size_multiple}, "
                f"got {self.patch_size}"
            )
        if self.val_crop < 1 or self.val_crop % self.architecture.size_multiple:
            raise ValueError(
                f"val_crop must be a positive multiple of {self.architecture.size_multiple}, "
                f"got {self.val_crop}"
            )

    @property
    def checkpoint_path(self) -> Path:
        """Where checkpoints are written and resumed from."""
        if self.checkpoint is not None:
            return self.checkpoint
        return self.output.with_name(self.output.stem + ".checkpoint.safetensors")

    @property
    def metrics_path(self) -> Path:
        """JSON-lines log of losses and validation scores, beside the output."""
        return self.output.with_name(self.output.stem + ".metrics.jsonl")

    def to_config(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict of every field."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if hasattr(value, "to_config"):
                value = value.to_config()
            elif isinstance(value, Path):
                value = str(value)
            out[f.name] = value
        return out

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TrainConfig:
        """Rebuild from :meth:`to_config` output, of this version or an earlier one.

        A configuration stored before ``normalisation`` was trained over the range
        (``"range"``); a field an earlier version had and this one dropped is left out
        where its stored value trained as this version trains (:data:`RETIRED_FIELDS`).

        Raises
        ------
        ValueError
            If it holds a field this version does not know (a later version's), or a
            retired one whose value this version cannot train with, naming them.
        """
        config = {"normalisation": "range", **config}
        known = {f.name for f in fields(cls)}
        strange = sorted(
            name
            for name in config.keys() - known
            if name not in RETIRED_FIELDS or not RETIRED_FIELDS[name](config[name])
        )
        if strange:
            raise ValueError(
                f"settings this version of xray-denoise cannot train with: {', '.join(strange)} "
                "(stored by another version: go on with that version, or start afresh)"
            )
        config = {name: value for name, value in config.items() if name in known}
        parsers = {
            "architecture": UNetConfig.from_config,
            "schedule": NoiseSchedule.from_config,
            "timesteps": TimestepSampler.from_config,
            "augmentation": Augmentation.from_config,
        }
        return cls(**{k: parsers[k](v) if k in parsers else v for k, v in config.items()})

    def trajectory_differences(self, other: dict[str, Any]) -> list[str]:
        """Names of trajectory fields whose value differs from a stored configuration.

        The stored configuration is read as :meth:`from_config` reads it, so a field it
        predates compares as the value that run used.
        """
        mine, theirs = self.to_config(), TrainConfig.from_config(other).to_config()
        return [name for name in TRAJECTORY_FIELDS if mine[name] != theirs[name]]
