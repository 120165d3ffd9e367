"""Page 5: the new model's validation beside the starting model's; save it for the picker."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, Qt, Signal
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
from core.errors import ImageWriteError, XrayError, os_error_line
from core.io.atomic import atomic_write
from core.noise.dose import dose_percent
from core.training.loop import validation_change
from xraygui.exact_spinbox import whole_number_text
from xraygui.wizard.common import confirmed, scrolling_body, terms_sentence
from xraygui.wizard.metrics import MetricsReader, settings_change
from xraygui.wizard.runs import (
    RUN_FILE,
    RUN_TIME,
    SAVED,
    RunSpec,
    delete_run_folder,
    folder_size,
    record_state,
    state_not_recorded,
)

COLUMNS = ("Level", "Noisy PSNR", "Start PSNR", "Start SSIM", "New PSNR", "New SSIM")
LEVEL_TIP = (
    "Scale x1, x2: the held-out crops at their size and magnified 2 times; 43, 36, 30 dB: "
    "the PSNR of the noisy input that set the Gaussian noise level"
)
"""What a Level cell (``"x1, 43 dB"``) means."""
DOSE_COLUMNS = ("Dose", "n", "Noisy PSNR", "Start PSNR", "Start SSIM", "New PSNR", "New SSIM")
FEW_PATIENTS = 3
"""Below this many held-out patients, scores say little about how a model generalises."""
MB = 1e6
MODEL_SUFFIX = ".safetensors"
"""The extension a saved model gets (:func:`save_model_copy`)."""
NOT_IN_NAMES = '\\/:*?"<>|'
"""Characters a file name cannot hold on Windows (a separator, a drive, a stream, a wildcard)."""
PORT_NUMBERS = [*"0123456789", "\u00b9", "\u00b2", "\u00b3"]
DEVICE_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{port}{n}" for port in ("COM", "LPT") for n in PORT_NUMBERS]
)
"""Names Windows keeps for devices, with any extension (``CON.v2`` too), in any case."""
SSIM_CHANGED = (
    " The starting model's SSIM was computed another way (by an earlier version, with a "
    "7 x 7 window): it compares with nothing and is not shown."
)
"""Said where the start's SSIM and the new one's were not computed the same way."""


def fit_rows(table: QTableWidget) -> None:
    """Make ``table`` as tall as its header and rows: no scroll bar, no blank space below.

    Parameters
    ----------
    table : QTableWidget
        A filled table, its rows sized.
    """
    table.resizeRowsToContents()
    rows = sum(table.rowHeight(i) for i in range(table.rowCount()))
    header = table.horizontalHeader().sizeHint().height()
    table.setFixedHeight(header + rows + 2 * table.frameWidth())


def scored_on(spec: RunSpec, validation: dict[str, Any]) -> str:
    """Say how many held-out images, crops and patients a validation scored.

    Parameters
    ----------
    spec : RunSpec
        The run; its model card counts the held-out patients.
    validation : dict
        ``ValidationResult.to_json()`` output.

    Returns
    -------
    str
        One sentence (HTML), with a warning when fewer than :data:`FEW_PATIENTS` patients
        were held out.
    """
    try:
        data = json.loads(card_path(spec.output).read_text("utf-8")).get("data", {})
    except (OSError, ValueError):
        data = {}
    patients = data.get("n_val_patients")
    sides = validation.get("crop_sides", {})
    crops = ", ".join(f"{n} of {side} px" for side, n in sides.items())
    n_images = validation.get("n_images", sum(sides.values()))
    text = f"Scored on {n_images} held-out image{'s' if n_images != 1 else ''}"
    text += f" (one centred crop each: {crops})" if crops else ""
    if patients is None:
        return text + "."
    text += f" of {patients} patient{'s' if patients != 1 else ''}."
    if patients < FEW_PATIENTS:
        text += (
            f" <b>Fewer than {FEW_PATIENTS} patients were held out:</b> these scores say "
            "little about other patients; train on a folder of more patients to judge the model."
        )
    return text


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


def same_ssim(start: dict[str, Any] | None, new: dict[str, Any] | None) -> bool:
    """Say whether two validations' SSIMs were computed the same way, and so compare.

    Parameters
    ----------
    start, new : dict or None
        The validations of :func:`validations`.

    Returns
    -------
    bool
        False where both were scored and their ``ssim`` methods differ
        (:data:`core.training.validation.SSIM_METHOD`; a record without one was scored
        with scikit-image's 7 x 7 window, before it).
    """
    return start is None or new is None or start.get("ssim") == new.get("ssim")


def worse_than_start(start: dict[str, Any] | None, new: dict[str, Any] | None) -> str:
    """Say where the new model scores below its starting model (HTML); empty where it does not.

    Parameters
    ----------
    start, new : dict or None
        The validations of :func:`validations`.

    Returns
    -------
    str
        A sentence, starting with a space, naming the levels and doses (those of the
        validation at doses, where both were scored with the same settings) and the dB
        lost.
    """
    change = validation_change(start or {}, new or {})
    worse = change.get("worse_at", [])
    doses = change.get("at_doses", {}).get("worse_at", [])
    where = [
        f"{len(found)} {what}{'s' if len(found) != 1 else ''} ({'; '.join(found)})"
        for found, what in ((worse, "level"), (doses, "dose"))
        if found
    ]
    if not where:
        return ""
    return (
        f" <b>The new model scores below the starting model at {' and '.join(where)}</b>: "
        "keep the starting model, or train again with a lower learning rate or fewer steps."
    )


def _quanta(settings: dict[str, Any]) -> str:
    """Say how a validation at doses chose its quanta per unattenuated pixel."""
    photons = settings.get("photons_per_pixel", 0)
    if not isinstance(photons, str):
        return f"{_whole(photons)} quanta per unattenuated pixel"
    chosen = settings.get("quanta", {})
    text = "quanta measured from each image's noise"
    if chosen.get("fallback"):
        text += (
            f", {_whole(chosen.get('fallback_photons_per_pixel', 0))} per unattenuated pixel for "
            f"the {chosen['fallback']} image{'s' if chosen['fallback'] != 1 else ''} whose "
            "noise did not tell them"
        )
    return text


def _whole(number: float) -> str:
    """Write ``number`` rounded to a whole one, thousands grouped in the default locale."""
    return whole_number_text(number, QLocale())


def _number(value: float | None, spec: str) -> str:
    """Format a score; ``"-"`` for None (not finite, or none scored)."""
    return "-" if value is None else format(value, spec)


def default_model_name(spec: RunSpec, model_dir: Path) -> str:
    """Return the name the Result page offers for a run's model: ``model-<date>-<time>``.

    The date and time are those the run folder's name starts with (``model`` alone where
    it starts with none); nothing of the data folder's name, which may be a patient's, and
    which the model's name would carry into every output made with it. ``-2``, ``-3``...
    follow where a model of that name is in ``model_dir``.

    Parameters
    ----------
    spec : RunSpec
        The run.
    model_dir : Path
        The user's model folder.

    Returns
    -------
    str
        Such as ``model-20261128-025327``.
    """
    stamp = RUN_TIME.match(spec.folder.name)
    base = f"model-{stamp.group()}" if stamp else "model"
    name, suffix = base, 1
    target = model_dir / f"{name}{MODEL_SUFFIX}"
    while target.exists() or card_path(target).exists():  # either alone takes the name
        suffix += 1
        name = f"{base}-{suffix}"
        target = model_dir / f"{name}{MODEL_SUFFIX}"
    return name


def run_folder_contents(spec: RunSpec) -> str:
    """Say what a run's folder holds once its model is saved, and what of the data it names.

    Parameters
    ----------
    spec : RunSpec
        The run.

    Returns
    -------
    str
        One sentence.
    """
    return (
        f"The run folder {spec.folder} holds the run's checkpoint, its copy of the model, "
        f"the metrics, the training log ({spec.output.with_suffix('.log').name}, which may name "
        f"the images trained on and their patients) and {RUN_FILE} (which names the data "
        "folder)."
    )


def model_file_stem(typed: str) -> str:
    r"""Return the file stem a typed model name is saved under, by Windows' rules on every OS.

    Separators and the characters Windows refuses (``\ / : * ? " < > |``, control
    characters) become ``_``, so that the model stays in the model folder (no ``..\``, no
    ``D:``, no NTFS stream); leading and trailing spaces and dots go (a name starting
    with a dot would be a hidden file, which training and Open Folder pass over); so
    does a typed ``.safetensors`` ending, in any case, which the file gets once.

    Parameters
    ----------
    typed : str
        The name as typed.

    Returns
    -------
    str
        The stem: ``chest_v2`` for ``chest\v2``, ``chest`` for ``.chest`` or
        ``chest.safetensors``.

    Raises
    ------
    ValueError
        In one line, where nothing is left of the name or it is a Windows device name
        (``CON``, ``PRN``, ``AUX``, ``NUL``, ``COM0``-``COM9``, ``LPT0``-``LPT9``).
    """
    cleaned = "".join(
        "_" if char in NOT_IN_NAMES or ord(char) < 32 or char == "\x7f" else char for char in typed
    )
    stem = cleaned.strip().rstrip(". ")
    while stem[-len(MODEL_SUFFIX) :].lower() == MODEL_SUFFIX:  # the file gets it once
        stem = stem[: -len(MODEL_SUFFIX)].rstrip(". ")
    stem = stem.lstrip(". ")
    if not stem:
        raise ValueError(f"{typed.strip()!r} is no file name; give the model a name")
    device = stem.split(".", 1)[0].rstrip(" ").upper()
    if device in DEVICE_NAMES:
        raise ValueError(f"{stem!r} is a device name on Windows; choose another name")
    return stem


def save_model_copy(spec: RunSpec, folder: Path, name: str) -> Path:
    """Copy the run's model and card to ``folder/name.safetensors``; record the noise settings.

    Both files are written atomically and never replace an existing model. The card
    keeps the training's record of its starting model (its name, the file's stem, its
    weights hash and its own card), never the path it was read from.

    Parameters
    ----------
    spec : RunSpec
        The finished run.
    folder : Path
        The user's model folder.
    name : str
        File stem of the saved model, as :func:`model_file_stem` returns it.

    Returns
    -------
    Path
        The saved weights file.

    Raises
    ------
    ImageWriteError
        If the folder cannot be created, a model of that name exists (or one of its two
        files, as an interrupted save leaves it: the message names it and says so) or a
        file cannot be written (nothing is left).
    ValueError
        If `name` is not a stem :func:`model_file_stem` would return, or the file would not
        be in `folder` (nothing is written).
    """
    target = folder / f"{name}{MODEL_SUFFIX}"
    if model_file_stem(name) != name or target.parent != folder:
        raise ValueError(f"{name!r} is not a file name in the model folder {folder}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = f"cannot create the model folder: {error.strerror or error}"
        raise ImageWriteError(folder, reason) from None
    card = json.loads(card_path(spec.output).read_text("utf-8"))
    training = card["training"]
    training["wizard_noise"] = {
        "dose_range": list(spec.dose_range),
        "electronic_noise": spec.electronic_noise,
        "note": "training used Gaussian noise of all levels; no validation at doses was "
        "run (none is without held-out patients), so the card's validation has no at_doses",
    }
    if "at_doses" in (card.get("validation") or {}):
        training["wizard_noise"] |= {
            "validation_doses": list(spec.val_doses),
            "note": "training used Gaussian noise of all levels; the model was validated at "
            "validation_doses through the blind denoise (the card's validation.at_doses)",
        }
    if spec.init_model is not None:  # a run trained before the card named it
        training.setdefault("started_from", {}).setdefault("name", spec.init_model.stem)
    _refuse_existing(target)
    with atomic_write(target) as out, spec.output.open("rb") as weights:
        shutil.copyfileobj(weights, out)
    try:
        with atomic_write(card_path(target)) as out:
            text = json.dumps(card, indent=2, ensure_ascii=False) + "\n"  # as save_model
            out.write(text.encode("utf-8", "backslashreplace"))
    except ImageWriteError:
        target.unlink(missing_ok=True)  # weights without a card would not load
        raise
    return target


def _refuse_existing(target: Path) -> None:
    """Refuse a model name that is taken, by a model or by one of its two files alone.

    Raises
    ------
    ImageWriteError
        ``"<folder>/<name>.safetensors: a model of that name exists; ..."``, or where only
        the weights or only the card is there (which the model picker does not list), the
        one there: ``"... an interrupted save left it without its card (<name>.json) ..."``.
    """
    card = card_path(target)
    if target.exists() and card.exists():
        raise ImageWriteError(target, "a model of that name exists; choose another name")
    for present, missing, what in ((target, card, "card"), (card, target, "weights")):
        if present.exists():  # and the other is not there
            raise ImageWriteError(
                present,
                f"an interrupted save left it without its {what} ({missing.name}); remove it "
                "or choose another name",
            )


def card_terms(spec: RunSpec) -> dict[str, Any] | None:
    """Return the run's model card's ``data`` fields (its licence and attribution among them).

    None where the card cannot be read (saving it says why).
    """
    try:
        card = json.loads(card_path(spec.output).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    data = card.get("data") if isinstance(card, dict) else None
    return data if isinstance(data, dict) else None


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
        self.saved_run: RunSpec | None = None
        """The run last saved here: saved even where its state could not be recorded."""
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Validation at noise levels")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.dose_table = QTableWidget(0, len(DOSE_COLUMNS))
        self.dose_table.setAccessibleName("Validation at doses")
        self.dose_table.setHorizontalHeaderLabels(list(DOSE_COLUMNS))
        self.dose_table.verticalHeader().hide()
        self.dose_table.setTabKeyNavigation(False)
        self.dose_table.hide()
        self.name = QLineEdit()
        self.save_button = QPushButton("&Save to my models")
        self.save_button.clicked.connect(self.save)
        self.delete_button = QPushButton()
        self.delete_button.clicked.connect(self.delete_run)
        self.delete_button.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.terms = QLabel()  # the licence and attribution the card records, or none
        self.terms.setWordWrap(True)
        self.terms.setTextFormat(Qt.TextFormat.RichText)
        name_label = QLabel("&Name:")
        name_label.setBuddy(self.name)  # names the field for a screen reader
        self.name.setAccessibleName("Model name")
        row = QHBoxLayout()
        row.addWidget(name_label)
        row.addWidget(self.name, 1)
        row.addWidget(self.save_button)
        self.table.horizontalHeaderItem(0).setToolTip(LEVEL_TIP)
        self.body = scrolling_body(self)
        layout = QVBoxLayout(self.body)
        layout.addWidget(self.table)
        layout.addWidget(self.dose_table)
        layout.addStretch(1)  # below the tables, each as tall as its rows
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.terms)
        layout.addWidget(self.delete_button)

    def show_run(self, spec: RunSpec) -> None:
        """Fill the table from a finished run's metrics.

        The run shown already and saved here is left as it is shown (Back, then Next): its
        name, what its save said, and Delete stay, so that it is not offered for saving
        again under a new name as if it had not been.
        """
        if spec == self.spec and spec == self.saved_run:
            return
        self.spec = spec
        self.delete_button.hide()
        self.save_button.setEnabled(True)
        self.dose_table.hide()
        self.name.setText(default_model_name(spec, self.model_dir))
        terms = card_terms(spec)
        self.terms.setText("" if terms is None else terms_sentence(terms, recorded=True))
        start, new = validations(spec)
        comparable = same_ssim(start, new)
        rows = (new or start or {"scores": []})["scores"]
        self.table.setRowCount(len(rows))
        for i, _ in enumerate(rows):
            ref = rows[i]
            cells = [
                f"x{ref['scale']:g}, {ref['noisy_psnr_db']:g} dB",
                f"{ref['noisy_psnr']:.2f}",
                *self._pair(start, i, ssim=comparable),
                *self._pair(new, i),
            ]
            for j, text in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(text))
            self.table.item(i, 0).setToolTip(LEVEL_TIP)
        self.table.resizeColumnsToContents()
        fit_rows(self.table)
        origin = spec.init_model.stem if spec.init_model else "a fresh network (not scored)"
        if not rows:
            self._say(
                f"Started from {origin}. No validation: no patient was held out (the folder "
                "has one patient or study), so the new model is not scored."
            )
            return
        scored = scored_on(spec, new or start or {})
        worse = worse_than_start(start, new)
        doses = self._show_doses(start, new)
        changed = "" if comparable else SSIM_CHANGED
        self._say(
            f"Started from {origin}. PSNR in dB on [-1, 1], one-step denoise. {scored}{worse}"
            f"{changed}{doses}"
        )

    def _show_doses(self, start: dict[str, Any] | None, new: dict[str, Any] | None) -> str:
        """Fill the table of the validation at doses; return a sentence on it (or nothing).

        Start and new scores are paired by dose: a dose the starting model was not scored
        at has no start score. Where the two were scored with other quanta, electronic
        noise or crop, the start's scores compare with nothing and are not shown.
        """
        first, last = ((v or {}).get("at_doses") for v in (start, new))
        rows = (last or first or {}).get("scores", [])
        self.dose_table.setRowCount(len(rows))
        self.dose_table.setVisible(bool(rows))
        if not rows:
            return ""
        settings = (last or first or {}).get("settings", {})
        other = ""
        if first is not None and last is not None:
            before, after = (
                {k: v for k, v in d.get("settings", {}).items() if k != "doses"}
                for d in (first, last)
            )
            if before != after:
                other = (
                    " The starting model was scored at other settings "
                    f"({settings_change(before, after)}): its scores at doses are not shown."
                )
                first = None
        for i, ref in enumerate(rows):
            cells = [
                f"{dose_percent(ref['dose'], exact=False)} %",
                str(ref.get("n_images", "-")),
                _number(ref["noisy_psnr"], ".2f"),
                *self._dose_pair(first, ref["dose"]),
                *self._dose_pair(last, ref["dose"]),
            ]
            for j, text in enumerate(cells):
                self.dose_table.setItem(i, j, QTableWidgetItem(text))
        self.dose_table.resizeColumnsToContents()
        fit_rows(self.dose_table)
        return (
            " Below, the doses of the Noise page: each held-out crop simulated at that dose "
            f"({_quanta(settings)}, electronic noise "
            f"{settings.get('electronic_noise', 0):g}) and denoised as the app denoises "
            "(blind, 1 view); PSNR in dB on [0, 1] of the image's range of values, against "
            f"the full-dose crop, whose own noise counts as error.{other}"
        )

    @staticmethod
    def _dose_pair(validation: dict[str, Any] | None, dose: float) -> list[str]:
        """PSNR and SSIM of `validation` at `dose`; dashes where it was not scored there."""
        for score in (validation or {}).get("scores", []):
            if math.isclose(score["dose"], dose):
                return [_number(score["psnr"], ".2f"), _number(score["ssim"], ".4f")]
        return ["-", "-"]

    def _say(self, text: str) -> None:
        # Lay out at once: until the posted layout request, a longer message would be
        # drawn clipped in the height of the last one.
        self.message.setText(text)
        self.body.layout().activate()

    @staticmethod
    def _pair(validation: dict[str, Any] | None, i: int, *, ssim: bool = True) -> list[str]:
        """PSNR and SSIM of `validation` at level `i`; the SSIM a dash where not `ssim`."""
        if validation is None:
            return ["-", "-"]
        score = validation["scores"][i]
        return [f"{score['psnr']:.2f}", f"{score['ssim']:.4f}" if ssim else "-"]

    def save(self) -> Path | None:
        """Save the model under the model folder; emits :attr:`saved`."""
        typed = self.name.text()
        if self.spec is None or not typed.strip():
            self._say("Give the model a name.")
            return None
        try:
            path = save_model_copy(self.spec, self.model_dir, model_file_stem(typed))
        except (XrayError, OSError, ValueError) as error:
            self._say(f"Not saved: {error}")
            return None
        self.saved_run = self.spec
        why = record_state(self.spec, SAVED)  # the model is saved, recorded or not
        unrecorded = f" ({state_not_recorded(why)})" if why else ""
        self._say(f"Saved {path}; it is now in the model picker{unrecorded}.")
        size = folder_size(self.spec.folder) / MB
        self.delete_button.setText(f"Delete the run folder ({size:.0f} MB)")
        self.delete_button.setToolTip(
            f"The model is saved to your models. {run_folder_contents(self.spec)}"
        )
        self.delete_button.show()
        self.saved.emit(path)
        return path

    def delete_run(self) -> None:
        """Delete the saved run's whole folder, once asked: the model saved stays."""
        if self.spec is None or self.spec != self.saved_run:
            return
        if not self._confirm_delete(self.spec):
            return
        try:
            freed = delete_run_folder(self.spec)
        except OSError as error:
            self._say(f"The run folder was not wholly deleted: {os_error_line(error)}")
            return
        self.delete_button.hide()
        self.save_button.setEnabled(False)  # its model is gone from the run
        self._say(f"{self.message.text()} Run folder deleted ({freed / MB:.0f} MB freed).")

    def _confirm_delete(self, spec: RunSpec) -> bool:
        """Ask before the run folder is deleted; True to delete it."""
        return confirmed(
            self,
            f"{run_folder_contents(spec)} Delete it? The model saved to your models stays.",
            "Delete",
        )
