"""Follow a training run's metrics file (JSON lines) and summarise validation records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class MetricsReader:
    """Read the complete lines appended to a JSON-lines file since the last call.

    Parameters
    ----------
    path : Path
        The metrics file (it may not exist yet).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0

    def poll(self) -> list[dict[str, Any]]:
        """Return the records appended since the last poll (a partial last line waits)."""
        if not self.path.is_file():
            return []
        with self.path.open("rb") as f:
            f.seek(self._offset)
            chunk = f.read()
        end = chunk.rfind(b"\n") + 1
        self._offset += end
        records = []
        for line in chunk[:end].decode("utf-8").splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line torn by a killed process: skip it
        return records


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
