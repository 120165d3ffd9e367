"""Page 5: the new model's validation beside the starting model's; save it for the picker."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from core.diffusion import card_path
from core.errors import ImageWriteError, XrayError
from core.io.atomic import atomic_write
from xraygui.wizard.metrics import MetricsReader
from xraygui.wizard.runs import RunSpec

COLUMNS = ("Level", "Noisy PSNR", "Start PSNR", "Start SSIM", "New PSNR", "New SSIM")


def validations(spec: RunSpec) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Return the starting model's validation (step 0, fine-tuning only) and the final one.

    Parameters
    ----------
    spec : RunSpec
        A finished run.

    Returns
    -------
    start, new : dict or None
        ``ValidationResult.to_json()`` records from the run's metrics file.
    """
    records = MetricsReader(spec.config.metrics_path).poll()
    found = [r["validation"] for r in records if "validation" in r]
    start = next((v for v in found if v["step"] == 0), None)
    return start, (found[-1] if found and found[-1]["step"] > 0 else None)


def save_model_copy(spec: RunSpec, folder: Path, name: str) -> Path:
    """Copy the run's model and card to ``folder/name.safetensors``; record the noise settings.

    Both files are written atomically and never replace an existing model. The card
    keeps the training's record of its starting model (weights hash and that model's
    own card) and adds the file it was read from.

    Parameters
    ----------
    spec : RunSpec
        The finished run.
    folder : Path
        The user's model folder.
    name : str
        File stem of the saved model.

    Returns
    -------
    Path
        The saved weights file.

    Raises
    ------
    ImageWriteError
        If the folder cannot be created, a model of that name exists or a file cannot
        be written (nothing is left).
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = f"cannot create the model folder: {error.strerror or error}"
        raise ImageWriteError(folder, reason) from None
    target = folder / f"{name}.safetensors"
    card = json.loads(card_path(spec.output).read_text("utf-8"))
    training = card["training"]
    training["wizard_noise"] = {
        "dose_range": list(spec.dose_range),
        "electronic_noise": spec.electronic_noise,
        "note": "recorded only: training used Gaussian noise of all levels",
    }
    if spec.init_model is not None:
        training["started_from"] = {
            **training.get("started_from", {}),
            "file": str(spec.init_model),
        }
    for path in (target, card_path(target)):
        if path.exists():
            raise ImageWriteError(path, "a model of that name exists; choose another name")
    with atomic_write(target) as out, spec.output.open("rb") as weights:
        shutil.copyfileobj(weights, out)
    try:
        with atomic_write(card_path(target)) as out:
            out.write((json.dumps(card, indent=2) + "\n").encode("utf-8"))
    except ImageWriteError:
        target.unlink(missing_ok=True)  # weights without a card would not load
        raise
    return target


class ResultPage(QWizardPage):
    """Compare and save.

    Parameters
    ----------
    model_dir : Path
        Where models are saved (the model picker lists this folder).

    Signals
    -------
    saved(object)
        The saved model's Path.
    """

    saved = Signal(object)

    def __init__(self, model_dir: Path) -> None:
        super().__init__()
        self.setTitle("Result")
        self.setSubTitle("Validation on the held-out patients, then save the model.")
        self.model_dir = model_dir
        self.spec: RunSpec | None = None
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.name = QLineEdit()
        self.save_button = QPushButton("Save to my models")
        self.save_button.clicked.connect(self.save)
        self.message = QLabel()
        self.message.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Name:"))
        row.addWidget(self.name, 1)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)

    def show_run(self, spec: RunSpec) -> None:
        """Fill the table from a finished run's metrics."""
        self.spec = spec
        self.name.setText(f"{spec.data.name}-{spec.folder.name.split('-', 2)[0]}")
        start, new = validations(spec)
        rows = (new or start or {"scores": []})["scores"]
        self.table.setRowCount(len(rows))
        for i, _ in enumerate(rows):
            ref = rows[i]
            cells = [
                f"x{ref['scale']:g}, {ref['noisy_psnr_db']:g} dB",
                f"{ref['noisy_psnr']:.2f}",
                *self._pair(start, i),
                *self._pair(new, i),
            ]
            for j, text in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        origin = spec.init_model.stem if spec.init_model else "a fresh network (not scored)"
        if not rows:
            self._say(
                f"Started from {origin}. No validation: no patient was held out (the folder "
                "has one patient or study), so the new model is not scored."
            )
            return
        self._say(f"Started from {origin}. PSNR in dB on [-1, 1], one-step denoise.")

    def _say(self, text: str) -> None:
        # Lay out at once: until the posted layout request, a longer message would be
        # drawn clipped in the height of the last one.
        self.message.setText(text)
        self.layout().activate()

    @staticmethod
    def _pair(validation: dict[str, Any] | None, i: int) -> list[str]:
        if validation is None:
            return ["-", "-"]
        score = validation["scores"][i]
        return [f"{score['psnr']:.2f}", f"{score['ssim']:.4f}"]

    def save(self) -> Path | None:
        """Save the model under the model folder; emits :attr:`saved`."""
        name = self.name.text().strip().replace("/", "_")
        if self.spec is None or not name:
            self._say("Give the model a name.")
            return None
        try:
            path = save_model_copy(self.spec, self.model_dir, name)
        except (XrayError, OSError, ValueError) as error:
            self._say(f"Not saved: {error}")
            return None
        self._say(f"Saved {path}; it is now in the model picker.")
        self.saved.emit(path)
        return path
