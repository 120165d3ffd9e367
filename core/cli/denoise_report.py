"""What ``xray-denoise denoise`` says of each input, and of the batch at its end.

Every subcommand prints its lines on stdout with :func:`say`, which names stdout where it
refuses one (:class:`StdoutError`), and starts its JSON records with :func:`provenance`.
"""

from __future__ import annotations

import json
import math
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from core.code_version import software_version
from core.io.notice import DISCLAIMER
from core.io.safe_text import text_safe
from core.resources import sha256_or_none

if TYPE_CHECKING:  # torch comes with it, loaded only when the subcommand runs
    from core.denoise import DenoiseResult

PROG = "xray-denoise"
WRITTEN, SKIPPED, FAILED = "ok", "skipped", "error"
"""The status of an :class:`Outcome`, as its JSON record gives it."""
NAMES_SHOWN = 10
"""Inputs named at most in a summary line; the rest are counted."""
SCHEMA_VERSION = 3
"""Version of the JSON records of ``denoise --json`` and ``metrics --json``: 3 numbers
frames from 1, as DICOM does; 2 numbered them from 0; records without ``schema_version``
are version 1 (no disclaimer, provenance or hashes, frames from 0)."""
STANDARD_OUTPUT = "standard output"
"""How an error names stdout: ``xray-denoise: error: standard output: <the reason>``."""


class StdoutError(OSError):
    """Standard output refused a line (a full disk, a file-size limit): no input's fault.

    Its ``filename`` is :data:`STANDARD_OUTPUT`, so that :func:`core.errors.error_line`
    says ``standard output: <the system's reason>``.
    """


def say(text: str) -> None:
    """Print `text` and a newline on stdout, above any progress bar, and flush them.

    Flushed at once, a write that stdout refuses fails here, and not later, unnamed, when
    Python flushes stdout at exit. Nothing is printed where there is no stdout (a windowed
    app's).

    Parameters
    ----------
    text : str
        A line, or lines, without the last newline.

    Raises
    ------
    StdoutError
        If stdout refuses it. A ``BrokenPipeError`` (the reader has gone: ``| head``) is
        raised as it is.
    """
    if sys.stdout is None:
        return
    try:
        tqdm.write(text, file=sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        reason = error.strerror or str(error)
        raise StdoutError(error.errno, reason, STANDARD_OUTPUT) from error


def provenance() -> dict[str, Any]:
    """Return what every JSON record of the CLI starts with: what made it, when, and for what.

    Returns
    -------
    dict
        ``schema_version`` (:data:`SCHEMA_VERSION`), ``disclaimer`` ("Not for
        diagnostic use"), ``software`` (``name`` and ``version``) and ``created`` (UTC,
        ISO 8601 to the second).
    """
    return {
        "schema_version": SCHEMA_VERSION,
        "disclaimer": DISCLAIMER,
        "software": {"name": PROG, "version": software_version()},
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


@dataclass(frozen=True)
class Outcome:
    """What became of one frame of one input.

    Parameters
    ----------
    source : Path
        The input.
    frame : int
        Its frame's index, from 0 (0 for a single-frame input); said from 1.
    output : Path or None
        Where it went, or was to go; None where that was not known yet.
    status : str
        :data:`WRITTEN`, :data:`SKIPPED` (the output existed) or :data:`FAILED`.
    error : str, optional
        Why it failed: one line that names the input.
    bug : bool
        Whether the failure was an unexpected error rather than bad input.
    result : DenoiseResult, optional
        The denoising, for a written output.
    """

    source: Path
    frame: int
    output: Path | None
    status: str
    error: str | None = None
    bug: bool = False
    result: DenoiseResult | None = None

    def record(self, device: str, *, input_sha256: str | None = None) -> dict[str, Any]:
        """Return the JSON record: provenance, input, frame, output, status, error, noise, time.

        Parameters
        ----------
        device : str
            Where the batch ran (:func:`core.device.device_label`).
        input_sha256 : str, optional
            SHA-256 of the input file.

        Returns
        -------
        dict
            First :func:`provenance` (schema version, disclaimer, software, created),
            then ``input``, ``input_sha256``, ``frame`` (from 1, as DICOM numbers frames),
            ``output``, ``status`` and ``error``. ``noise_sigma`` (the input's, pixel
            units), ``t_star``, ``residual_sigma`` (the pixel-scale noise left in the
            output: the white-noise estimate run on it, not the remaining error, which is
            correlated; None where it cannot be measured), ``seconds`` and ``denoising``
            (:meth:`DenoiseResult.summary`: model, its SHA-256, sampler, steps, seed,
            strength, views..., and ``low_quanta``, the warning that much of the anatomy
            detected few quanta) are None unless the output was written.
        """
        result = self.result
        residual = None if result is None else result.noise_after
        return {
            **provenance(),
            "input": text_safe(str(self.source)),
            "input_sha256": input_sha256,
            "frame": self.frame + 1,
            "output": None if self.output is None else text_safe(str(self.output)),
            "status": self.status,
            "error": self.error,
            "noise_sigma": None if result is None else result.noise_before.sigma,
            "t_star": None if result is None else result.t_start,
            "residual_sigma": None if residual is None or math.isnan(residual) else residual,
            "seconds": None if result is None else result.seconds,
            "device": device,
            "denoising": None if result is None else result.summary(),
        }


class DenoiseReport:
    """Report each frame as it is done, and the batch once it ends or is stopped.

    A written output gets a line on stdout (``OUTPUT: description (1.2 s)``), or with
    `as_json` its JSON record (:meth:`Outcome.record`); so do the others with
    `as_json`. Failures and skips also get a line on stderr, and so does an output
    whose anatomy detected so few quanta that its denoised values read low
    (:attr:`DenoiseResult.low_quanta`).

    Parameters
    ----------
    inputs : list of Path
        The batch's inputs, in the order they are denoised.
    device : str
        Where it runs.
    as_json : bool
        Print one JSON record per frame on stdout instead of the text line.
    """

    def __init__(self, inputs: list[Path], *, device: str, as_json: bool) -> None:
        self.inputs = inputs
        self.device = device
        self.as_json = as_json
        self.outcomes: list[Outcome] = []
        self.inputs_done = 0
        """How many of `inputs`, from the first, are done (each of their frames)."""
        self._sha256: dict[Path, str | None] = {}
        self.stdout_error: StdoutError | None = None
        """The error of the first line stdout refused (:meth:`check_stdout`)."""

    def add(self, outcome: Outcome) -> None:
        """Count one frame's outcome and say it.

        A line that stdout refuses (:class:`StdoutError`) is kept for :meth:`check_stdout`,
        and nothing more is printed there: the outcome is counted as it was, its output
        written or not, and the batch goes on.
        """
        self.outcomes.append(outcome)
        if outcome.status == FAILED:
            tqdm.write(f"{PROG}: error: {outcome.error}", file=sys.stderr)
        elif outcome.status == SKIPPED:
            tqdm.write(
                f"{PROG}: {outcome.source}: skipped (exists): {outcome.output}", file=sys.stderr
            )
        if self.as_json:
            read = None if outcome.result is None else outcome.result.image.source_sha256
            record = outcome.record(
                self.device, input_sha256=read or self.input_sha256(outcome.source)
            )
            self._say(json.dumps(record))
        elif (result := outcome.result) is not None:
            self._say(f"{outcome.output}: {result.description()} ({result.seconds:.1f} s)")
        if outcome.result is not None and outcome.result.low_quanta is not None:
            warning = outcome.result.low_quanta.describe()
            tqdm.write(f"{PROG}: warning: {outcome.output}: {warning}", file=sys.stderr)

    def _say(self, line: str) -> None:
        """Print `line` on stdout (:func:`say`), unless stdout has refused a line before."""
        if self.stdout_error is not None:
            return
        try:
            say(line)
        except StdoutError as error:
            self.stdout_error = error

    def check_stdout(self) -> None:
        """Raise the error of the first line that stdout refused, if any (after the summary).

        Raises
        ------
        StdoutError
            ``standard output: <the system's reason>``.
        """
        if self.stdout_error is not None:
            raise self.stdout_error

    def input_sha256(self, path: Path) -> str | None:
        """Return the SHA-256 of input `path`, read once per input (None: unreadable)."""
        if path not in self._sha256:
            self._sha256[path] = sha256_or_none(path)
        return self._sha256[path]

    def input_done(self) -> None:
        """Count the input being denoised as done."""
        self.inputs_done += 1

    def summary(self) -> str:
        """Return the batch's counts, naming the failed: ``"... 1 failed (b.png)"``."""
        counts = {status: 0 for status in (WRITTEN, SKIPPED, FAILED)}
        for outcome in self.outcomes:
            counts[outcome.status] += 1
        frames = Counter(outcome.source for outcome in self.outcomes)
        failed = [
            f"{o.source} frame {o.frame + 1}" if frames[o.source] > 1 else str(o.source)
            for o in self.outcomes
            if o.status == FAILED
        ]
        return (
            f"{PROG}: denoise: {counts[WRITTEN]} written, {counts[SKIPPED]} skipped "
            f"(output exists), {counts[FAILED]} failed" + (f" ({_some(failed)})" if failed else "")
        )

    def stopped(self) -> str:
        """Return how many inputs a stopped batch did, and name those it did not."""
        left = [str(path) for path in self.inputs[self.inputs_done :]]
        return (
            f"{PROG}: denoise: stopped after {self.inputs_done} of {len(self.inputs)} inputs; "
            f"not done: {_some(left)}"
        )

    def exit_status(self) -> int:
        """Return 1 if a frame met a bug, else 2 if one failed on bad input, else 0."""
        failed = [outcome for outcome in self.outcomes if outcome.status == FAILED]
        return 1 if any(o.bug for o in failed) else 2 if failed else 0


def _some(names: list[str]) -> str:
    """Join the first :data:`NAMES_SHOWN` names and count the rest."""
    shown = ", ".join(names[:NAMES_SHOWN])
    rest = len(names) - NAMES_SHOWN
    return shown + (f" and {rest} more" if rest > 0 else "")
