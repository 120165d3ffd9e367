"""Follow a training run's metrics file (JSON lines) and summarise validation records."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


class MetricsReader:
    """Read the complete lines appended to a JSON-lines file since the last call.

    Each record's step must be past the last one taken of its kind (loss or
    validation); one that is not is dropped. A resumed run replaces the file with its
    records up to the checkpoint, then writes the steps after it again: the new file is
    read from its start, and only the steps not seen yet are taken.

    Parameters
    ----------
    path : Path
        The metrics file (it may not exist yet).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0
        self._file: tuple[int, int] | None = None  # (device, inode) of the file read
        self._last: dict[str, int] = {}  # the last step taken, by kind of record

    def poll(self) -> list[dict[str, Any]]:
        """Return the records appended since the last poll (a partial last line waits)."""
        if not self.path.is_file():
            return []
        with self.path.open("rb") as f:
            stat = os.fstat(f.fileno())
            if (stat.st_dev, stat.st_ino) != self._file or stat.st_size < self._offset:
                self._file, self._offset = (stat.st_dev, stat.st_ino), 0  # a new file
            f.seek(self._offset)
            chunk = f.read()
        end = chunk.rfind(b"\n") + 1
        self._offset += end
        records = []
        for line in chunk[:end].decode("utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line torn by a killed process: skip it
            if self._follows(record):
                records.append(record)
        return records

    def _follows(self, record: Any) -> bool:
        """Take `record` if its step is past the last of its kind; False to drop it."""
        if not isinstance(record, dict) or not isinstance(record.get("step"), int):
            return False
        kind = "validation" if "validation" in record else "loss"
        if record["step"] <= self._last.get(kind, -1):
            return False
        self._last[kind] = record["step"]
        return True


def mean_scores(validation: dict[str, Any]) -> tuple[float, float, float]:
    """Mean noisy PSNR, PSNR and SSIM over the levels of one validation record.

    Parameters
    ----------
    validation : dict
        ``ValidationResult.to_json()`` output.

    Returns
    -------
    noisy_psnr, psnr, ssim : float
    """
    scores = validation["scores"]
    n = len(scores)
    return (
        sum(s["noisy_psnr"] for s in scores) / n,
        sum(s["psnr"] for s in scores) / n,
        sum(s["ssim"] for s in scores) / n,
    )


def mean_dose_scores(validation: dict[str, Any]) -> tuple[float, float, float] | None:
    """Mean noisy PSNR, PSNR and SSIM over the doses of one validation record's ``at_doses``.

    Parameters
    ----------
    validation : dict
        ``ValidationResult.to_json()`` output.

    Returns
    -------
    tuple of float or None
        Over the doses scored (a score that is None is left out), and below 1: at a
        dose of 1 the input is the reference, its noisy PSNR undefined, so its scores
        would make the means over other doses than the noisy one's. None where the
        record has no validation at doses or no dose was scored.
    """
    scores = [
        s
        for s in validation.get("at_doses", {}).get("scores", [])
        if s.get("dose", 0) < 1 and s.get("noisy_psnr") is not None
    ]
    means = []
    for key in ("noisy_psnr", "psnr", "ssim"):
        values = [s[key] for s in scores if s.get(key) is not None]
        if not values:
            return None
        means.append(sum(values) / len(values))
    return means[0], means[1], means[2]


def dose_settings(validation: dict[str, Any]) -> dict[str, Any] | None:
    """Return the settings of one validation record's ``at_doses`` (None without them).

    Parameters
    ----------
    validation : dict
        ``ValidationResult.to_json()`` output.

    Returns
    -------
    dict or None
        Doses, quanta, electronic noise, seed, crop and views
        (:attr:`core.training.dose_validation.DoseValidationResult.settings`).
    """
    at_doses = validation.get("at_doses")
    return None if at_doses is None else at_doses.get("settings", {})


def settings_change(before: dict[str, Any], after: dict[str, Any]) -> str:
    """Say how two validations' settings at doses differ: ``"doses 0.5 -> 0.2, 0.5"``.

    Parameters
    ----------
    before, after : dict
        :func:`dose_settings` of two records.

    Returns
    -------
    str
        Each setting that differs, ``"; "`` between them; empty where none does.
    """
    return "; ".join(
        f"{key.replace('_', ' ')} {_setting(before.get(key))} -> {_setting(after.get(key))}"
        for key in before | after
        if before.get(key) != after.get(key)
    )


def _setting(value: Any) -> str:
    """Write a setting for a sentence: ``0.2, 0.5`` for doses, ``-`` for none."""
    if isinstance(value, dict):  # how the quanta were chosen: counts
        return ", ".join(f"{k.replace('_', ' ')} {_setting(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_setting(v) for v in value) or "none"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}"
    return "-" if value is None else str(value)
