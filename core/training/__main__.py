"""``python -m core.training FOLDER --output MODEL.safetensors [options]``.

Trains a diffusion denoiser on a folder of radiographs. With ``--resume`` the run
continues from ``<output stem>.checkpoint.safetensors`` and every setting not given on
the command line is taken from the checkpoint, with the split of its images and its
time budget (``--minutes M`` then adds M minutes: :class:`core.training.config.TimeBudget`).
SIGINT, SIGTERM and SIGHUP (a closed session) stop the run gracefully: it finishes its
step, checkpoints and exports the model, then exits with 128 + the signal's number (130,
143, 129), so that a script does not take the stopped run for a finished one. A signal
ignored when the run starts stays ignored, as ``nohup`` ignores SIGHUP.
Creating ``<output stem>.stop`` beside the model stops it the same way (exit status 143)
on every OS; the run holds ``<output stem>.lock`` while it trains, and a second run of
the same model is refused (:mod:`core.training.control`).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from types import FrameType

import torch

from core.diffusion.model import load_model
from core.diffusion.unet import UNetConfig
from core.errors import XrayError, error_line, is_bad_input
from core.training.arguments import ARCHITECTURE_NAMES, training_parser
from core.training.checkpoint import read_checkpoint
from core.training.config import TrainConfig
from core.training.control import DATA_CHANGED_STATUS, STOP_STATUS, TrainingLock, stop_path
from core.training.loop import TrainState, train
from core.training.outputs import check_outputs
from core.training.selection import DataChangedError

STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")
"""Signals that stop a run after its current step, with a checkpoint (no SIGHUP on Windows)."""
ARCHITECTURES = dict(zip(ARCHITECTURE_NAMES, (UNetConfig, UNetConfig.tiny), strict=True))
"""Networks a fresh run can train, by name."""


def build_config(args: argparse.Namespace) -> TrainConfig:
    """Turn parsed arguments into a :class:`TrainConfig` (checkpoint settings on resume)."""
    config = _base_config(args)
    focus = {
        name: value
        for name, value in (
            ("focus_fraction", args.focus_fraction),
            ("focus_sigma", None if args.focus_sigma is None else tuple(args.focus_sigma)),
        )
        if value is not None
    }
    return replace(config, timesteps=replace(config.timesteps, **focus)) if focus else config


def _base_config(args: argparse.Namespace) -> TrainConfig:
    given = {
        name: value
        for name, value in (
            ("steps", args.steps),
            ("batch_size", args.batch_size),
            ("patch_size", args.patch_size),
            ("binning", args.binning),
            ("lr", args.lr),
            ("warmup_steps", args.warmup_steps),
            ("seed", args.seed),
            ("val_fraction", args.val_fraction),
            ("checkpoint_every", args.checkpoint_every),
            ("val_every", args.val_every),
            ("log_every", args.log_every),
        )
        if value is not None
    }
    runtime = {
        "data": args.folder,
        "output": args.output,
        "resume": args.resume,
        "overwrite": args.overwrite,
        "device": args.device,
        "precision": args.precision,
        "workers": args.workers,
        "minutes": args.minutes,
        "progress": not args.no_progress,
    }
    depth = {
        name: value
        for name, value in (
            ("blocks_per_level", args.blocks_per_level),
            ("mid_blocks", args.mid_blocks),
        )
        if value is not None
    }
    if args.resume:
        base = TrainConfig(data=args.folder, output=args.output)
        if base.checkpoint_path.is_file():
            stored = TrainConfig.from_config(read_checkpoint(base.checkpoint_path).config)
            architecture = _keep_width(args, replace(stored.architecture, **depth), "checkpoint")
            return replace(stored, checkpoint=None, architecture=architecture, **runtime, **given)
    if args.init_model is not None:
        card = load_model(args.init_model).card
        given |= {
            "init_model": args.init_model,
            "architecture": _keep_width(args, replace(card.architecture, **depth), "model"),
            "schedule": card.schedule,
        }
    else:
        architecture = ARCHITECTURES[args.architecture or "standard"]()
        width = {} if args.base_channels is None else {"base_channels": args.base_channels}
        given["architecture"] = replace(architecture, **depth, **width)
    return TrainConfig(**runtime, **given)


def _keep_width(args: argparse.Namespace, architecture: UNetConfig, origin: str) -> UNetConfig:
    """Refuse a --base-channels that differs from a trained network's: only depth can grow."""
    if args.base_channels not in (None, architecture.base_channels):
        raise ValueError(
            f"--base-channels {args.base_channels}: the {origin} has "
            f"{architecture.base_channels}, and a trained network's width cannot change "
            "(only its depth can grow); start a fresh run for another width"
        )
    return architecture


class _NoTracebackFormatter(logging.Formatter):
    """Format a record without its traceback (that goes to the log file only)."""

    def format(self, record: logging.LogRecord) -> str:
        kept = record.exc_info, record.exc_text
        record.exc_info = record.exc_text = None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text = kept


@contextmanager
def _logging_to(path: Path) -> Iterator[None]:
    """Log to stderr on every rank (without tracebacks) and, on rank 0 only, to ``path``.

    The handlers are removed and the log file closed on leaving, so that a run in a
    process that goes on (a test, a script calling :func:`main`) leaves no handler behind
    to repeat the next run's lines or hold its file open.
    """
    rank = int(os.environ.get("RANK", "0"))
    line = f"%(asctime)s [rank {rank}] %(levelname)s %(name)s: %(message)s"
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(_NoTracebackFormatter(line))
    handlers: list[logging.Handler] = [console]
    if rank == 0:
        path.parent.mkdir(parents=True, exist_ok=True)
        log_file = logging.FileHandler(path, encoding="utf-8", errors="backslashreplace")
        log_file.setFormatter(logging.Formatter(line))
        handlers.append(log_file)
    for handler in handlers:
        root.addHandler(handler)
    try:
        yield
    finally:
        for handler in handlers:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)


def main(argv: Sequence[str] | None = None, *, prog: str = "python -m core.training") -> int:
    """Run the command line; return the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` by default.
    prog : str
        Program name for usage and help (``xray-denoise train`` delegates here).

    Returns
    -------
    int
        0 on success, 2 on bad input, 1 on an unexpected error (its traceback in the log),
        or the status of a run stopped early (:func:`run`).
    """
    return run(training_parser(prog).parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Train with parsed arguments (:func:`core.training.arguments.training_parser`).

    The data folder and the outputs are checked before anything is written (the log
    included), and a refusal is one line, ``xray-denoise: error: ...``, as the other
    subcommands give; so is a second run of a model that a process trains now. The
    console and the log are UTF-8 whatever the locale (the wizard reads them so).

    Returns
    -------
    int
        0 on success, 2 on bad input, 1 on an unexpected error (its traceback in the log),
        128 + the signal's number when SIGINT, SIGTERM or SIGHUP stopped the run
        (checkpointed), 143 when its stop file did.
    """
    reconfigure = getattr(sys.stderr, "reconfigure", None)  # sys.stderr may be None
    if reconfigure is not None:
        reconfigure(encoding="utf-8", errors="backslashreplace")
    with ExitStack() as held:
        try:
            if args.threads is not None:
                if args.threads < 1:
                    raise ValueError(f"--threads {args.threads}: give 1 or more")
                torch.set_num_threads(args.threads)
            config = build_config(args)
            if not config.data.is_dir():
                raise ValueError(f"{config.data} is not a folder")
            lock = None
            if int(os.environ.get("RANK", "0")) == 0:
                check_outputs(config)
                lock = held.enter_context(TrainingLock(config.output))
            held.enter_context(_logging_to(args.log_file or config.output.with_suffix(".log")))
        except (XrayError, ValueError, OSError) as e:  # an OSError: the log's folder, say
            prog = getattr(args, "prog", "xray-denoise")
            print(f"{prog.removesuffix(' train')}: error: {error_line(e)}", file=sys.stderr)
            return 2
        return _train_until_stopped(config, lock)


def _train_until_stopped(config: TrainConfig, lock: TrainingLock | None) -> int:
    """Train to the end or to a stop request (a signal, or the stop file on rank 0)."""
    log = logging.getLogger(__name__)
    stopped: list[int] = []  # the exit status of a stop asked for

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("%s: stopping after this step", signal.Signals(signum).name)
        stopped.append(128 + signum)

    previous = _take_over_stop_signals(on_signal)

    def on_step(_state: TrainState) -> bool:
        if not stopped and lock is not None and lock.stop_requested():
            log.info("%s: stopping after this step", stop_path(config.output))
            stopped.append(STOP_STATUS)
        return bool(stopped)

    try:
        train(config, callback=on_step)
    except Exception as e:  # one line on the console; for a bug, the traceback in the log
        if isinstance(e, DataChangedError):
            log.error("%s", error_line(e))
            return DATA_CHANGED_STATUS
        if is_bad_input(e):
            log.error("%s", error_line(e))
            return 2
        log.error("training stopped: %s", error_line(e), exc_info=True)
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if stopped:
        log.info("stopped before the end (exit status %d): go on with --resume", stopped[0])
        return stopped[0]
    return 0


def _take_over_stop_signals(handler: Callable[[int, FrameType | None], None]) -> dict:
    """Have :data:`STOP_SIGNALS` call ``handler``; return the handlers they had.

    A signal that the OS lacks, or that is ignored (``nohup``), is left as it is. The
    command line's handlers that abort at once (:mod:`core.cli.signals`) are replaced.
    """
    previous = {}
    for name in STOP_SIGNALS:
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is not signal.SIG_IGN:
            previous[number] = signal.signal(number, handler)
    return previous


if __name__ == "__main__":
    sys.exit(main())
