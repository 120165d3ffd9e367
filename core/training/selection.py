"""Which images train, and the split: one rule for training and the wizard's scan.

An image (a file, or one frame of a multi-frame file) trains when it is readable and
holds a training patch even magnified most; whole patients of those are held out for
validation (:func:`core.training.data.split_by_patient`). Training
(:mod:`core.training.loop`) and the wizard's scan of a folder both call
:func:`select_images`, so that the scan's counts and held-out patients are training's.

A run stores its split in its checkpoint (:func:`split_to_json`) with the list of the
files it used, their sizes and the SHA-256 of their bytes, and a fingerprint of that
list. A resumed run keeps that split (:func:`restore_split`) and refuses to go on when the
files changed: a split made afresh could hold out patients the run has trained on. A
byte-identical copy of the folder (new modification times, another disk) resumes.
Checkpoints written before the contents were hashed stored modification times instead,
and are compared so. The model card gets the fingerprint and the SHA-256 of the files on
either side of the split (:func:`split_hashes`), never their paths or patients.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from core.resources import file_sha256
from core.training.config import TrainConfig
from core.training.data import ImageRecord, split_by_patient

log = logging.getLogger(__name__)

NAMED_CHANGES = 3
"""Files named of each kind of change (added, removed, changed) when a resume is refused."""


@dataclass(frozen=True)
class SelectionRule:
    """The settings that decide which images train and which patients are held out.

    Parameters
    ----------
    patch_size : int
        Side of the training patches.
    binning : int
        Training images are averaged over ``binning x binning`` blocks first.
    max_magnification : float
        The largest scale of the patch augmentation: an image this much smaller than a
        patch can still give one.
    val_fraction : float
        Fraction of patients held out.
    split_seed : int
        Seed of the patient shuffle.
    """

    patch_size: int
    binning: int
    max_magnification: float
    val_fraction: float
    split_seed: int

    @classmethod
    def of(cls, config: TrainConfig) -> SelectionRule:
        """Return the rule of a training configuration."""
        return cls(
            patch_size=config.patch_size,
            binning=config.binning,
            max_magnification=config.augmentation.scale_range[1],
            val_fraction=config.val_fraction,
            split_seed=config.split_seed,
        )

    def too_small(self, shape: tuple[int, int]) -> str | None:
        """Say why an image holds no training patch; None when it holds one.

        Parameters
        ----------
        shape : (int, int)
            Rows and columns of the image, its padding cropped away
            (:func:`core.training.data.without_padding`).

        Returns
        -------
        str or None
            ``"too small: 16 px across, under a 96 px patch even magnified 4x"``.
        """
        side = min(shape) // self.binning
        if side * self.max_magnification >= self.patch_size:
            return None
        binned = f" binned {self.binning} x {self.binning}" if self.binning > 1 else ""
        return (
            f"too small: {side} px across{binned}, under a {self.patch_size} px patch even "
            f"magnified {self.max_magnification:g}x"
        )


@dataclass(frozen=True)
class Selection:
    """The images a run trains and validates on, and those too small for a patch.

    Parameters
    ----------
    images : tuple of ImageRecord
        The images that hold a patch, in the order given, each with its patient.
    held_out : frozenset of str
        The patients held out for validation.
    too_small : tuple of (ImageRecord, str)
        Each image too small for a patch, and why.
    """

    images: tuple[ImageRecord, ...]
    held_out: frozenset[str]
    too_small: tuple[tuple[ImageRecord, str], ...] = ()

    @property
    def train(self) -> list[ImageRecord]:
        """The training images, in order."""
        return [r for r in self.images if r.patient_id not in self.held_out]

    @property
    def val(self) -> list[ImageRecord]:
        """The validation images, in order."""
        return [r for r in self.images if r.patient_id in self.held_out]

    @property
    def patients(self) -> set[str]:
        """Every patient with an image that trains or validates."""
        return {r.patient_id for r in self.images}

    def sources(self) -> Counter[str]:
        """Count the images by where their patient came from (:func:`split_source`)."""
        return Counter(split_source(r.patient_id) for r in self.images)

    def skipped(self) -> list[tuple[Path, str]]:
        """Each image too small for a patch as ``(file, reason)``; a frame's reason names it."""
        return [
            (r.path, why if r.n_frames == 1 else f"{r.frame_label}: {why}")
            for r, why in self.too_small
        ]


def select_images(
    shapes: Sequence[tuple[ImageRecord, tuple[int, int]]], rule: SelectionRule
) -> Selection:
    """Decide which readable images train, and hold out whole patients of those.

    Parameters
    ----------
    shapes : sequence of (ImageRecord, (int, int))
        Every readable image (each frame of a multi-frame file) with its patient, and
        its rows and columns once its padding is cropped away, in a stable order.
    rule : SelectionRule
        Patch size, binning and split.

    Returns
    -------
    Selection
        Only images that hold a patch are split, so an image too small for one never
        leaves validation empty or moves another patient across the split.
    """
    fitting, too_small = [], []
    for record, shape in shapes:
        reason = rule.too_small(shape)
        if reason is None:
            fitting.append(record)
        else:
            too_small.append((record, reason))
    _, val = split_by_patient(fitting, val_fraction=rule.val_fraction, seed=rule.split_seed)
    return Selection(tuple(fitting), frozenset(r.patient_id for r in val), tuple(too_small))


def split_source(patient_id: str) -> str:
    """Name where an image's patient came from, as :func:`assign_patients` found it.

    Parameters
    ----------
    patient_id : str
        An :class:`core.training.data.ImageRecord`'s patient.

    Returns
    -------
    str
        ``"patient in data.csv"``, ``"DICOM PatientID"``, ``"DICOM study"`` or
        ``"file (no patient known)"``.
    """
    kind = patient_id.split(":", 1)[0] if ":" in patient_id else ""
    return {
        "dicom-patient": "DICOM PatientID",
        "dicom-study": "DICOM study",
        "file": "file (no patient known)",
    }.get(kind, "patient in data.csv")


def split_to_json(selection: Selection, folder: Path) -> dict[str, Any]:
    """Return the split as a checkpoint stores it, with the files it was made of.

    Parameters
    ----------
    selection : Selection
        The run's images and held-out patients.
    folder : Path
        The data folder; paths are stored relative to it, with ``/``.

    Returns
    -------
    dict
        ``"train"`` and ``"val"``: ``[path, frame, patient_id]`` of each image;
        ``"files"``: ``{path: [size, sha256]}`` of the files used;
        ``"fingerprint"``: the SHA-256 of that file list.
    """
    files = _file_list(selection.images, folder)
    return {
        "fingerprint": _fingerprint(files),
        "files": files,
        "train": [_stored(r, folder) for r in selection.train],
        "val": [_stored(r, folder) for r in selection.val],
    }


def split_hashes(split: dict[str, Any]) -> dict[str, Any]:
    """Say which files trained a model and which were held out, for its card, naming none.

    Parameters
    ----------
    split : dict
        :func:`split_to_json` output (its files hashed by content).

    Returns
    -------
    dict
        ``"fingerprint"``, the split's; ``"train"`` and ``"held_out"``: the SHA-256 of
        each file whose images trained or were held out, sorted (one entry a file, its
        frames all on one side); and what these are, in words. A file can be checked
        against them, yet they hold no path and no patient.
    """
    digest = {path: entry[1] for path, entry in split["files"].items()}
    sides = {
        name: sorted(digest[path] for path in {path for path, _, _ in split[side]})
        for name, side in (("train", "train"), ("held_out", "val"))
    }
    return {
        "fingerprint": split["fingerprint"],
        "fingerprint_of": "the files used, as the run's checkpoint lists them: the SHA-256 of "
        "Python's json.dumps(files, sort_keys=True), files being {path in the data folder, "
        "with /: [size in bytes, SHA-256 of the bytes]}",
        **sides,
        "lists": "the SHA-256 of the bytes of each file whose images trained (train) or were "
        "held out for validation (held_out), sorted",
    }


class DataChangedError(ValueError):
    """A resumed run's images differ from those its checkpoint was trained on."""


def restore_split(selection: Selection, stored: dict[str, Any], folder: Path) -> Selection:
    """Return a resumed run's split as its checkpoint stored it.

    Parameters
    ----------
    selection : Selection
        The images that train now (:func:`select_images`); its split is not used.
    stored : dict
        :func:`split_to_json` output from the checkpoint.
    folder : Path
        The data folder.

    Returns
    -------
    Selection
        The same images, each with its stored patient, and the stored held-out patients.

    Raises
    ------
    DataChangedError
        If the files used differ from the stored ones (added, removed, or changed in
        size or content), naming a few of each.
    """
    by_time = any(isinstance(entry[1], int) for entry in stored["files"].values())
    files = _file_list(selection.images, folder, by_time=by_time)
    if _fingerprint(files) != stored["fingerprint"]:
        changes = _changes(stored["files"], files)
        raise DataChangedError(
            f"the usable images differ from those the split was made of: {changes}"
        )
    patients = {
        (path, frame): patient for side in ("train", "val") for path, frame, patient in stored[side]
    }
    images = tuple(
        replace(r, patient_id=patients[(_relative(r.path, folder), r.frame)])
        for r in selection.images
    )
    _warn_of_regrouping(selection.images, images, folder)
    held_out = frozenset(patient for _, _, patient in stored["val"])
    return Selection(images, held_out, selection.too_small)


def _warn_of_regrouping(
    now: Sequence[ImageRecord], stored: Sequence[ImageRecord], folder: Path
) -> None:
    """Warn in one line where the patients found now group the images otherwise than stored.

    Only the grouping counts: a patient renamed in ``data.csv`` changes nothing. An image is
    regrouped when its stored patient's images now belong to several patients, or its
    patient now has images of several stored patients.
    """
    now_of: dict[str, set[str]] = {}
    stored_of: dict[str, set[str]] = {}
    for fresh, kept in zip(now, stored, strict=True):
        now_of.setdefault(kept.patient_id, set()).add(fresh.patient_id)
        stored_of.setdefault(fresh.patient_id, set()).add(kept.patient_id)
    regrouped = [
        (fresh, kept)
        for fresh, kept in zip(now, stored, strict=True)
        if len(now_of[kept.patient_id]) > 1 or len(stored_of[fresh.patient_id]) > 1
    ]
    if regrouped:
        fresh, kept = regrouped[0]
        log.warning(
            "the patients data.csv and DICOM give now differ from the stored split's for %d "
            "images (such as %s: stored as patient %s, now %s); the stored split is kept: "
            "start afresh (--overwrite) to split by the patients as they are now",
            len(regrouped),
            _relative(kept.path, folder) + ("" if kept.n_frames == 1 else f" {kept.frame_label}"),
            kept.patient_id,
            fresh.patient_id,
        )


def one_patient_hint(selection: Selection, *, joined_by_pixels: Sequence[Path] = ()) -> str:
    """Say what every image shares where a selection is of one patient, and what splits it.

    Parameters
    ----------
    selection : Selection
        The images that train.
    joined_by_pixels : sequence of Path
        The files whose copies of one image joined their patients
        (:func:`core.training.data.join_copies`).

    Returns
    -------
    str
        Where copies of one image joined the patients into one, that; else ``"every image
        has DICOM PatientID 'ANONYMOUS' ..."`` where all are of one DICOM PatientID or
        study; empty otherwise (a data.csv said so, or there is one file). It names the
        patient or a file: for the local log and the app, never for the model card.
    """
    if len(selection.patients) != 1:
        return ""
    if joined_by_pixels:
        return (
            f"{len(joined_by_pixels)} files hold copies of one image (identical pixels, such as "
            f"{joined_by_pixels[0].name}) in other patients' files, which joined those patients "
            "into one: remove the copies that are not that patient's (a data.csv does not part "
            "copies of one image)"
        )
    (patient,) = selection.patients
    kind, _, value = patient.partition(":")
    fix = "a data.csv with patient_id and image_id columns tells them apart"
    if kind == "dicom-patient":
        return (
            f"every image has DICOM PatientID {value!r} (an anonymiser may give all one); if "
            f"they are of several patients, {fix}"
        )
    if kind == "dicom-study":
        return f"every image is of DICOM study {value} (and has no PatientID); {fix}"
    return ""


def _relative(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix()


def _stored(record: ImageRecord, folder: Path) -> list[Any]:
    return [_relative(record.path, folder), record.frame, record.patient_id]


def _file_list(
    records: Sequence[ImageRecord], folder: Path, *, by_time: bool = False
) -> dict[str, list[Any]]:
    """Return ``{relative path: [size, sha256]}`` of the records' files, sorted.

    ``[size, mtime_ns]`` with ``by_time``, as checkpoints written before the contents
    were hashed stored them.
    """
    files: dict[str, list[Any]] = {}
    for path in sorted({r.path for r in records}):
        stat = path.stat()
        identity = stat.st_mtime_ns if by_time else file_sha256(path)
        files[_relative(path, folder)] = [stat.st_size, identity]
    return files


def _fingerprint(files: dict[str, list[Any]]) -> str:
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode("utf-8")).hexdigest()


def _changes(before: dict[str, list[Any]], now: dict[str, list[Any]]) -> str:
    """Say which files were added, removed or changed: a few names of each, then a count."""
    kinds = (
        ("added", sorted(set(now) - set(before))),
        ("removed", sorted(set(before) - set(now))),
        ("changed", sorted(p for p in set(before) & set(now) if before[p] != now[p])),
    )
    parts = []
    for kind, paths in kinds:
        if paths:
            named = ", ".join(paths[:NAMED_CHANGES])
            more = f" and {len(paths) - NAMED_CHANGES} more" if len(paths) > NAMED_CHANGES else ""
            parts.append(f"{len(paths)} {kind} ({named}{more})")
    return "; ".join(parts)
