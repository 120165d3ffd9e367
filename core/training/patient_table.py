"""``data.csv``: the tables that name each training image's patient, and who is one patient.

Tables come from spreadsheets, so UTF-8 (with or without a byte-order mark), UTF-16 with
one, else Windows' Western European code page (Excel's "CSV (semicolon)" in Germany or
France) or Latin-1 (:func:`decode_text`), spaces around values, ``,`` ``;`` or tab
separators (whichever the header line is split by) and image ids with or without the
file's extension are all accepted.

A ``data.csv`` may lie in any folder of the data (one per site, say). Its ``image_id``
values name the images under its own folder: by their path relative to that folder, or by
file name. Every table counts alike, none outranks another: a ``patient_id`` is one patient
in all of them, and an image that two tables give different patients is refused, naming
both. A table that is there but cannot be used (unreadable, without the columns, or naming
no image) refuses the run too (:class:`PatientTableError`), as a split made without it
would be silently wrong; the command line's ``--ignore-patient-table`` splits without the
tables instead.

Images are one patient when they share a table patient or a DICOM PatientID,
StudyInstanceUID (a study is one patient's) or SOPInstanceUID (one image, re-exported under
another PatientID, say), also through a chain of images (:func:`group_patients`), so a
patient whose images the table lists only in part, or whose files lack a PatientID, keeps
one identity, and no patient or image falls on both sides of the split; but a study or
image in the files of more than :data:`MOST_JOINED` PatientIDs is taken for a placeholder
and joins none of them, with a warning. Gaps and conflicts are warned of with counts and an
example.

Copies of one image are one patient too, whatever their UIDs, PatientIDs, folders or names
say: once the images are decoded, images whose pixels are identical (the SHA-256 of the
decoded array's dtype, shape and bytes, :class:`PixelIdentity`) join their patients
(:func:`join_identical_images`), so that one image exported under three PatientIDs, whose
SOPInstanceUID is then taken for a placeholder, or copied into two patients' folders, never
lies on both sides of the split. Identical pixels are not always one image, so two kinds join
none, each with a warning: images with no variation (every pixel one value: a blank or
all-zero frame is alike in any number of patients' files), and identical images in the files
of more than :data:`MOST_JOINED_BY_PIXELS` patients (a template's "no image" picture, a test
pattern); nor do copies that would chain more than :data:`MOST_JOINED_BY_PIXELS` patients into
one group. Copies whose decoded pixels differ at all (re-encoded, rescaled, labelled) are not
recognised.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import logging
import unicodedata
from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from core.errors import FileError

log = logging.getLogger(__name__)

PATIENT_TABLE = "data.csv"
"""The tables' file name, in the data folder or any folder under it."""

COLUMNS = ("patient_id", "image_id")
"""The columns a table must have (others are ignored)."""

SEPARATORS = (",", ";", "\t")
"""Field separators tried, in this order, on the header line."""

TEXT_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
"""Encodings tried, in order, for a data folder's texts (tables, licence, attribution):
UTF-8 (with or without a byte-order mark), the Windows Western European code page, then
ISO Latin-1, which decodes any bytes. UTF-16 is read where a byte-order mark says so."""

IGNORE_OPTION = "--ignore-patient-table"
"""The command-line option that splits without the tables (named in refusals)."""

DICOM_IDS = {
    "PatientID": "dicom-patient",
    "StudyInstanceUID": "dicom-study",
    "SOPInstanceUID": "dicom-instance",
}
"""The DICOM attributes that link an image to its patient, each with the prefix of its
value among an image's ids (``"dicom-study:<UID>"``), in the order a patient is named by:
its PatientID, else its study. An instance only links images: a patient linked by
instances alone is named by its first file."""

MOST_JOINED = 2
"""Most DICOM PatientIDs a StudyInstanceUID or SOPInstanceUID joins into one patient: a
study re-identified once, or one image exported under a second PatientID. One in the files
of more PatientIDs is taken for a placeholder (anonymisers and templates write a constant
one) and joins none of them."""

MOST_JOINED_BY_PIXELS = 4
"""Most patients that copies of one image (identical pixels, :func:`join_identical_images`)
join into one: an image exported under a few PatientIDs, or copied into a few patients'
folders. Identical pixels in the files of more patients are taken for a placeholder (a
template's "no image" picture, a test pattern) and join none of them."""

_RANKS = {prefix: rank for rank, prefix in enumerate(DICOM_IDS.values(), 1)}  # 0: table
_PATIENT, _INSTANCE = _RANKS[DICOM_IDS["PatientID"]], _RANKS[DICOM_IDS["SOPInstanceUID"]]
_FILE_RANK = len(_RANKS) + 1  # a "file:<path>" patient, named by no id

N = TypeVar("N", bound=Hashable)


class PatientTableError(FileError):
    """A ``data.csv`` is there but cannot be used: the message names it and says why."""


@dataclass(frozen=True)
class PixelIdentity:
    """What tells copies of one image from other images: its decoded pixels.

    Parameters
    ----------
    digest : str
        The SHA-256 of the decoded pixel array's dtype, shape and bytes
        (:func:`core.training.data.pixel_identity`): equal for copies of one image, whatever
        their files' format, UIDs or names.
    uniform : bool
        Whether every pixel has one value (a blank or all-zero image): such images are alike
        in unrelated patients' files, and join none of them.
    """

    digest: str
    uniform: bool


def decode_text(raw: bytes) -> tuple[str, str]:
    """Decode a text file's bytes in the first encoding that fits.

    Parameters
    ----------
    raw : bytes
        The file's contents.

    Returns
    -------
    text : str
        The text, without a byte-order mark.
    encoding : str
        ``"utf-16"`` where a UTF-16 byte-order mark leads, else the first of
        :data:`TEXT_ENCODINGS` that decodes the bytes (Latin-1 decodes any).
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        with contextlib.suppress(UnicodeDecodeError):
            return raw.decode("utf-16"), "utf-16"
    *strict, last_resort = TEXT_ENCODINGS
    for encoding in strict:
        with contextlib.suppress(UnicodeDecodeError):
            return raw.decode(encoding), encoding
    return raw.decode(last_resort), last_resort


def read_patient_tables(
    folder: Path,
    tables: Sequence[Path],
    paths: Sequence[Path],
    *,
    unreadable: Collection[Path] = (),
) -> dict[Path, frozenset[str]]:
    """Return the patients that the ``data.csv`` tables give each image they list.

    Parameters
    ----------
    folder : Path
        The data folder.
    tables : sequence of Path
        Its tables, in it or in folders under it.
    paths : sequence of Path
        Its images. A row's ``image_id`` names an image under the table's folder by its
        path relative to that folder, or by its file name, each with or without its
        extension, with either slash between folders, in any case and either Unicode
        normal form (macOS stores names decomposed, spreadsheets composed).
    unreadable : collection of Path
        Those of ``paths`` that cannot be read, to be skipped: not counted or named among
        the images no table lists.

    Returns
    -------
    dict
        Image path to the patients the tables give it (two or more where one table
        lists it under several: they are then one patient, :func:`group_patients`).

    Raises
    ------
    PatientTableError
        If a table cannot be read, lacks the columns or names no image, or if two tables
        give an image different patients.
    """
    found: dict[Path, frozenset[str]] = {}
    named_by: dict[Path, Path] = {}
    for table in tables:
        under = [path for path in paths if path.is_relative_to(table.parent)]
        for path, patients in _table_patients(table, under).items():
            if path in found and found[path] != patients:
                raise PatientTableError(
                    table,
                    f"gives {path.relative_to(folder).as_posix()} patient "
                    f"{' and '.join(sorted(patients))}, but {named_by[path]} gives it "
                    f"{' and '.join(sorted(found[path]))}; an image is one patient's: correct "
                    f"one of them (or train with {IGNORE_OPTION})",
                )
            found[path], named_by[path] = patients, table
    readable = [path for path in paths if path not in unreadable]
    unlisted = [path for path in readable if path not in found]
    if tables and unlisted:
        log.warning(
            "%s: %d of the %d images are in no %s (such as %s); each joins the patient of "
            "a listed image with its DICOM PatientID, else is split by DICOM patient, else "
            "is a patient of its own",
            folder,
            len(unlisted),
            len(readable),
            PATIENT_TABLE,
            unlisted[0].relative_to(folder).as_posix(),
        )
    return found


def _table_patients(table: Path, paths: Sequence[Path]) -> dict[Path, frozenset[str]]:
    """Read one table and match its rows to the images under its folder."""
    try:
        text, encoding = decode_text(table.read_bytes())
        rows = _rows(text)
    except OSError as e:
        raise PatientTableError(table, _refused(e.strerror or str(e))) from None
    except (ValueError, csv.Error) as e:
        raise PatientTableError(table, _refused(str(e))) from None
    if encoding not in ("utf-8-sig", "utf-16"):
        log.info("%s is not UTF-8; read as %s", table, encoding)
    listed: dict[str, set[str]] = {}
    spelled: dict[str, str] = {}  # each key as the table first spells it, for warnings
    for patient, image_id in rows:
        if patient and image_id:
            listed.setdefault(_key(image_id), set()).add(patient)
            spelled.setdefault(_key(image_id), image_id)
    folder = table.parent
    found: dict[Path, frozenset[str]] = {}
    matched: dict[str, list[Path]] = {}
    for path in paths:
        relative = path.relative_to(folder)
        for key in (relative.as_posix(), relative.with_suffix("").as_posix(), path.name, path.stem):
            if _key(key) in listed:
                found[path] = frozenset(listed[_key(key)])
                matched.setdefault(_key(key), []).append(path)
                break
    if not matched:
        reason = f"none of its {len(listed)} image_id values names an image in {folder}"
        raise PatientTableError(table, _refused(reason))
    unused = sorted(set(listed) - set(matched))
    if unused:
        log.warning(
            "%s: %d of its %d image_id values name no image here (such as %s)",
            table,
            len(unused),
            len(listed),
            spelled[unused[0]],
        )
    _warn_of_shared_keys(table, matched, spelled)
    shared = {key: listed[key] for key in sorted(matched) if len(listed[key]) > 1}
    if shared:
        key, patients = next(iter(shared.items()))
        log.warning(
            "%s: %d of its image_id values are listed under two or more patients (such as %s, "
            "under %s); the patients that share an image are taken as one, so that the split "
            "keeps them on one side",
            table,
            len(shared),
            spelled[key],
            " and ".join(sorted(patients)),
        )
    return found


def _refused(reason: str) -> str:
    """Say why a table is refused, and what to do."""
    return f"{reason}; correct or remove it (or train with {IGNORE_OPTION})"


def _warn_of_shared_keys(
    table: Path, matched: dict[str, list[Path]], spelled: Mapping[str, str]
) -> None:
    """Warn of image_id values that name several files (in different subfolders, say).

    Each such file is given the row's patient, which may not be what the table meant.
    `spelled` gives each key (:func:`_key`) as the table spells it.
    """
    shared = {key: found for key, found in matched.items() if len(found) > 1}
    if not shared:
        return
    folder = table.parent
    key, files = next(iter(sorted(shared.items())))
    example = files[0].relative_to(folder).with_suffix("").as_posix()
    log.warning(
        "%s: %d of its image_id values name several files, each given that row's patient "
        "(such as %s, which names %d files: %s); if they are not one patient's, name each "
        "image by its path relative to the folder (such as %s)",
        table,
        len(shared),
        spelled[key],
        len(files),
        " and ".join(path.relative_to(folder).as_posix() for path in files[:3])
        + (" ..." if len(files) > 3 else ""),
        example,
    )


def group_patients(
    folder: Path,
    paths: Sequence[Path],
    listed: Mapping[Path, frozenset[str]],
    dicom: Mapping[Path, Sequence[str]],
    *,
    unreadable: Collection[Path] = (),
    warn_alone: bool = True,
) -> dict[Path, str]:
    """Name each image's patient: images that share a table patient or DICOM id are one.

    Parameters
    ----------
    folder : Path
        The data folder.
    paths : sequence of Path
        Its images.
    listed : mapping
        The table patients of the images the tables list (:func:`read_patient_tables`).
    dicom : mapping
        Each image's DICOM ids (``"dicom-patient:<PatientID>"``,
        ``"dicom-study:<StudyInstanceUID>"``, ``"dicom-instance:<SOPInstanceUID>"``,
        :data:`DICOM_IDS`), those it has; none for an image that is not DICOM.
    unreadable : collection of Path
        Those of ``paths`` that cannot be read, to be skipped: not counted or named among
        the images without a patient.
    warn_alone : bool
        Warn here of the images without a patient, where no table lists any image
        (:func:`warn_of_images_without_patient`); False leaves it to a caller that
        decodes the images first, and so knows which it skips.

    Returns
    -------
    dict
        Image path to its patient: of the images linked to it (through shared table
        patients and DICOM ids, also in a chain), the first table patient in sorted
        order, else their first DICOM PatientID, else their first study, else
        ``"file:<path relative to folder>"`` of the first of them.
    """
    dicom = _without_placeholders(dicom)
    # Table patients rank first, so that a group is named by its table patient, then
    # PatientIDs, studies and instances (DICOM_IDS): the least node of a group names it.
    nodes = {
        path: [(0, p) for p in sorted(listed.get(path, ()))] + _dicom_nodes(dicom.get(path, ()))
        for path in paths
    }
    root = _linked(nodes.values())
    by_table = _linked([[(0, p) for p in sorted(patients)] for patients in listed.values()])
    _warn_of_joined_patients(paths, listed, dicom, by_table)
    _log_joined_patient_ids(dicom)
    patients: dict[Path, str] = {}
    by_file: dict[str, str] = {}
    for path, linked in nodes.items():
        file = f"file:{path.relative_to(folder).as_posix()}"
        if not linked:
            patients[path] = file
            continue
        rank, name = root[linked[0]]
        # A group linked by instances alone has no patient id: its first file names it.
        patients[path] = by_file.setdefault(name, file) if rank == _INSTANCE else name
    if warn_alone and not listed:
        warn_of_images_without_patient(folder, patients, unreadable)
    return patients


def warn_of_images_without_patient(
    folder: Path, patients: Mapping[Path, str], skipped: Collection[Path]
) -> None:
    """Warn of the image files that are each their own patient, where no table lists any.

    Parameters
    ----------
    folder : Path
        The data folder.
    patients : mapping of Path to str
        Each image file's patient (:func:`group_patients`).
    skipped : collection of Path
        The files that are not used (unreadable): neither counted nor named.
    """
    alone = [
        path
        for path, patient in patients.items()
        if patient.startswith("file:") and path not in skipped
    ]
    if not alone:
        return
    many = len(alone) > 1
    log.warning(
        "%d image %s no patient (no %s, no DICOM PatientID), %s%s: %s taken as its own "
        "patient; validation is optimistic if a patient has several images; add a %s with "
        "patient_id and image_id",
        len(alone),
        "files have" if many else "file has",
        PATIENT_TABLE,
        "such as " if many else "",
        alone[0].relative_to(folder).as_posix(),
        "each file is" if many else "it is",
        PATIENT_TABLE,
    )


def _without_placeholders(dicom: Mapping[Path, Sequence[str]]) -> dict[Path, Sequence[str]]:
    """Leave out, with a warning, the studies and images that would join too many patients.

    A StudyInstanceUID or SOPInstanceUID in the files of more than :data:`MOST_JOINED`
    PatientIDs is taken for a placeholder. A file without PatientID counts as of the
    PatientIDs of the files that share a UID with it (an anonymised copy, as of its
    original's: its constant study then reaches every patient copied).
    """
    patient_prefix = DICOM_IDS["PatientID"] + ":"
    own = {
        path: next((key for key in ids if key.startswith(patient_prefix)), None)
        for path, ids in dicom.items()
    }
    direct: dict[str, set[str]] = {}  # UID: the PatientIDs of the files that carry it
    for path, ids in dicom.items():
        for key in ids:
            if own[path] is not None and key != own[path]:
                direct.setdefault(key, set()).add(own[path])
    spans: dict[str, set[str]] = {}
    for path, ids in dicom.items():
        patients = {own[path]} if own[path] is not None else set()
        if not patients:  # one hop, not on: a placeholder would then reach every file
            patients = set().union(*(direct.get(key, set()) for key in ids))
        for key in ids:
            if key != own[path]:
                spans.setdefault(key, set()).update(patients)
    placeholders = sorted(key for key, patients in spans.items() if len(patients) > MOST_JOINED)
    if not placeholders:
        return dict(dicom)
    log.warning(
        "%d DICOM studies or images (StudyInstanceUID, SOPInstanceUID) are each in the files "
        "of more than %d PatientIDs (such as %s, in those of %d): taken for placeholders (an "
        "anonymiser's or a template's), they join none of those patients (copies of one "
        "image are still joined by their identical pixels); if some are one patient, a %s "
        "with patient_id and image_id says so",
        len(placeholders),
        MOST_JOINED,
        placeholders[0].partition(":")[2],
        len(spans[placeholders[0]]),
        PATIENT_TABLE,
    )
    dropped = set(placeholders)
    return {path: tuple(key for key in ids if key not in dropped) for path, ids in dicom.items()}


def join_identical_images(
    images: Sequence[tuple[Path, str, PixelIdentity]],
) -> tuple[dict[str, str], list[Path]]:
    """Join the patients whose files hold copies of one image (identical pixels).

    Identical pixels join patients whatever the files' UIDs say: a SOPInstanceUID taken for a
    placeholder (:func:`group_patients`) stays one, but its copies are joined here. Two kinds
    of identical images join none, each with a warning: those with no variation
    (:attr:`PixelIdentity.uniform`), and those in the files of more than
    :data:`MOST_JOINED_BY_PIXELS` patients (placeholders). The patients joined are counted in
    a warning that names two files of one image.

    Parameters
    ----------
    images : sequence of (Path, str, PixelIdentity)
        Each decoded image (a file, or each frame of it): its file, its patient
        (:func:`group_patients`) and its pixels' identity.

    Returns
    -------
    patients : dict
        Each patient joined to another, to the patient of its group: the least of them
        (a table patient, else a DICOM PatientID, else a study, else a file, as
        :func:`group_patients` ranks them); patients joined to none are left out.
    joined : list of Path
        The files, each once and in the order given, with an image that joined its patient
        to another.
    """
    spans: dict[str, set[str]] = {}  # digest: the patients whose files hold the image
    files: dict[str, list[Path]] = {}  # digest: those files, in order (frames: a file each)
    uniform: set[str] = set()
    for path, patient, identity in images:
        spans.setdefault(identity.digest, set()).add(patient)
        files.setdefault(identity.digest, []).append(path)
        if identity.uniform:
            uniform.add(identity.digest)
    files = {digest: list(dict.fromkeys(paths)) for digest, paths in files.items()}
    shared = {digest: patients for digest, patients in spans.items() if len(patients) > 1}
    blank = [digest for digest in shared if digest in uniform]
    crowded = [
        digest
        for digest, patients in shared.items()
        if digest not in uniform and len(patients) > MOST_JOINED_BY_PIXELS
    ]
    _warn_of_identical_placeholders(blank, crowded, shared, files)
    joining = {
        digest: patients
        for digest, patients in shared.items()
        if digest not in uniform and len(patients) <= MOST_JOINED_BY_PIXELS
    }
    root = _linked(sorted(map(_patient_node, patients)) for patients in joining.values())
    # Copies chain patients into groups; a group of more patients than one image may span
    # is taken for placeholders too (a template shared pairwise along a folder, say).
    sizes = Counter(root.values())
    too_large = {group for group, size in sizes.items() if size > MOST_JOINED_BY_PIXELS}
    if too_large:
        chained = [
            digest
            for digest, patients in joining.items()
            if root[_patient_node(next(iter(patients)))] in too_large
        ]
        log.warning(
            "%d images identical in the files of two or more patients (such as %s) chain "
            "more than %d patients into one: taken for placeholders, they join none of "
            "them; if some are one patient, a %s with patient_id and image_id says so",
            len(chained),
            files[chained[0]][0],
            MOST_JOINED_BY_PIXELS,
            PATIENT_TABLE,
        )
        joining = {digest: pts for digest, pts in joining.items() if digest not in chained}
        root = _linked(sorted(map(_patient_node, pts)) for pts in joining.values())
    groups = {root[node] for node in root}
    patients = {node[1]: root[node][1] for node in root}
    joined = list(dict.fromkeys(path for path, _, id_ in images if id_.digest in joining))
    if joining:
        example = files[next(iter(joining))]
        log.warning(
            "%d files hold copies of images in other patients' files (identical pixels, such "
            "as %s and %s): their %d patients are taken as %d, so that the split keeps each "
            "image's copies on one side",
            len(joined),
            example[0],
            example[1],
            len(patients),
            len(groups),
        )
    return patients, joined


def _warn_of_identical_placeholders(
    blank: Sequence[str],
    crowded: Sequence[str],
    shared: Mapping[str, set[str]],
    files: Mapping[str, Sequence[Path]],
) -> None:
    """Warn of the identical images that join no patients: blank ones, and placeholders."""
    if blank:
        log.warning(
            "%d images with no variation (every pixel one value) are each alike in the files "
            "of two or more patients (such as %s, in those of %d): not taken for copies of "
            "one image, they join none of those patients",
            len(blank),
            files[blank[0]][0],
            len(shared[blank[0]]),
        )
    if crowded:
        log.warning(
            "%d images are each identical in the files of more than %d patients (such as %s, "
            "in those of %d): taken for placeholders (a template's picture, say), they join "
            "none of those patients; if some are one patient, a %s with patient_id and "
            "image_id says so",
            len(crowded),
            MOST_JOINED_BY_PIXELS,
            files[crowded[0]][0],
            len(shared[crowded[0]]),
            PATIENT_TABLE,
        )


def _patient_node(patient: str) -> tuple[int, str]:
    """Return a patient as a union-find node, ranked as :func:`group_patients` names groups."""
    prefix = patient.partition(":")[0]
    return (_FILE_RANK if prefix == "file" else _RANKS.get(prefix, 0), patient)


def _dicom_nodes(ids: Iterable[str]) -> list[tuple[int, str]]:
    """Return an image's DICOM ids as union-find nodes, ranked by :data:`DICOM_IDS`."""
    return [(_RANKS[key.partition(":")[0]], key) for key in ids]


def _warn_of_joined_patients(
    paths: Sequence[Path],
    listed: Mapping[Path, frozenset[str]],
    dicom: Mapping[Path, Sequence[str]],
    table_root: dict[tuple[int, str], tuple[int, str]],
) -> None:
    """Warn of DICOM ids that join patients the tables keep apart."""
    by_dicom: dict[tuple[int, str], set[str]] = {}
    for path in paths:
        if listed.get(path):
            for node in _dicom_nodes(dicom.get(path, ())):
                by_dicom.setdefault(node, set()).add(table_root[(0, min(listed[path]))][1])
    joined = {node: patients for node, patients in sorted(by_dicom.items()) if len(patients) > 1}
    if joined:
        (_, key), patients = next(iter(joined.items()))
        log.warning(
            "%d DICOM PatientIDs (or studies, or images) are each under two or more %s "
            "patients (such as %s, under %s); those patients are taken as one, so that the "
            "split keeps them on one side",
            len(joined),
            PATIENT_TABLE,
            key,
            " and ".join(sorted(patients)),
        )


def _log_joined_patient_ids(dicom: Mapping[Path, Sequence[str]]) -> None:
    """Warn of the DICOM PatientIDs joined into one patient by a study or image they share."""
    root = _linked(_dicom_nodes(ids) for ids in dicom.values())
    patient_ids: dict[tuple[int, str], set[str]] = {}
    for node in root:
        if node[0] == _PATIENT:
            patient_ids.setdefault(root[node], set()).add(node[1].partition(":")[2])
    joined = sorted(sorted(ids) for ids in patient_ids.values() if len(ids) > 1)
    if joined:
        shown = " and ".join(repr(patient_id) for patient_id in joined[0][:MOST_JOINED])
        more = len(joined[0]) - MOST_JOINED
        log.warning(
            "%d group(s) of DICOM PatientIDs are each taken as one patient, joined by a study "
            "or an image (SOPInstanceUID) their files share (such as %s%s), so that the split "
            "keeps their images on one side",
            len(joined),
            shown,
            f" and {more} more" if more > 0 else "",
        )


def _linked(groups: Iterable[Sequence[N]]) -> dict[N, N]:
    """Map each node to the least node linked to it through the groups (union-find).

    Parameters
    ----------
    groups : iterable of sequences
        Nodes that belong together; a node in two groups links them.

    Returns
    -------
    dict
        Every node to the least node of its linked set.
    """
    parent: dict[N, N] = {}

    def root(node: N) -> N:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for group in groups:
        for node in group:
            parent.setdefault(node, node)
        for node in group[1:]:
            a, b = root(group[0]), root(node)
            if a != b:  # the least root stays root, so each root is its set's least node
                parent[max(a, b)] = min(a, b)  # type: ignore[type-var]
    return {node: root(node) for node in parent}


def _key(image_id: str) -> str:
    """Return an image_id as it is matched: Windows' backslashes as ``/``, without case.

    The text is NFC-normalised first: macOS writes file names decomposed (``u`` and a
    combining diaeresis), where a spreadsheet writes ``ü`` as one character.
    """
    return unicodedata.normalize("NFC", image_id.replace("\\", "/")).casefold()


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
