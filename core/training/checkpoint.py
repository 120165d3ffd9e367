"""Training checkpoints as one safetensors file: no pickle, exact resume.

The file holds the network, EMA and optimiser tensors, and as string metadata the
step, the training configuration (JSON), the run's bookkeeping (JSON) and the
optimiser's hyperparameters. All training randomness is a pure function of
``(seed, step, rank)`` and the learning rate a pure function of the step and of the
share of the time budget used, so the step and the budget
(:class:`core.training.config.TimeBudget`, in the bookkeeping) are the whole random and
scheduler state. The bookkeeping also holds the split of the images
(:func:`core.training.selection.split_to_json`), which a resumed run keeps: it names the
patients, so the file is readable by its owner alone.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load, save
from torch import nn

from core.io.atomic import atomic_write
from core.io.safetensors_header import parse_header, read_header

CHECKPOINT_FORMAT = "xray-denoise-checkpoint"
CHECKPOINT_VERSION = "1"
DAMAGED = "not a readable training checkpoint (damaged or cut short); start afresh (--overwrite)"
"""Why a checkpoint that cannot be parsed (a copy cut short, a bad disk) is refused."""
NEWER = (
    "made by a newer xray-denoise (format version {version}); "
    "this version reads up to {reads}: update to open it"
)
"""Why a file of this project's format but of a later version is refused (``str.format``
with ``version`` and ``reads``): it is whole, only newer."""


class NewerFileError(ValueError):
    """A file of this project's format, whole, but of a later version (:data:`NEWER`)."""


@dataclass(frozen=True)
class Checkpoint:
    """What a checkpoint says besides its tensors.

    Parameters
    ----------
    step : int
        Optimiser steps taken.
    config : dict
        The training configuration (``TrainConfig.to_config()``).
    extra : dict
        Run bookkeeping: ``elapsed_s``, the last ``validation``, the ``split`` of the
        images, the ``time_budget`` (if any), the ``interval_losses`` since the last
        loss record, ``started_from`` (a fine-tune's lineage), and the ``card``'s
        ``data`` and ``training`` sections of the model exported with it (so that the
        model can be exported again without reading the images). Checkpoints written
        before the split, budget, losses and card were kept lack them.
    """

    step: int
    config: dict[str, Any]
    extra: dict[str, Any]


def save_checkpoint(
    path: str | Path,
    *,
    network: nn.Module,
    ema: nn.Module,
    optimizer: torch.optim.Optimizer,
    checkpoint: Checkpoint,
) -> None:
    """Write a checkpoint atomically (temporary file, then rename), readable by its owner alone.

    Parameters
    ----------
    path : str or Path
        Destination.
    network, ema : nn.Module
        Trained and averaged networks.
    optimizer : torch.optim.Optimizer
        Its state tensors and hyperparameters are stored.
    checkpoint : Checkpoint
        Step, configuration and bookkeeping.

    Raises
    ------
    core.errors.ImageWriteError
        ``"<path>: <the system's reason>"`` where it cannot be written (a full disk); the
        checkpoint there before is kept and no temporary file is left.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {f"model/{k}": v for k, v in network.state_dict().items()}
    tensors |= {f"ema/{k}": v for k, v in ema.state_dict().items()}
    opt_state = optimizer.state_dict()
    for index, state in opt_state["state"].items():
        for key, value in state.items():
            if not isinstance(value, torch.Tensor):
                raise TypeError(f"optimizer state {key!r} is not a tensor")
            tensors[f"optimizer/{index}/{key}"] = value
    tensors = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    metadata = {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "step": str(checkpoint.step),
        "config": json.dumps(checkpoint.config),
        "extra": json.dumps(checkpoint.extra),
        "param_groups": json.dumps(opt_state["param_groups"]),
    }
    data = save(tensors, metadata=metadata)
    with atomic_write(path, overwrite=True, needed=len(data)) as file:
        os.chmod(file.name, 0o600)  # the split names patients (only the owner bit on Windows)
        file.write(data)


def read_checkpoint(path: str | Path) -> Checkpoint:
    """Read a checkpoint's step, configuration and bookkeeping (not its tensors).

    Parameters
    ----------
    path : str or Path
        The checkpoint (:func:`save_checkpoint`).

    Returns
    -------
    Checkpoint

    Raises
    ------
    ValueError
        If the file is not a training checkpoint, is of another version (a later one:
        :data:`NEWER`), or cannot be parsed: ``"<path>: not a readable training
        checkpoint ..."`` (:data:`DAMAGED`).
    OSError
        If it cannot be opened (the system's reason, naming it).
    """
    return _checked(path, _metadata(path))


def _checked(path: str | Path, metadata: dict[str, str]) -> Checkpoint:
    """Return the :class:`Checkpoint` of a file's metadata, refused as :func:`read_checkpoint`."""
    if metadata.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{path} is not an xray-denoise training checkpoint")
    version = metadata.get("version")
    if version != CHECKPOINT_VERSION:
        if version is not None and version.isdecimal() and int(version) > int(CHECKPOINT_VERSION):
            raise NewerFileError(
                f"{path}: " + NEWER.format(version=version, reads=CHECKPOINT_VERSION)
            )
        raise ValueError(f"{path}: unsupported checkpoint version {version}")
    try:
        checkpoint = Checkpoint(
            step=int(metadata["step"]),
            config=json.loads(metadata["config"]),
            extra=json.loads(metadata["extra"]),
        )
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"{path}: {DAMAGED}") from None
    if not isinstance(checkpoint.config, dict) or not isinstance(checkpoint.extra, dict):
        raise ValueError(f"{path}: {DAMAGED}")
    return checkpoint


def _metadata(path: str | Path, data: bytes | None = None) -> dict[str, str]:
    """Return a safetensors file's metadata; refuse one that is not whole (:data:`DAMAGED`).

    The header must parse and the file's data cover its tensors exactly: that of
    `data`, the file's bytes already read (:func:`core.io.safetensors_header.parse_header`),
    or else read from `path`, its header only (:func:`core.io.safetensors_header.read_header`,
    which opens a path of any name, and lets an unreadable file's own reason through).
    """
    try:
        return (read_header(Path(path)) if data is None else parse_header(data)).metadata
    except ValueError:
        raise ValueError(f"{path}: {DAMAGED}") from None


def _read(path: str | Path) -> tuple[Checkpoint, dict[str, str], dict[str, torch.Tensor]]:
    """Read a checkpoint's file once: what it says, its metadata and its tensors.

    The file is refused as :func:`read_checkpoint` says, before its tensors are parsed.
    Read, not memory-mapped: on the CPU the optimiser keeps the loaded tensors, and
    Windows refuses to replace a mapped file, as the next checkpoint does.
    """
    data = Path(path).read_bytes()
    metadata = _metadata(path, data)
    info = _checked(path, metadata)
    try:
        return info, metadata, load(data)
    except SafetensorError:
        raise ValueError(f"{path}: {DAMAGED}") from None


def load_checkpoint(
    path: str | Path,
    *,
    network: nn.Module,
    ema: nn.Module,
    optimizer: torch.optim.Optimizer,
) -> Checkpoint:
    """Restore network, EMA and optimiser in place from :func:`save_checkpoint` output.

    Parameters
    ----------
    path : str or Path
        The checkpoint.
    network, ema : nn.Module
        Networks of the checkpoint's architecture (on their target device).
    optimizer : torch.optim.Optimizer
        An optimiser over ``network``'s parameters, of the same type.

    Returns
    -------
    Checkpoint
        Step, configuration and bookkeeping.

    Raises
    ------
    ValueError
        As :func:`read_checkpoint`, where the file is refused or cannot be parsed.
    """
    info, metadata, tensors = _read(path)
    try:
        param_groups = json.loads(metadata["param_groups"])
    except (KeyError, ValueError):
        raise ValueError(f"{path}: {DAMAGED}") from None
    # Optimizer.load_state_dict moves state to the parameters' device as each optimiser needs.
    sections: dict[str, dict[str, torch.Tensor]] = {"model": {}, "ema": {}, "optimizer": {}}
    for key, value in tensors.items():
        section, name = key.split("/", 1)
        sections[section][name] = value
    network.load_state_dict(sections["model"])
    ema.load_state_dict(sections["ema"])
    state: dict[int, dict[str, torch.Tensor]] = {}
    for name, value in sections["optimizer"].items():
        index, key = name.split("/", 1)
        state.setdefault(int(index), {})[key] = value
    for group in param_groups:
        if "betas" in group:
            group["betas"] = tuple(group["betas"])
    optimizer.load_state_dict({"state": state, "param_groups": param_groups})
    return info


def load_ema(path: str | Path, ema: nn.Module) -> None:
    """Load only the EMA weights of a checkpoint (what its model exports) into ``ema``.

    Parameters
    ----------
    path : str or Path
        The checkpoint (:func:`save_checkpoint`).
    ema : nn.Module
        A network of the checkpoint's architecture.

    Raises
    ------
    ValueError
        As :func:`read_checkpoint`, where the file is refused or cannot be parsed.
    """
    tensors = _read(path)[2]  # refuses a file that is not a checkpoint
    ema.load_state_dict(
        {
            name.removeprefix("ema/"): value
            for name, value in tensors.items()
            if name.startswith("ema/")
        }
    )
