"""``data.csv``: the table that names each training image's patient.

Tables come from spreadsheets, so a UTF-8 byte-order mark, spaces around values,
``;`` or tab separators and image ids with or without the file's extension are all
accepted. A table that cannot be used is reported in one warning that names it and
says why; the split then falls back to DICOM identifiers, else to files.
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
        no table or it cannot be used (a warning then names it and says why).
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
    patients = {_key(image_id): patient for patient, image_id in rows if patient and image_id}
    found, used = {}, set()
    for path in paths:
        relative = path.relative_to(folder)
        for key in (relative.as_posix(), relative.with_suffix("").as_posix(), path.name, path.stem):
            if _key(key) in patients:
                found[path] = patients[_key(key)]
                used.add(_key(key))
                break
    unused = sorted(set(patients) - used)
    if found and unused:
        log.warning(
            "%s: %d of its %d image_id values name no image here (such as %s)",
            table,
            len(unused),
            len(patients),
            unused[0],
        )
    if not found:
        log.warning(
            "ignoring %s: none of its %d image_id values names an image here; %s",
            table,
            len(patients),
            FALLBACK,
        )
    return found


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
