"""``data.csv``: the table that names each training image's patient.

Tables come from spreadsheets, so a UTF-8 byte-order mark, spaces around values,
``;`` or tab separators and image ids with or without the file's extension are all
accepted. A table that cannot be used is reported in one warning that names it and
says why; the split then falls back to DICOM identifiers, else to files. Gaps and
conflicts are warned of with counts and an example: images the table does not list
fall back likewise, each on its own; and patients that share an image (an image_id
listed under two patients) are taken as one, so that the split keeps them together
whichever the image belongs to.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)

PATIENT_TABLE = "data.csv"
"""The table's file name, in the data folder."""

COLUMNS = ("patient_id", "image_id")
"""The columns the table must have (others are ignored)."""

SEPARATORS = (",", ";", "\t")
"""Field separators tried, in this order, on the header line."""

FALLBACK = "splitting by DICOM patient, else by file"
"""What the split does without the table (said in each warning)."""


def read_patient_table(folder: Path, paths: Sequence[Path]) -> dict[Path, str]:
    """Return the patient that ``folder/data.csv`` gives each image, if it gives any.

    Parameters
    ----------
    folder : Path
        The data folder.
    paths : sequence of Path
        Its images. A row's ``image_id`` names an image by file name with or without
        its extension, or by its path relative to ``folder`` (likewise), with either
        slash between folders, in any case.

    Returns
    -------
    dict
        Image path to patient id, for the images the table lists; empty when there is
        no table or it cannot be used (a warning then names it and says why). Patients
        that share an image are one: each is given the first of them in sorted order.
    """
    table = folder / PATIENT_TABLE
    if not table.is_file():
        return {}
    try:
        rows = _rows(table.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError, csv.Error) as e:
        if isinstance(e, UnicodeDecodeError):
            reason = f"not UTF-8 text ({e.reason} at byte {e.start})"
        else:
            reason = str(e)
        log.warning("ignoring %s: %s; %s", table, reason, FALLBACK)
        return {}
    listed: dict[str, set[str]] = {}
    for patient, image_id in rows:
        if patient and image_id:
            listed.setdefault(_key(image_id), set()).add(patient)
    found: dict[Path, set[str]] = {}
    matched: dict[str, list[Path]] = {}
    for path in paths:
        relative = path.relative_to(folder)
        for key in (relative.as_posix(), relative.with_suffix("").as_posix(), path.name, path.stem):
            if _key(key) in listed:
                found[path] = listed[_key(key)]
                matched.setdefault(_key(key), []).append(path)
                break
    used = set(matched)
    _warn_of_gaps(table, folder, listed, used, paths, [p for p in paths if p not in found])
    _warn_of_shared_keys(table, folder, matched)
    one = _one_patient(table, {key: listed[key] for key in sorted(used) if len(listed[key]) > 1})
    return {path: one.get(min(patients), min(patients)) for path, patients in found.items()}


def _warn_of_gaps(
    table: Path,
    folder: Path,
    listed: dict[str, set[str]],
    used: set[str],
    paths: Sequence[Path],
    unlisted: list[Path],
) -> None:
    """Warn of image_id values that name no image, and of images the table does not list."""
    unused = sorted(set(listed) - used)
    if used and unused:
        log.warning(
            "%s: %d of its %d image_id values name no image here (such as %s)",
            table,
            len(unused),
            len(listed),
            unused[0],
        )
    if not used:
        log.warning(
            "ignoring %s: none of its %d image_id values names an image here; %s",
            table,
            len(listed),
            FALLBACK,
        )
    elif unlisted:
        log.warning(
            "%s: %d of the %d images here are not in it (such as %s); splitting those by "
            "DICOM patient, else each as a patient of its own",
            table,
            len(unlisted),
            len(paths),
            unlisted[0].relative_to(folder).as_posix(),
        )


def _warn_of_shared_keys(table: Path, folder: Path, matched: dict[str, list[Path]]) -> None:
    """Warn of image_id values that name several files (in different subfolders, say).

    Each such file is given the row's patient, which may not be what the table meant.
    """
    shared = {key: found for key, found in matched.items() if len(found) > 1}
    if not shared:
        return
    key, files = next(iter(sorted(shared.items())))
    example = files[0].relative_to(folder).with_suffix("").as_posix()
    log.warning(
        "%s: %d of its image_id values name several files, each given that row's patient "
        "(such as %s, which names %d files: %s); if they are not one patient's, name each "
        "image by its path relative to the folder (such as %s)",
        table,
        len(shared),
        key,
        len(files),
        " and ".join(path.relative_to(folder).as_posix() for path in files[:3])
        + (" ..." if len(files) > 3 else ""),
        example,
    )


def _one_patient(table: Path, shared: dict[str, set[str]]) -> dict[str, str]:
    """Map each patient that shares an image with another to one name for all of them.

    Parameters
    ----------
    table : Path
        The table, named in the warning.
    shared : dict
        Each image_id listed under two or more patients, and those patients.

    Returns
    -------
    dict
        Patient to the first, in sorted order, of the patients linked to it through
        shared images (through a chain of them, too).
    """
    groups: list[set[str]] = []
    for patients in shared.values():
        linked = [group for group in groups if group & patients]
        groups = [group for group in groups if not group & patients]
        groups.append(patients.union(*linked))
    if shared:
        image_id, patients = next(iter(shared.items()))
        log.warning(
            "%s: %d of its image_id values are listed under two or more patients (such as %s, "
            "under %s); the patients that share an image are taken as one, so that the split "
            "keeps them on one side",
            table,
            len(shared),
            image_id,
            " and ".join(sorted(patients)),
        )
    return {patient: min(group) for group in groups for patient in group}


def _key(image_id: str) -> str:
    """Return an image_id as it is matched: Windows' backslashes as ``/``, without case."""
    return image_id.replace("\\", "/").casefold()


def _rows(text: str) -> list[tuple[str, str]]:
    """Parse the table's text into stripped ``(patient_id, image_id)`` pairs."""
    header = text.splitlines()[0] if text.strip() else ""
    for separator in SEPARATORS:
        names = [name.strip() for name in next(csv.reader([header], delimiter=separator))]
        if set(COLUMNS) <= set(names):
            break
    else:
        raise ValueError(
            f"no {' and '.join(COLUMNS)} columns in its first line (separated by , ; or tab)"
        )
    reader = csv.reader(io.StringIO(text), delimiter=separator)
    next(reader)
    at = [names.index(column) for column in COLUMNS]
    rows = []
    for row in reader:
        patient, image_id = (row[i].strip() if i < len(row) else "" for i in at)
        rows.append((patient, image_id))
    return rows
