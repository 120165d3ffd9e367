"""Training runs of the wizard: one folder each under the user data dir, with its settings.

A run folder holds ``run.json`` (the :class:`RunSpec` and the run's state), the model
being trained (``model.safetensors`` and its card), the checkpoint, the metrics (JSON
lines) and the log, so that a run can be resumed after the app restarts.

``run.json`` names its format and version (:data:`RUN_FORMAT`, :data:`RUN_VERSION`; a file
without them is of version 1). A run folder whose ``run.json`` cannot be read, is of a later
version, holds settings or a state this version does not know (a later version's), or whose
checkpoint a later version wrote, is neither offered nor rewritten: it is listed with the
reason (:attr:`RunsFound.unreadable`), so that nothing of the later version's is lost.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from core.diffusion import card_path
from core.errors import XrayError, error_line
from core.io.atomic import atomic_write
from core.io.safe_text import text_safe
from core.training.checkpoint import (
    DAMAGED,
    NEWER,
    NewerFileError,
    read_checkpoint,
)
from core.training.config import TrainConfig
from xraygui.wizard.lock import is_locked

RUN_FILE = "run.json"
RUN_FORMAT = "xray-denoise-run"
RUN_VERSION = 1
"""The version of ``run.json`` that :func:`write_run` writes and the latest this one reads."""
MODEL_FILE = "model.safetensors"
"""The model a run trains, in its folder."""
UNFINISHED = frozenset({"running", "paused", "cancelled", "failed"})
"""States of a run that can be resumed from its checkpoint (``running``: when no process
trains it any more, as after a crash of the app)."""
SAVED = "saved"
"""State of a finished run whose model was saved to the user's models."""
STALE = "stale"
"""State of a run that cannot be resumed: its data folder changed since it began, or its
checkpoint cannot be read."""
STATES = UNFINISHED | {"finished", SAVED, STALE}
"""Every state this version writes: a ``run.json`` in another is a later version's."""
MAX_REASON = 300
"""Longest reason an unreadable run's line keeps (:meth:`UnreadableRun.message`)."""
NEWER_RUN = "made by a newer xray-denoise ({what}): update to open it"
"""Why a ``run.json`` of this version with a later version's settings or state is not used
(``str.format`` with ``what``)."""
CLI_ADVICE = "; " + DAMAGED.partition("; ")[2]
"""The command line's advice that ends a damaged checkpoint's message: the wizard gives its own."""
RUN_TIME_FORMAT = "%Y%m%d-%H%M%S"
"""The date and time a run folder's name starts with (:func:`new_run_folder`, a
``strftime`` format): ``20261128-025327``. :data:`RUN_TIME` finds them again."""
RUN_TIME = re.compile(r"\d{8}-\d{6}")
"""What :data:`RUN_TIME_FORMAT` writes, to find in a run folder's name: change both together."""


def runs_root() -> Path:
    """Folder of the wizard's runs: ``user_data_dir("xray-denoise")/training``."""
    return Path(user_data_dir("xray-denoise")) / "training"


@dataclass(frozen=True)
class RunSpec:
    """What the wizard asks ``python -m core.training`` to do.

    Parameters
    ----------
    data : Path
        The image folder.
    folder : Path
        The run folder (model, checkpoint, metrics and log live here).
    steps : int
        Total optimiser steps (the learning-rate horizon).
    minutes : float or None
        Time budget of the whole run (all invocations together); None: run all steps.
    batch_size, patch_size : int
        Patches per step and their side.
    binning : int
        Training images are averaged over ``binning x binning`` blocks first.
    lr : float or None
        Peak learning rate; None: the training's default.
    device : str
        ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"mps"``.
    init_model : Path or None
        Fine-tune this model; None starts fresh.
    architecture : str
        ``"standard"`` or ``"tiny"`` for a fresh start.
    dose_range : tuple of float
        Dose fractions chosen on the Noise page: the run validates at three doses of it
        (:attr:`val_doses`); training noise is Gaussian whatever they are.
    electronic_noise : float
        Electronic noise chosen on the Noise page, in quanta, for that validation.
    val_photons : float or None
        Detected quanta per unattenuated pixel at full dose for the validation at doses
        (``--val-photons``); None: measured from each held-out image's noise (a run.json
        written before this setting has none).
    log_every, val_every, checkpoint_every : int
        Steps between loss records, validations and checkpoints.
    threads : int or None
        CPU threads of the training process; None lets torch choose.
    ignore_patient_table : bool
        Split without the data folder's ``data.csv`` tables (``--ignore-patient-table``).
    """

    data: Path
    folder: Path
    steps: int
    minutes: float | None
    batch_size: int
    patch_size: int
    binning: int = 1
    lr: float | None = None
    device: str = "auto"
    init_model: Path | None = None
    architecture: str = "standard"
    dose_range: tuple[float, float] = (0.1, 0.5)
    electronic_noise: float = 0.0
    val_photons: float | None = None
    log_every: int = 10
    val_every: int = 200
    checkpoint_every: int = 200
    threads: int | None = None
    ignore_patient_table: bool = False

    @property
    def output(self) -> Path:
        """The model file the run writes."""
        return self.folder / MODEL_FILE

    @property
    def val_doses(self) -> tuple[float, ...]:
        """The doses the run validates at (:func:`validation_doses` of its range)."""
        return validation_doses(*self.dose_range)

    @property
    def config(self) -> TrainConfig:
        """The training configuration's file layout (checkpoint and metrics paths)."""
        return TrainConfig(data=self.data, output=self.output)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        out = asdict(self)
        for key in ("data", "folder", "init_model"):
            out[key] = None if out[key] is None else str(out[key])
        out["dose_range"] = list(self.dose_range)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunSpec:
        """Rebuild from :meth:`to_json` output.

        Raises
        ------
        KeyError, TypeError, ValueError
            Where a setting it needs is missing or of another type, or one it does not
            know is there (:func:`read_run` names those).
        """
        init = data.get("init_model")
        return cls(
            **{
                **data,
                "data": Path(data["data"]),
                "folder": Path(data["folder"]),
                "init_model": None if init is None else Path(init),
                "dose_range": tuple(data["dose_range"]),
            }
        )


_SETTINGS = frozenset(field.name for field in fields(RunSpec))
"""The settings of a :class:`RunSpec` in ``run.json``: any other is a later version's."""


def validation_doses(low: float, high: float) -> tuple[float, ...]:
    """Return three doses spread over a range: its ends and their geometric mean.

    Parameters
    ----------
    low, high : float
        The range's ends, fractions of the full dose in (0, 1], in either order.

    Returns
    -------
    tuple of float
        Increasing, rounded to 3 significant digits; fewer where they coincide (one dose
        for a range of one).
    """
    low, high = sorted((low, high))
    doses = (low, math.sqrt(low * high), high)
    return tuple(sorted({float(f"{dose:.3g}") for dose in doses}))


def new_run_folder(root: Path) -> Path:
    """Create and return a fresh run folder ``root/<date>-<time>``, ``-2``... where taken.

    The name tells nothing of the data (a folder may be named after a patient): the run's
    ``run.json`` records its data folder, and runs are found by it, not by their names.

    Parameters
    ----------
    root : Path
        The folder of the runs (:func:`runs_root`), created if missing.

    Returns
    -------
    Path
        The new, empty folder, such as ``20261128-025327`` or ``20261128-025327-2``.

    Raises
    ------
    OSError
        Where it cannot be created.
    """
    stamp = _dt.datetime.now().strftime(RUN_TIME_FORMAT)
    root.mkdir(parents=True, exist_ok=True)
    suffix = 1
    while True:
        folder = root / (stamp if suffix == 1 else f"{stamp}-{suffix}")
        try:
            folder.mkdir()  # never one another window has just created
        except FileExistsError:
            suffix += 1
            continue
        return folder


def write_run(spec: RunSpec, state: str) -> None:
    """Store the spec and state (``running``, ``paused``, ``finished``...) in the run folder.

    The file is replaced whole or not at all (:func:`core.io.atomic.atomic_write`).

    Raises
    ------
    ImageWriteError
        ``"<folder>/run.json: <reason>"`` where it cannot be written (a full disk, no
        permission); the file is left as it was.
    """
    stored = {"format": RUN_FORMAT, "version": RUN_VERSION, "state": state}
    text = json.dumps({**stored, "spec": spec.to_json()}, indent=2)
    with atomic_write(spec.folder / RUN_FILE, overwrite=True) as out:
        out.write(text.encode("utf-8"))


def record_state(spec: RunSpec, state: str) -> str:
    """Store the state as :func:`write_run` does; say why it could not be, if it could not.

    The state is the run's record for later sessions: what happened goes on when it
    cannot be written, and the caller shows the reason.

    Parameters
    ----------
    spec : RunSpec
        The run.
    state : str
        Its new state.

    Returns
    -------
    str
        Empty where it was stored; else one line naming the file and the reason.
    """
    try:
        write_run(spec, state)
    except (XrayError, OSError) as error:
        return error_line(error)
    return ""


def state_not_recorded(why: str, state: str | None = None) -> str:
    """Say that a run's state could not be recorded (:func:`record_state`).

    Parameters
    ----------
    why : str
        The reason :func:`record_state` returned.
    state : str or None
        The state that was not recorded, named where given.

    Returns
    -------
    str
        One line, no capital, no full stop: ``"the run's state (paused) could not be
        recorded: <why>"``.
    """
    named = "" if state is None else f" ({state})"
    return f"the run's state{named} could not be recorded: {why}"


class RunFileError(ValueError):
    """A ``run.json`` that cannot be used: ``"<path>: <reason>"``, with both kept apart.

    Parameters
    ----------
    path : Path
        The file.
    reason : str
        Why, in one line.
    """

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


def read_run(folder: Path) -> tuple[RunSpec, str]:
    """Return the spec and state stored by :func:`write_run`.

    Parameters
    ----------
    folder : Path
        The run folder.

    Returns
    -------
    tuple of (RunSpec, str)

    Raises
    ------
    RunFileError
        ``"<folder>/run.json: <reason>"`` where it is not a run file, lacks a setting, is
        of a later version (:data:`core.training.checkpoint.NEWER`), or holds settings or
        a state this version does not know (:data:`NEWER_RUN`).
    OSError
        Where it cannot be read.
    """
    path = folder / RUN_FILE
    data = path.read_bytes()
    try:
        stored = json.loads(data)
        version = stored.get("version", 1)  # written without one: version 1
        run_format = stored.get("format", RUN_FORMAT)
    # Not JSON (or UTF-8), not an object, or brackets nested deeper than the parser goes.
    except (ValueError, AttributeError, RecursionError):
        raise RunFileError(path, "not a run file of xray-denoise") from None
    if run_format != RUN_FORMAT or type(version) is not int or version < 1:
        raise RunFileError(
            path, f"not a run file of xray-denoise (format {run_format!r}, version {version!r})"
        )
    if version > RUN_VERSION:
        raise RunFileError(path, NEWER.format(version=version, reads=RUN_VERSION))
    settings = stored.get("spec")
    unknown = sorted(set(settings) - _SETTINGS) if isinstance(settings, dict) else []
    if unknown:
        what = "settings it does not know: " + ", ".join(unknown)
        raise RunFileError(path, NEWER_RUN.format(what=what))
    try:
        spec, state = RunSpec.from_json(stored["spec"]), stored["state"]
    except KeyError as error:
        raise RunFileError(path, f"no {error} in it") from None
    except (TypeError, ValueError, AttributeError) as error:
        raise RunFileError(path, f"a setting is missing or of another type ({error})") from None
    if not isinstance(state, str):
        raise RunFileError(path, f"its state is not a string: {state!r}")
    if state not in STATES:
        raise RunFileError(path, NEWER_RUN.format(what=f"a state it does not know: {state!r}"))
    return spec, state


@dataclass(frozen=True)
class CheckpointFound:
    """What one read of a run's checkpoint found (:func:`find_checkpoint`).

    Only what the wizard decides on is kept: not the checkpoint's settings, nor its
    split (which names patients).

    Parameters
    ----------
    step : tuple of (int, float) or None
        The steps done and seconds spent at it; None without one, or where it cannot
        be read.
    unreadable : str
        Why it cannot be resumed from (damaged, cut short, unreadable): one line naming
        the checkpoint and the reason, without the command line's advice
        (:data:`CLI_ADVICE`); "" where it can be read or there is none.
    newer : str
        The refusal of one a later version wrote, less the checkpoint's path
        (:data:`core.training.checkpoint.NEWER`): such a run is neither resumed, nor
        started afresh, nor recorded :data:`STALE` (that version resumes it); else "".
    """

    step: tuple[int, float] | None
    unreadable: str = ""
    newer: str = ""


def find_checkpoint(spec: RunSpec) -> CheckpointFound:
    """Read the run's checkpoint afresh, its header only, and say what it found.

    Nothing is kept from one read to the next: a file replaced in place (by a copy that
    keeps its size and time, say) is judged by what it holds now.

    Parameters
    ----------
    spec : RunSpec
        The run.

    Returns
    -------
    CheckpointFound
        Its step, or why it cannot be read.
    """
    path = spec.config.checkpoint_path
    if not path.is_file():
        return CheckpointFound(None)
    try:
        stored = read_checkpoint(path)
    except OSError as error:
        return CheckpointFound(None, error_line(error).removesuffix(CLI_ADVICE))
    except ValueError as error:
        reason = str(error).removeprefix(f"{path}: ")
        newer = reason if isinstance(error, NewerFileError) else ""
        return CheckpointFound(None, error_line(error).removesuffix(CLI_ADVICE), newer)
    return CheckpointFound((stored.step, float(stored.extra.get("elapsed_s", 0.0))))


def all_steps_done(spec: RunSpec) -> bool:
    """Whether the run's model says its training ended: all steps, or its whole time budget.

    Parameters
    ----------
    spec : RunSpec
        The run.

    Returns
    -------
    bool
        False without a readable model card.
    """
    try:
        training = json.loads(card_path(spec.output).read_text("utf-8"))["training"]
        if training["steps_done"] >= spec.steps:
            return True
        budget = training["settings"].get("time_budget_s")
        return budget is not None and training["elapsed_s"] >= budget - 0.05
    except (OSError, ValueError, KeyError, TypeError):
        return False


def run_state(spec: RunSpec, state: str) -> str:
    """Return a stored state as it stands: ``running`` with no process left may be finished.

    A run whose app died goes on in its training process; when that ends, no one records
    its end. If no process trains it now and its model says all its steps are done, it
    finished.

    Parameters
    ----------
    spec : RunSpec
        The run.
    state : str
        Its state in ``run.json``.

    Returns
    -------
    str
        ``finished`` for such a run; else ``state``.
    """
    if state == "running" and not is_locked(spec.output) and all_steps_done(spec):
        return "finished"
    return state


@dataclass(frozen=True)
class UnreadableRun:
    """A run folder whose ``run.json`` cannot be read, and why.

    Parameters
    ----------
    folder : Path
        The run folder.
    reason : str
        Why, in one line (:func:`read_run`'s refusal, less the file's path, or its
        checkpoint's of a later version).
    """

    folder: Path
    reason: str

    @property
    def checkpoint(self) -> Path:
        """Where the run's checkpoint is, if it has one."""
        return TrainConfig(data=self.folder, output=self.folder / MODEL_FILE).checkpoint_path

    def message(self) -> str:
        r"""Say in one line which run folder could not be read, why, and where its checkpoint is.

        Names and paths not valid UTF-8 are shown with their bytes as ``\xNN``
        (:func:`core.io.safe_text.text_safe`).
        """
        reason = " ".join(text_safe(self.reason).split())
        if len(reason) > MAX_REASON:  # a later version's settings may be many
            reason = reason[: MAX_REASON - 3] + "..."
        line = f"Run folder {text_safe(self.folder.name)} could not be read ({reason})"
        if self.checkpoint.is_file():
            return f"{line}; its checkpoint is at {text_safe(str(self.checkpoint))}."
        return f"{line}; it has no checkpoint ({text_safe(str(self.folder))})."


@dataclass(frozen=True)
class RunProgress:
    """Where a run stood when the runs were looked through, to show (:meth:`RunsFound.progress`).

    Parameters
    ----------
    state : str
        Its state in ``run.json``.
    checkpoint : (int, float) or None
        The steps done and seconds spent at its checkpoint then; None without one that
        could be read.
    """

    state: str
    checkpoint: tuple[int, float] | None


@dataclass(frozen=True)
class RunsFound:
    """The runs under a folder, as one look through it found them (:func:`scan_runs`).

    What a process trains is asked when each list is, not when the runs were found.

    Parameters
    ----------
    readable : list of (RunSpec, str)
        The runs that can be read, with their state in ``run.json``, newest first.
    unreadable : list of UnreadableRun
        The run folders whose ``run.json`` cannot be read, or whose checkpoint a later
        version wrote (:attr:`CheckpointFound.newer`), newest first.
    steps : dict of Path to (int, float)
        The steps done and seconds spent at each readable run's checkpoint, by run
        folder, as that look read it (:attr:`CheckpointFound.step`; those without one that
        could be read are left out): to show, not to decide on.
    """

    readable: list[tuple[RunSpec, str]]
    unreadable: list[UnreadableRun]
    steps: dict[Path, tuple[int, float]] = field(default_factory=dict)

    def progress(self) -> dict[Path, RunProgress]:
        """Return each readable run's state and checkpoint's step, by run folder, to show."""
        return {
            spec.folder: RunProgress(state, self.steps.get(spec.folder))
            for spec, state in self.readable
        }

    def unfinished(self) -> list[RunSpec]:
        """List runs that stopped early (paused, cancelled, crashed) with a checkpoint.

        A run that a process trains now (locked by an app, or by its training process) is
        left out (:meth:`trained_elsewhere`), and so is one that ended with all its steps
        done (:func:`run_state`) or whose data changed (:data:`STALE`).
        """
        return [
            spec
            for spec, state in self.readable
            if state in UNFINISHED
            and spec.config.checkpoint_path.is_file()
            and not is_locked(spec.output)
            and run_state(spec, state) != "finished"
        ]

    def trained_elsewhere(self) -> list[RunSpec]:
        """List runs that a process trains now: another window's or app's, or an orphan's."""
        return [s for s, state in self.readable if state == "running" and is_locked(s.output)]

    def unsaved(self) -> list[RunSpec]:
        """List finished runs whose model was neither saved nor discarded."""
        return [spec for spec, state in self.readable if _finished_with_model(spec, state)]


def scan_runs(root: Path) -> RunsFound:
    """Find every run under ``root``, reading each ``run.json`` and checkpoint once.

    Parameters
    ----------
    root : Path
        The folder of the runs (:func:`runs_root`). One that is missing or cannot be
        read (behind a folder the user may not enter, on a locked-down profile) holds none.

    Returns
    -------
    RunsFound
        Newest first.
    """
    try:
        paths = sorted(root.glob(f"*/{RUN_FILE}"), reverse=True)
    except OSError:
        return RunsFound([], [])
    found, unreadable, steps = [], [], {}
    for path in paths:
        folder = path.parent
        try:
            spec, state = read_run(folder)
        except RunFileError as error:
            unreadable.append(UnreadableRun(folder, error.reason))
            continue
        except OSError as error:  # the system's reason; the message names the folder
            unreadable.append(UnreadableRun(folder, error.strerror or error_line(error)))
            continue
        checkpoint = find_checkpoint(spec)
        if checkpoint.newer:  # a later version's run: that version resumes it
            unreadable.append(UnreadableRun(folder, f"its checkpoint was {checkpoint.newer}"))
            continue
        found.append((spec, state))
        if checkpoint.step is not None:
            steps[spec.folder] = checkpoint.step
    return RunsFound(found, unreadable, steps)


def is_unsaved(spec: RunSpec) -> bool:
    """Whether ``spec`` finished with a model that was neither saved nor discarded."""
    try:
        _spec, state = read_run(spec.folder)
    except (OSError, ValueError):
        return False
    return _finished_with_model(spec, state)


def _finished_with_model(spec: RunSpec, state: str) -> bool:
    """Whether a run in ``state`` finished and its model is still there (not yet saved)."""
    return run_state(spec, state) == "finished" and spec.output.is_file()


def discard_run(spec: RunSpec) -> None:
    """Delete a run's folder (model, checkpoint, metrics, log); what cannot be deleted stays."""
    shutil.rmtree(spec.folder, ignore_errors=True)


def folder_size(folder: Path) -> int:
    """Return the bytes of the files in ``folder`` and below; those that cannot be read count 0."""
    total = 0
    try:
        for path in folder.rglob("*"):
            total += _file_size(path)
    except OSError:
        pass
    return total


def _file_size(path: Path) -> int:
    """Return the bytes of the file ``path`` (a link's own); 0 for a folder or where unreadable."""
    try:
        return path.lstat().st_size if path.is_file() else 0
    except OSError:
        return 0


def delete_run_folder(spec: RunSpec) -> int:
    """Delete a saved run's whole folder and return the bytes freed.

    It goes with all it holds: the checkpoint, the run's copy of the model, the metrics,
    the log (which names the training images) and ``run.json`` (which names the data
    folder). A run folder that is a symbolic link is unlinked, its target left whole (as
    links within it are).

    Parameters
    ----------
    spec : RunSpec
        The run.

    Returns
    -------
    int
        The bytes its files held.

    Raises
    ------
    OSError
        Naming the first file or folder that could not be deleted, by its whole path; all
        else is deleted.
    """
    if spec.folder.is_symlink():  # a link to a folder elsewhere: the link goes, not its files
        spec.folder.unlink()
        return 0
    size = 0  # counted as the files go, in the one walk: as folder_size() counts them
    refused: list[OSError] = []

    def unlisted(error: OSError) -> None:
        if not isinstance(error, FileNotFoundError):  # else gone already
            refused.append(error)

    for parent, folders, files in os.walk(spec.folder, topdown=False, onerror=unlisted):
        for name in files:
            size += _file_size(Path(parent, name))
            _remove(Path(parent, name), os.unlink, refused)
        for name in folders:  # a link to a folder is listed here, and only unlinked
            path = Path(parent, name)
            _remove(path, os.unlink if path.is_symlink() else os.rmdir, refused)
    _remove(spec.folder, os.rmdir, refused)
    if refused:
        raise refused[0]
    return size


def _remove(path: Path, remove: Callable[[Path], None], refused: list[OSError]) -> None:
    """Remove ``path`` with ``remove``; add why to ``refused`` where it stays."""
    try:
        remove(path)
    except FileNotFoundError:
        pass  # gone already
    except OSError as error:
        refused.append(error)
