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
import json
import logging
import math
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import replace
from pathlib import Path
from types import FrameType

from core import limit_openmp_spinning

limit_openmp_spinning()  # before torch loads, below: main() would be too late

import torch  # noqa: E402

from core.diffusion.model import card_path, load_model  # noqa: E402
from core.diffusion.unet import UNetConfig  # noqa: E402
from core.errors import XrayError, error_line, is_bad_input  # noqa: E402
from core.io import silence_reader_libraries  # noqa: E402
from core.noise.dose import MAX_ELECTRONIC_NOISE  # noqa: E402
from core.noise.dose import MAX_PHOTONS_PER_PIXEL as MAX_PHOTONS  # noqa: E402
from core.training.arguments import ARCHITECTURE_NAMES, training_parser  # noqa: E402
from core.training.checkpoint import Checkpoint, read_checkpoint  # noqa: E402
from core.training.config import FINE_TUNE_LR_FRACTION, TrainConfig  # noqa: E402
from core.training.control import (  # noqa: E402
    DATA_CHANGED_STATUS,
    STOP_STATUS,
    TrainingLock,
    lock_path,
    stop_path,
)
from core.training.distributed import resolve_device  # noqa: E402
from core.training.loop import (  # noqa: E402
    TrainingFiles,
    TrainState,
    check_patient_tables,
    check_resume,
    find_training_files,
    train,
)
from core.training.outputs import check_outputs  # noqa: E402
from core.training.selection import DataChangedError  # noqa: E402

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


def _dose_options(args: argparse.Namespace) -> dict[str, object]:
    """Read ``--val-doses``, ``--val-photons`` and ``--val-electronic-noise`` where given.

    Raises
    ------
    ValueError
        With the option and the value it cannot take, in one line.
    """
    given: dict[str, object] = {}
    if args.val_doses is not None:
        text = args.val_doses.strip()
        try:
            doses = () if text.lower() == "none" else tuple(float(d) for d in text.split(","))
        except ValueError:
            doses = (math.nan,)
        if not all(0 < dose <= 1 for dose in doses) or len(set(doses)) != len(doses):
            raise ValueError(
                f"--val-doses {args.val_doses}: give distinct fractions of the full dose in "
                "(0, 1], comma separated (such as 0.1,0.22,0.5), or none"
            )
        given["val_doses"] = doses
    for option, name, zero, what in (
        (
            "--val-photons",
            "val_photons",
            False,
            f"a number of quanta > 0, at most {MAX_PHOTONS:g}, or measured",
        ),
        (
            "--val-electronic-noise",
            "val_electronic_noise",
            True,
            f"a number of quanta from 0 to {MAX_ELECTRONIC_NOISE:g}",
        ),
    ):
        text = getattr(args, name)
        if text is None:
            continue
        if name == "val_photons" and text.strip().lower() == "measured":
            given[name] = None
            continue
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        largest = MAX_ELECTRONIC_NOISE if zero else MAX_PHOTONS
        if not (math.isfinite(value) and (0 <= value if zero else 0 < value) and value <= largest):
            raise ValueError(f"{option} {text}: give {what}")
        given[name] = value
    return given


def _base_config(args: argparse.Namespace) -> TrainConfig:
    given = _dose_options(args) | {
        name: value
        for name, value in (
            ("steps", args.steps),
            ("batch_size", args.batch_size),
            ("patch_size", args.patch_size),
            ("binning", args.binning),
            ("normalisation", args.normalisation),
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
        "ignore_patient_table": args.ignore_patient_table,
    }
    if args.resume:
        _refuse_with_resume(args)
        base = TrainConfig(data=args.folder, output=args.output)
        if base.checkpoint_path.is_file():
            stored = TrainConfig.from_config(read_checkpoint(base.checkpoint_path).config)
            architecture = _keep_network(args, stored.architecture, "checkpoint", grow=False)
            return replace(stored, checkpoint=None, architecture=architecture, **runtime, **given)
    if args.init_model is not None:
        card = load_model(args.init_model).card
        given |= {
            "lr": TrainConfig.lr * FINE_TUNE_LR_FRACTION if args.lr is None else args.lr,
            "init_model": args.init_model,
            "architecture": _keep_network(args, card.architecture, "model", grow=True),
            "schedule": card.schedule,
        }
    else:
        architecture = ARCHITECTURES[args.architecture or "standard"]()
        size = {
            name: value
            for name, value in (
                ("base_channels", args.base_channels),
                ("blocks_per_level", args.blocks_per_level),
                ("mid_blocks", args.mid_blocks),
            )
            if value is not None
        }
        given["architecture"] = replace(architecture, **size)
    return TrainConfig(**runtime, **given)


def _warn_unused_dose_options(args: argparse.Namespace, config: TrainConfig) -> None:
    """Warn that ``--val-photons`` or ``--val-electronic-noise`` do nothing without doses."""
    unused = [
        option
        for option, value in (
            ("--val-photons", args.val_photons),
            ("--val-electronic-noise", args.val_electronic_noise),
        )
        if value is not None
    ]
    if unused and not config.val_doses:
        logging.getLogger(__name__).warning(
            "%s: no effect without --val-doses (no validation at doses is run)",
            " and ".join(unused),
        )


def _refuse_with_resume(args: argparse.Namespace) -> None:
    """Refuse the options that a resumed run cannot take: it goes on as its checkpoint says."""
    for option, given, why in (
        ("--overwrite", args.overwrite, "--overwrite starts afresh over the checkpoint"),
        ("--init-model", args.init_model is not None, "the checkpoint keeps its starting model"),
    ):
        if given:
            raise ValueError(f"--resume and {option} exclude each other: {why}; give one of them")


def _keep_network(
    args: argparse.Namespace, trained: UNetConfig, origin: str, *, grow: bool
) -> UNetConfig:
    """Return the network a run on a trained one trains; refuse size options it cannot take.

    ``--architecture`` must name the trained network's kind (its width and depth
    aside), ``--base-channels`` its width; ``--blocks-per-level`` and ``--mid-blocks``
    may add blocks to a starting model (``grow``), and must equal a checkpoint's.
    """
    if args.architecture is not None:
        named = ARCHITECTURES[args.architecture]()
        same = {
            name: getattr(trained, name)
            for name in ("base_channels", "blocks_per_level", "mid_blocks")
        }
        if replace(named, **same) != trained:
            raise ValueError(
                f"--architecture {args.architecture}: the {origin} is another network "
                f"({trained.base_channels} channels, levels x{trained.channel_mult}); "
                f"leave --architecture out, the {origin}'s is used"
            )
    if args.base_channels not in (None, trained.base_channels):
        raise ValueError(
            f"--base-channels {args.base_channels}: the {origin} has "
            f"{trained.base_channels}, and a trained network's width cannot change "
            "(only a starting model's depth can grow); start a fresh run for another width"
        )
    depth = {}
    for option, name in (
        ("--blocks-per-level", "blocks_per_level"),
        ("--mid-blocks", "mid_blocks"),
    ):
        value, had = getattr(args, name), getattr(trained, name)
        if value is None or value == had:
            continue
        if not grow:
            raise ValueError(
                f"{option} {value}: the checkpoint has {had}, and a resumed run keeps its "
                "network; start a fine-tune from its model (--init-model) to add blocks"
            )
        depth[name] = value
    return replace(trained, **depth)


class _NoTracebackFormatter(logging.Formatter):
    """Format a record without its traceback (that goes to the log file only)."""

    def format(self, record: logging.LogRecord) -> str:
        kept = record.exc_info, record.exc_text
        record.exc_info = record.exc_text = None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text = kept


def _check_log_file(path: Path, config: TrainConfig) -> None:
    """Refuse a ``--log-file`` that is one of the run's own files or lies in its data folder.

    Appending log lines to the model, its card, checkpoint, metrics, lock or stop file, or
    to a training image, would damage it; the refusal comes before anything is written.

    Raises
    ------
    ValueError
        With one line that names the file.
    """
    given = path.resolve()
    output = config.output
    own = [output, card_path(output), config.checkpoint_path, config.metrics_path]
    own += [lock_path(output), stop_path(output)]
    if config.init_model is not None:
        own.append(config.init_model)
    if any(given == other.resolve() for other in own):
        raise ValueError(f"--log-file {path} is a file this run reads or writes; name another")
    data = config.data.resolve()
    if given == data or data in given.parents:
        raise ValueError(
            f"--log-file {path} is in the data folder {config.data}; name a file outside it"
        )


def _remove_old_log(path: Path) -> None:
    """Remove the default log of the run an ``--overwrite`` run replaces (not a link's file)."""
    if path.is_symlink():  # a shared log or /dev/null: appended to, as it is
        return
    try:
        path.unlink(missing_ok=True)
    except OSError as e:
        raise ValueError(f"cannot remove {path} to start afresh: {e.strerror or e}") from e


class _LogFile(logging.FileHandler):
    """The run's log file, given up for the console alone once a write to it fails.

    Python's handler prints ``--- Logging error ---`` and a traceback on stderr for each
    record it cannot write: a disk that fills during a run would flood the console with
    them. The first ``OSError`` closes the file instead, and one warning names it with the
    system's reason (``m.log: No space left on device; logging to the console only``);
    the records after it go to the console only.

    A file it creates is readable by its owner alone, as the checkpoint is: it names
    patients (DICOM PatientIDs in the split's warnings) and the files that trained. A file
    that exists is appended to with its permissions left as they are.

    Parameters
    ----------
    path : Path
        The log file, appended to.
    """

    def __init__(self, path: Path) -> None:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
        super().__init__(path, encoding="utf-8", errors="backslashreplace")
        self.path = path
        self.failed = False
        """Whether a write failed, the file closed: records are dropped, not written."""

    def emit(self, record: logging.LogRecord) -> None:
        """Write `record`, unless a write has failed (the file would be opened again)."""
        if not self.failed:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        """Give the file up on an ``OSError``, saying so once; anything else as Python does."""
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            super().handleError(record)
            return
        self.failed = True
        with suppress(OSError):  # closing flushes what the disk refused: it fails again
            self.close()
        logging.getLogger(__name__).warning(
            "%s: %s; logging to the console only", self.path, error.strerror or error
        )


class _HeldRecords(logging.Handler):
    """Keep log records until the run's handlers are there to take them."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _logging() -> Iterator[Callable[[Path], None]]:
    """Hold log records until the run is checked; yield what starts the run's logging.

    Calling the function yielded with a path logs to stderr on every rank (without
    tracebacks) and, on rank 0 only, to a log file there, and hands both the records
    held until then, such as a data folder's warnings. A run refused before that call
    writes no file and says only its refusal. The handlers are removed and the log
    file closed on leaving, so that a run in a process that goes on (a test, a script
    calling :func:`main`) leaves no handler behind to repeat the next run's lines or
    hold its file open.
    """
    rank = int(os.environ.get("RANK", "0"))
    line = f"%(asctime)s [rank {rank}] %(levelname)s %(name)s: %(message)s"
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)
    held = _HeldRecords()
    handlers: list[logging.Handler] = [held]

    def start_logging(path: Path) -> None:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(_NoTracebackFormatter(line))
        started: list[logging.Handler] = [console]
        if rank == 0:
            path.parent.mkdir(parents=True, exist_ok=True)
            log_file = _LogFile(path)
            log_file.setFormatter(logging.Formatter(line))
            started.append(log_file)
        root.removeHandler(held)
        handlers.remove(held)
        for handler in started:
            for record in held.records:
                handler.handle(record)
            root.addHandler(handler)
            handlers.append(handler)
        held.records.clear()

    root.addHandler(held)
    try:
        yield start_logging
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

    The device, the data folder (that it holds images: the list the run goes on
    with), its ``data.csv`` tables and the outputs are checked before anything is
    written (the lock and the log included), and a refusal is one line, ``xray-denoise:
    error: ...`` (``python -m core.training: error: ...`` when run so), as the other
    subcommands give; so is a second run of a model that a process trains now. A
    resumed run's checkpoint is checked, and refusals that need the images read (none
    readable or none large enough for a patch: exit 2; a resumed run's images changed:
    exit 3) are made, later, as log lines, once the log and the lock file are written. The
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
    silence_reader_libraries()
    with ExitStack() as held:
        try:
            if args.threads is not None:
                if args.threads < 1:
                    raise ValueError(f"--threads {args.threads}: give 1 or more")
                torch.set_num_threads(args.threads)
            config = build_config(args)
            if args.log_file is not None:
                _check_log_file(args.log_file, config)
            resolve_device(config.device, int(os.environ.get("LOCAL_RANK", "0")))
            start_logging = held.enter_context(_logging())
            if not config.data.is_dir():
                raise ValueError(f"{config.data} is not a folder")
            files = find_training_files(config.data)
            check_patient_tables(config, files)
            # Its refusals, too, before the lock and the log; the run goes on with what it read.
            checked = check_resume(config) if config.resume else None
            default_log = config.output.with_suffix(".log")
            lock = None
            if int(os.environ.get("RANK", "0")) == 0:
                check_outputs(config)
                lock = held.enter_context(TrainingLock(config.output))
                if config.overwrite and not config.resume and args.log_file is None:
                    _remove_old_log(default_log)
            start_logging(args.log_file or default_log)
            _warn_unused_dose_options(args, config)
        except (XrayError, ValueError, OSError) as e:  # an OSError: the log's folder, say
            prog = getattr(args, "prog", "xray-denoise")
            print(f"{prog.removesuffix(' train')}: error: {error_line(e)}", file=sys.stderr)
            return 2
        return _train_until_stopped(config, lock, files, checked)


def _train_until_stopped(
    config: TrainConfig,
    lock: TrainingLock | None,
    files: TrainingFiles,
    checked: Checkpoint | None,
) -> int:
    """Train to the end or to a stop request (a signal, or the stop file on rank 0).

    ``files`` are the data folder's files (:class:`~core.training.loop.TrainingFiles`),
    found when the run was checked, and ``checked`` a resumed run's checkpoint as
    :func:`~core.training.loop.check_resume` read it (None for a fresh run).
    """
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
        train(config, callback=on_step, files=files, checked=checked)
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
    said = "" if lock is None else _against_start(config.output)
    level = logging.WARNING if said.startswith(WORSE) else logging.INFO
    if stopped:
        log.log(
            level,
            "stopped before the end (exit status %d): go on with --resume%s",
            stopped[0],
            said and f"; {said}",
        )
        return stopped[0]
    log.log(level, "finished: model %s%s", config.output, said and f"; {said}")
    return 0


WORSE = "the model scores below its starting model"
"""How the closing line begins to say that a fine-tune made the model worse."""


def _against_start(output: Path) -> str:
    """Say how a fine-tuned model scored against its starting model, from its card.

    Returns
    -------
    str
        Where the card's ``validation_change`` lists levels or doses that fell,
        :data:`WORSE` with them and the dB lost; else a few words, or nothing for a run that
        was not a fine-tune or was not scored.
    """
    try:
        change = json.loads(card_path(output).read_text("utf-8")).get("validation_change")
    except (OSError, ValueError, AttributeError):
        return ""
    if not isinstance(change, dict) or not change.get("levels"):
        return ""
    worse = change.get("worse_at") or []
    doses = change.get("at_doses") or {}
    worse_doses = doses.get("worse_at") or []
    if not worse and not worse_doses:
        return "held-out PSNR at or above the starting model's at every level and dose"
    said = [
        f"{len(found)} of {len(of)} {what} ({'; '.join(found)})"
        for found, of, what in (
            (worse, change["levels"], "levels"),
            (worse_doses, doses.get("doses", []), "doses"),
        )
        if found
    ]
    return f"{WORSE} on the held-out images at {' and '.join(said)}"


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
