"""Training images: find them in a folder, group them by patient, split, load, normalise.

Every frame of a multi-frame DICOM or page of a multi-page TIFF is a training image of
its own, of the file's patient. Copies of one image (identical decoded pixels) are one
patient's, joined as they are loaded (:func:`join_copies`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import tifffile
from PIL import Image

from core.errors import XrayError, collecting_warnings
from core.image import XrayImage, frame_label
from core.io import read_image
from core.io.dicom_read import read_dataset
from core.io.paths import unlisted_reason
from core.io.safe_text import text_safe
from core.io.sniff import detect_format, why_not_an_image
from core.model_span import percentile_map, percentile_samples
from core.noise.value_range import value_range
from core.training.patient_table import (
    DICOM_IDS,
    PATIENT_TABLE,
    TEXT_ENCODINGS,
    PixelIdentity,
    decode_text,
    group_patients,
    join_identical_images,
    read_patient_tables,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImageRecord:
    """One image, a file or one frame of it, and the patient it belongs to.

    Parameters
    ----------
    path : Path
        The file.
    patient_id : str
        Its patient (:func:`assign_patients`).
    frame : int
        Zero-based frame (TIFF page) of the file this image is.
    n_frames : int
        Frames in the file; 1 until it is read (:func:`frame_records`).
    """

    path: Path
    patient_id: str
    frame: int = 0
    n_frames: int = 1

    @property
    def frame_label(self) -> str:
        """The frame as users read it (:func:`core.image.frame_label`): ``"frame 2 of 3"``."""
        return frame_label(self.frame, self.n_frames)

    @property
    def name(self) -> str:
        """The path, with the frame of a multi-frame file: ``"a.dcm frame 2 of 3"``."""
        return str(self.path) if self.n_frames == 1 else f"{self.path} {self.frame_label}"


@dataclass(frozen=True)
class ImageFacts:
    """What kind of image a training image is, as the model card counts them.

    Parameters
    ----------
    source_format : str
        ``"dicom"``, ``"png"``, ``"tiff"``, ``"jpeg"`` or ``"npy"``.
    bits_stored : int or None
        The stored bits (DICOM BitsStored, a PNG's depth); None for floating-point data.
    shape : (int, int)
        Rows and columns as stored, padding included.
    modality, body_part : str or None
        DICOM Modality and BodyPartExamined; None where not given.
    pixel_spacing : (float, float) or None
        Row and column spacing in mm; None where not given.
    """

    source_format: str
    bits_stored: int | None
    shape: tuple[int, int]
    modality: str | None = None
    body_part: str | None = None
    pixel_spacing: tuple[float, float] | None = None

    @classmethod
    def of(cls, image: XrayImage) -> ImageFacts:
        """Return the facts of a decoded image."""
        rows, cols = image.pixels.shape[:2]
        metadata = image.metadata
        return cls(
            source_format=image.source_format,
            bits_stored=None if image.mapping.is_float else image.mapping.bits_stored,
            shape=(int(rows), int(cols)),
            modality=str(metadata["Modality"]) if metadata.get("Modality") else None,
            body_part=(
                str(metadata["BodyPartExamined"]) if metadata.get("BodyPartExamined") else None
            ),
            pixel_spacing=image.pixel_spacing,
        )


@dataclass(frozen=True)
class TrainingImage:
    """A decoded image normalised to ``[-1, 1]``.

    Parameters
    ----------
    record : ImageRecord
        Where it came from.
    pixels : ndarray of float32, shape (rows, cols)
        The pixel values mapped by :func:`normalise`; cropped to the bounding box of
        the pixels that are not padding.
    padding : ndarray of bool or None
        True where a pixel is padding (DICOM PixelPaddingValue), no image content;
        None where there is none.
    facts : ImageFacts or None
        What kind of image it is (:func:`describe_images`); None where not known.
    """

    record: ImageRecord
    pixels: np.ndarray
    padding: np.ndarray | None = None
    facts: ImageFacts | None = None


def find_images(
    folder: str | Path,
    *,
    unreadable: list[tuple[Path, str]] | None = None,
    not_images: list[tuple[Path, str]] | None = None,
) -> list[Path]:
    """List image files under ``folder``, recursively, in a stable order.

    Files with a PNG, TIFF, JPEG, DICOM or ``.npy`` suffix count, and files of any other
    suffix, or none, that carry the DICOM preamble (``DICM`` at byte 128), such as DICOM
    files named by their UID, and files without a suffix (or a number for one) that are
    DICOM without the preamble; a DICOMDIR does not
    (:func:`core.io.sniff.is_image_candidate`). Other files (but ``data.csv`` tables and
    the licence and attribution texts the model card takes, :func:`describe_source`) are
    counted in a warning, and the first
    :data:`NAMED_NOT_IMAGES` of them are each named in one with its own reason
    (:func:`core.io.sniff.why_not_an_image`), so that none is left out unseen. Hidden
    files and folders and those of NAS and archive tools are left out (:func:`left_out`).
    A folder that cannot be listed (no permission, say) is skipped with a warning that
    names it and says why, as :func:`load_images` skips an unreadable image
    (:func:`walk_files`).

    Parameters
    ----------
    folder : str or Path
        The folder.
    unreadable : list of (Path, str), optional
        Where given, what cannot be read is added to it, with why (:func:`sort_files`),
        so that it need not be walked again to count it.
    not_images : list of (Path, str), optional
        Where given, the files not taken as images are added to it, with why.

    Returns
    -------
    list of Path
        Sorted.
    """
    folder = Path(folder)
    others: list[tuple[Path, str]] = []
    images, _ = sort_files(folder, unreadable=unreadable, not_images=others)
    if others:
        log.warning("%s: %d file(s) here are not taken as images", folder, len(others))
    for path, reason in others[:NAMED_NOT_IMAGES]:
        log.warning("skipping %s: %s", path, reason)
    if len(others) > NAMED_NOT_IMAGES:
        log.warning(
            "%s: and %d more file(s) not taken as images",
            folder,
            len(others) - NAMED_NOT_IMAGES,
        )
    if not_images is not None:
        not_images.extend(others)
    return images


NAMED_NOT_IMAGES = 20
"""How many of the files not taken as images :func:`find_images` names, each in a line."""

SYSTEM_FOLDERS = ("@eaDir", "__MACOSX", "$RECYCLE.BIN", "RECYCLER", "System Volume Information")
"""Folders of thumbnails and metadata that tools leave beside images (a Synology NAS's,
macOS's archiver's), and those Windows keeps at a drive's root (deleted files, restore
points): never data. Matched in any case, as Windows names them (``$Recycle.Bin``)."""
_SYSTEM_KEYS = frozenset(name.casefold() for name in SYSTEM_FOLDERS)
_HIDDEN_ATTRIBUTES = stat.FILE_ATTRIBUTE_HIDDEN | stat.FILE_ATTRIBUTE_SYSTEM
HAS_FILE_ATTRIBUTES = hasattr(os.stat_result, "st_file_attributes")
"""Whether this system's ``os.lstat`` gives file attributes (Windows' does). Elsewhere
:func:`left_out` looks at names only: no call per file, a round trip each on a network
share."""


def left_out(relative: Path, folder: Path | None = None) -> bool:
    """Whether a path under a folder is left out: hidden, or in a system folder.

    Training and the app's folder scan leave out the same files.

    Parameters
    ----------
    relative : Path
        A file's or folder's path relative to `folder` (or only its name).
    folder : Path, optional
        The folder `relative` is under. Where given, ``folder / relative`` is also left
        out when Windows marks it hidden or system (its file attributes, looked up only
        where :data:`HAS_FILE_ATTRIBUTES`); the folders between are not looked at: the
        walks (:func:`walk_files`) do not enter a folder left out.

    Returns
    -------
    bool
        True when a component of it starts with ``.`` (``.thumbnails/``, ``._a.png``,
        ``.DS_Store``) or is one of :data:`SYSTEM_FOLDERS`, or, with `folder`, when it
        is marked hidden or system.
    """
    if any(part.startswith(".") or part.casefold() in _SYSTEM_KEYS for part in relative.parts):
        return True
    if folder is None or not HAS_FILE_ATTRIBUTES:
        return False
    try:
        attributes = getattr(os.lstat(folder / relative), "st_file_attributes", 0)
    except OSError:  # gone, or not to be looked at: what reads it says so
        return False
    return bool(attributes & _HIDDEN_ATTRIBUTES)


def walk_files(
    folder: Path, *, pruned: list[Path] | None = None
) -> tuple[list[Path], list[tuple[Path, str]]]:
    """List the files under ``folder``, and what under it cannot be read, with why.

    Unlike ``Path.rglob``, which passes over a folder it may not list without a word,
    every folder that cannot be listed is returned. Symbolic links to folders are not
    followed. Folders left out (:func:`left_out`: hidden, or a system folder) are not
    entered: their files, a NAS's ``.snapshot`` copy of the whole data say, are neither
    listed nor examined.

    Parameters
    ----------
    folder : Path
        The data folder.
    pruned : list of Path, optional
        Where given, the folders left out, not entered, are added to it.

    Returns
    -------
    files : list of Path
        The regular files (or links to them), sorted; hidden ones included (none in a
        folder left out).
    unreadable : list of (Path, str)
        Each folder that cannot be listed (``"the folder cannot be read: Permission
        denied"``), and each entry of a folder that can be listed but not searched,
        which cannot be examined (``"cannot be read: Permission denied"``), sorted;
        those left out (:func:`left_out`) are not listed.
    """
    files: list[Path] = []
    unreadable: list[tuple[Path, str]] = []

    def unlisted(error: OSError) -> None:
        unreadable.append((Path(error.filename), unlisted_reason(error)))

    for root, _, names in _walk_kept(folder, onerror=unlisted, pruned=pruned):
        for name in names:
            path = root / name
            try:
                if path.is_file():
                    files.append(path)
            except OSError as error:  # listed, but its folder may not be searched
                unreadable.append((path, f"cannot be read: {error.strerror or error}"))
    kept = [(path, why) for path, why in unreadable if not left_out(path.relative_to(folder))]
    return sorted(files), sorted(kept)


def _walk_kept(
    folder: Path,
    *,
    onerror: Callable[[OSError], None] | None = None,
    pruned: list[Path] | None = None,
) -> Iterator[tuple[Path, list[str], list[str]]]:
    """Walk ``folder`` top-down as :func:`os.walk` does, entering no folder left out.

    The one rule by which images (:func:`walk_files`), ``data.csv`` tables
    (:func:`patient_tables`) and licence texts (:func:`describe_source`) are found: what
    is in a folder left out (:func:`left_out`: by name, or marked hidden or system) is
    never looked at. Symbolic links to folders are listed, not followed.

    Yields
    ------
    root : Path
        A folder entered: ``folder``, or one under it whose folders above are all kept.
    folders : list of str
        The folders in it that are not left out (and are entered next).
    names : list of str
        The other entries in it.
    """
    for root, folders, names in os.walk(folder, onerror=onerror):
        here = Path(root)
        left = [name for name in folders if left_out(Path(name), here)]  # above: kept
        if pruned is not None:
            pruned.extend(here / name for name in left)
        folders[:] = [name for name in folders if name not in left]  # os.walk enters these
        yield here, folders, names


def sort_files(
    folder: Path,
    *,
    unreadable: list[tuple[Path, str]] | None = None,
    not_images: list[tuple[Path, str]] | None = None,
) -> tuple[list[Path], list[Path]]:
    """Sort the files under ``folder`` into images and files not taken as images.

    Files and folders left out (:func:`left_out`, the folders not entered) are in neither
    list; they are counted in one log line that names one. What cannot be read
    (:func:`walk_files`) is in neither either: each is named in a warning that says why.

    Parameters
    ----------
    folder : Path
        The data folder.
    unreadable : list of (Path, str), optional
        Where given, what cannot be read is added to it, with why, as
        :func:`walk_files` returns it.
    not_images : list of (Path, str), optional
        Where given, each of ``others`` is added to it, with why it is not taken as an
        image (:func:`core.io.sniff.why_not_an_image`).

    Returns
    -------
    images : list of Path
        Files taken as images (:func:`core.io.sniff.is_image_candidate`), sorted.
    others : list of Path
        The other files, sorted; ``data.csv`` tables and the licence and attribution
        texts the model card takes (:func:`source_text_kind`) are not listed.

    Raises
    ------
    ValueError
        If ``folder`` is not a folder.
    """
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder")
    images, others, hidden, pruned = [], [], [], []
    files, unlisted = walk_files(folder, pruned=pruned)
    for path, reason in unlisted:
        log.warning("skipping %s: %s", path, reason)
    if unreadable is not None:
        unreadable.extend(unlisted)
    for path in files:
        if left_out(path.relative_to(folder), folder):
            hidden.append(path)
        elif (reason := why_not_an_image(path)) is None:
            images.append(path)
        elif path.name != PATIENT_TABLE and source_text_kind(path) is None:
            others.append(path)
            if not_images is not None:
                not_images.append((path, reason))
    if hidden or pruned:
        log.info(
            "%s: %d hidden or system folder(s) and %d hidden file(s) (a name starting with "
            "'.', %s) left out, such as %s",
            folder,
            len(pruned),
            len(hidden),
            ", ".join(SYSTEM_FOLDERS),
            min(pruned + hidden).relative_to(folder).as_posix(),
        )
    return images, others


def patient_tables(folder: Path) -> list[Path]:
    """List the ``data.csv`` tables in ``folder`` and the folders under it, sorted.

    Parameters
    ----------
    folder : Path
        The data folder.

    Returns
    -------
    list of Path
        The tables, those left out and those in folders left out (:func:`left_out`, as
        for images) excepted. The name is matched as the system matches names (in any
        case on Windows).
    """
    table = os.path.normcase(PATIENT_TABLE)
    found = (
        root / name
        for root, _, names in _walk_kept(folder)
        for name in names
        if os.path.normcase(name) == table
    )
    return sorted(
        path for path in found if path.is_file() and not left_out(Path(path.name), path.parent)
    )


def assign_patients(
    folder: str | Path,
    paths: Sequence[Path],
    *,
    ignore_tables: bool = False,
    headers: Mapping[Path, tuple[bool, tuple[str, ...]]] | None = None,
    warn_alone: bool = True,
) -> list[ImageRecord]:
    """Attach a patient id to each image.

    The ``data.csv`` tables in ``folder`` and its subfolders give the patients of the
    images they list (:func:`core.training.patient_table.read_patient_tables`); a DICOM
    file's ``PatientID``, ``StudyInstanceUID`` and ``SOPInstanceUID`` are read too, listed
    or not. Images that share a table patient or a DICOM id (a patient, a study, which is
    one patient's, or an image, re-exported under another PatientID say) are one patient,
    also through a chain of them, named by its table patient where there is one; every
    image with none of them is its own patient (its path relative to ``folder``)
    (:func:`core.training.patient_table.group_patients`).

    Parameters
    ----------
    folder : str or Path
        The data folder.
    paths : sequence of Path
        Images inside it.
    ignore_tables : bool
        Split without the tables (``--ignore-patient-table``), logged.
    headers : mapping of Path to (bool, tuple of str), optional
        What :func:`read_header` gave for each of ``paths``, where the caller has read
        them already (the wizard's scan reads them one by one, so that it can stop
        between files); otherwise they are read here.
    warn_alone : bool
        Warn of the images without a patient here; False where the caller warns once it
        knows which images it skips (:func:`core.training.patient_table.group_patients`).

    Returns
    -------
    list of ImageRecord
        In the order of ``paths``.

    Raises
    ------
    core.training.patient_table.PatientTableError
        If a table cannot be used, or two give an image different patients.
    """
    folder = Path(folder)
    tables = patient_tables(folder)
    if ignore_tables and tables:
        log.warning(
            "ignoring %d %s table(s), such as %s (--ignore-patient-table)",
            len(tables),
            PATIENT_TABLE,
            tables[0],
        )
        tables = []
    if headers is None:
        headers = {p: read_header(p) for p in paths}
    unreadable = frozenset(p for p in paths if not headers[p][0])
    listed = read_patient_tables(folder, tables, paths, unreadable=unreadable)
    dicom = {p: headers[p][1] for p in paths}
    patients = group_patients(
        folder, paths, listed, dicom, unreadable=unreadable, warn_alone=warn_alone
    )
    return [ImageRecord(p, patients[p]) for p in paths]


def read_header(path: Path) -> tuple[bool, tuple[str, ...]]:
    """Read an image file's header: whether it can be read, and a DICOM file's ids.

    Only the header is read, so that the patient tables' warnings count and name no file
    that :func:`load_images` will skip as unreadable, without decoding any image twice.

    Parameters
    ----------
    path : Path
        An image file (:func:`find_images`).

    Returns
    -------
    readable : bool
        False where the header cannot be read (no known format, a PNG, JPEG or TIFF that
        its decoder cannot open, a ``.npy`` without an array header, a DICOM file without
        image rows): :func:`load_images` would skip the file. True does not promise that
        its pixels decode.
    ids : tuple of str
        Those of ``"dicom-patient:<PatientID>"``, ``"dicom-study:<StudyInstanceUID>"``
        and ``"dicom-instance:<SOPInstanceUID>"`` the file gives
        (:data:`core.training.patient_table.DICOM_IDS`), in that order: all link the
        file to its patient (:func:`core.training.patient_table.group_patients`). Empty
        for files that are not DICOM or carry none.
    """
    try:
        kind = detect_format(path)
        if kind != "dicom":
            _open_raster(path, kind)
            return True, ()
        ds = read_dataset(path, stop_before_pixels=True, specific_tags=[*DICOM_IDS, "Rows"])
    except Exception:  # noqa: BLE001 - decoders raise many types; load_images says why
        return False, ()
    values = ((prefix, str(ds.get(key, "") or "").strip()) for key, prefix in DICOM_IDS.items())
    return "Rows" in ds, tuple(f"{prefix}:{value}" for prefix, value in values if value)


def _open_raster(path: Path, kind: str) -> None:
    """Open a PNG, JPEG, TIFF or ``.npy`` file's header as its reader does; raise if not."""
    if kind == "npy":
        np.load(path, mmap_mode="r", allow_pickle=False)
    elif kind == "tiff":
        with tifffile.TiffFile(path) as tif:
            tif.pages.first  # noqa: B018 (reading the first page's header is the point)
    else:
        with Image.open(path):
            pass


def frame_records(record: ImageRecord, n_frames: int) -> list[ImageRecord]:
    """Expand a file's record into one record per frame, all of the file's patient.

    Parameters
    ----------
    record : ImageRecord
        The file (as :func:`assign_patients` gives it).
    n_frames : int
        Frames in the file (:attr:`core.image.XrayImage.n_frames`), at least 1.

    Returns
    -------
    list of ImageRecord
        Frames ``0 .. n_frames - 1`` in order.

    Raises
    ------
    ValueError
        If ``n_frames`` is under 1.
    """
    if n_frames < 1:
        raise ValueError(f"n_frames must be at least 1, got {n_frames}")
    return [replace(record, frame=k, n_frames=n_frames) for k in range(n_frames)]


def split_by_patient(
    records: Sequence[ImageRecord], *, val_fraction: float, seed: int
) -> tuple[list[ImageRecord], list[ImageRecord]]:
    """Hold out whole patients for validation.

    Parameters
    ----------
    records : sequence of ImageRecord
        All images; the frames of a file (:func:`frame_records`) share its patient,
        so they always fall on one side.
    val_fraction : float
        Fraction of patients held out, in ``[0, 1)``; at least one patient when
        positive and there are two or more.
    seed : int
        Seed of the patient shuffle (keep it fixed across runs to keep the split).

    Returns
    -------
    train, val : list of ImageRecord
        Disjoint in patients, each in the input order.
    """
    if not 0 <= val_fraction < 1:
        raise ValueError(f"val_fraction must lie in [0, 1), got {val_fraction}")
    patients = sorted({r.patient_id for r in records})
    n_val = 0
    if val_fraction > 0 and len(patients) > 1:
        n_val = min(max(1, round(val_fraction * len(patients))), len(patients) - 1)
    order = np.random.default_rng(seed).permutation(len(patients))
    held_out = {patients[i] for i in order[:n_val]}
    train = [r for r in records if r.patient_id not in held_out]
    val = [r for r in records if r.patient_id in held_out]
    return train, val


def normalisation_interval(image: XrayImage) -> tuple[float, float]:
    """Return the pixel values that :func:`normalise` maps to -1 and 1.

    Integer data: their range of values, :func:`core.noise.value_range.value_range`,
    the rule the noise code uses. That is the storable range (an 8-bit PNG's 0 to 255,
    a DICOM's BitsStored through its rescale), narrowed in a 16-bit container to the
    fewest bits that hold the data (12-bit data in a 16-bit PNG: 0 to 4095), so that
    such images span the model's domain rather than a sixteenth of it.
    Floating-point data: :attr:`core.image.XrayImage.data_interval` (``[0, 1]`` where
    they lie in it, else their own minimum and maximum).

    Parameters
    ----------
    image : XrayImage
        Decoded image.

    Returns
    -------
    low, high : float
        ``low < high``.
    """
    if image.mapping.is_float:
        return image.data_interval
    values = value_range(image)
    return values.low, values.high


NORMALISATIONS = ("percentiles", "range")
"""How training maps an image's values to the model's domain (:func:`normalise`)."""
MIN_PERCENTILE_SPAN = 0.01
"""Least span of an image's percentiles, as a share of its range of values, that
:func:`normalise` stretches onto the model's span (at most 90 x: a nearly flat image is not
magnified without end)."""


def normalise(image: XrayImage, method: str = "percentiles") -> np.ndarray:
    """Map an image's pixels to ``[-1, 1]`` as the denoiser maps the images it is given.

    Parameters
    ----------
    image : XrayImage
        Decoded image.
    method : {"percentiles", "range"}
        ``"percentiles"``: the values' 0.1 and 99.9 percentiles (over means of 4 x 4
        blocks clear of padding, :func:`core.model_span.percentile_samples`) land on
        -0.9 and 0.9, as the denoiser maps an image it is given
        (:class:`core.denoise.domain.ModelDomain`), and the values beyond are clipped
        to ``[-1, 1]``; a detector's image filling a small part of its storable range
        (a pedestal, a hot pixel at the top of 16 bits) is trained on at the contrast
        it is denoised at. Percentiles closer than :data:`MIN_PERCENTILE_SPAN` of the
        range of values are taken that far apart. ``"range"`` (models trained before
        2026-11-28, the shipped one among them): ``2 (p - low) / (high - low) - 1``,
        with ``(low, high)`` the :func:`normalisation_interval` (for an 8-bit image its
        storable range, 0 to 255, which the films' content mostly fills).

    Returns
    -------
    ndarray of float32
        In ``[-1, 1]``.

    Raises
    ------
    ValueError
        If `method` is not one of :data:`NORMALISATIONS`.
    """
    if method not in NORMALISATIONS:
        choices = ", ".join(NORMALISATIONS)
        raise ValueError(f"normalisation must be one of {choices}, got {method!r}")
    low, high = normalisation_interval(image)
    pixels = image.pixels.astype(np.float64)
    if method == "range":  # as models before 2026-11-28 were trained, to the last bit
        return ((pixels - low) * (2.0 / (high - low)) - 1.0).astype(np.float32)
    scale, offset = percentile_map(percentile_samples(image), MIN_PERCENTILE_SPAN * (high - low))
    return np.clip(pixels * scale + offset, -1.0, 1.0).astype(np.float32)


READ_PIXELS: Callable[..., XrayImage] = partial(read_image, digest=False)
"""How training reads a frame (:func:`core.io.read_image`): its pixels, the file not hashed."""


def pixel_identity(pixels: np.ndarray) -> PixelIdentity:
    """Identify an image by its decoded pixels, so that copies of it can be joined.

    Parameters
    ----------
    pixels : ndarray
        The decoded image (:attr:`core.image.XrayImage.pixels`).

    Returns
    -------
    PixelIdentity
        The SHA-256 of the array's dtype, shape and bytes, and whether every pixel has
        one value.
    """
    data = np.ascontiguousarray(pixels)
    digest = hashlib.sha256(f"{data.dtype.str} {data.shape} ".encode())
    digest.update(data)
    uniform = data.size == 0 or bool(data.min() == data.max())
    return PixelIdentity(digest.hexdigest(), uniform)


def join_copies(
    images: Sequence[tuple[ImageRecord, PixelIdentity]],
) -> tuple[list[ImageRecord], list[Path]]:
    """Make copies of one image (identical pixels) one patient's, whatever their files say.

    The rule is :func:`core.training.patient_table.join_identical_images`: images with no
    variation, and identical images in the files of more than
    :data:`core.training.patient_table.MOST_JOINED_BY_PIXELS` patients, join none (with a
    warning).

    Parameters
    ----------
    images : sequence of (ImageRecord, PixelIdentity)
        Each decoded image (a file, or each frame of it) with its patient
        (:func:`assign_patients`) and its pixels' identity (:func:`pixel_identity`).

    Returns
    -------
    records : list of ImageRecord
        The images in the order given, each with its patient once copies are joined (all
        of a patient's images follow it, so the frames of a file stay together).
    joined : list of Path
        The files, each once, with an image that joined its patient to another's.
    """
    patients, joined = join_identical_images(
        [(record.path, record.patient_id, identity) for record, identity in images]
    )
    records = [
        replace(record, patient_id=patients[record.patient_id])
        if record.patient_id in patients
        else record
        for record, _ in images
    ]
    return records, joined


def load_images(
    records: Sequence[ImageRecord],
    *,
    reader: Callable[..., XrayImage] = READ_PIXELS,
    normalisation: str = "percentiles",
    joined: list[Path] | None = None,
) -> tuple[list[TrainingImage], list[tuple[Path, str]]]:
    """Decode and normalise every frame of the files, skipping (never failing on) unreadable ones.

    Frames are read one at a time (``reader(path, frame=k)``), so a multi-frame file is
    never decoded whole; each frame becomes a :class:`TrainingImage` of the file's patient.
    Each frame's decoded pixels are hashed as it is read (:func:`pixel_identity`), and
    copies of one image are then made one patient's (:func:`join_copies`), so that its
    copies lie on one side of the split, whatever their files' UIDs, PatientIDs or names say
    (but for the placeholders :func:`core.training.patient_table.join_identical_images`
    joins none of, and copies whose pixels differ at all: a re-encoded or rescaled one).

    Parameters
    ----------
    records : sequence of ImageRecord
        Files to load (as :func:`assign_patients` gives them).
    reader : callable
        ``reader(path, frame=k) -> XrayImage``; :data:`READ_PIXELS` by default.
    normalisation : {"percentiles", "range"}
        How each frame's values are mapped to ``[-1, 1]`` (:func:`normalise`).
    joined : list of Path, optional
        Where given, the files with an image that joined its patient to another's
        (identical pixels) are added to it, each once.

    Returns
    -------
    images : list of TrainingImage
        The readable frames, in file and frame order (warnings while reading a file are
        logged once with its name), each of its patient once copies are joined.
    skipped : list of (Path, str)
        Each unreadable file and why; each is also logged as a warning. A multi-frame
        file is read up to its first unreadable frame, which the reason names with the
        number of later frames left unread: one warning a file, however many frames
        its damage spans.
    """
    loaded: list[tuple[TrainingImage, PixelIdentity]] = []
    skipped = []
    for record in records:
        logged: set[str] = set()
        pending = deque([record])  # the file; its other frames once the first is read
        while pending:
            frame = pending.popleft()
            try:
                image = _read_frame(frame, reader, logged)
                if frame.n_frames == 1 and image.n_frames > 1:
                    frame, *others = frame_records(record, image.n_frames)
                    pending.extend(others)
                    log.info(
                        "image %s: %d frames, each a training image", record.path, image.n_frames
                    )
                trained = _training_image(frame, image, normalisation)
                loaded.append((trained, pixel_identity(image.pixels)))
            except Exception as e:  # decoders raise many types on malformed files; none is fatal
                reason = e.reason if isinstance(e, XrayError) and hasattr(e, "reason") else str(e)
                if pending:  # the rest of a damaged file would fail as this frame did
                    reason += f" (its {len(pending)} later frame(s) not read)"
                    pending.clear()
                log.warning("skipping unreadable image %s: %s", frame.name, reason)
                named = reason if frame.n_frames == 1 else f"{frame.frame_label}: {reason}"
                skipped.append((record.path, named))
    records_now, joined_files = join_copies([(image.record, pixels) for image, pixels in loaded])
    if joined is not None:
        joined.extend(joined_files)
    images = [
        image if image.record == record else replace(image, record=record)
        for (image, _), record in zip(loaded, records_now, strict=True)
    ]
    return images, skipped


def _read_frame(
    record: ImageRecord, reader: Callable[..., XrayImage], logged: set[str]
) -> XrayImage:
    """Read a record's frame, logging the reader's warnings not yet in ``logged``."""
    with collecting_warnings() as notes:
        image = reader(record.path, frame=record.frame)
    for message in notes:  # the readers' own warnings name the file already
        if message not in logged:
            logged.add(message)
            named = message.startswith(str(record.path))
            log.warning("%s", message if named else f"{record.path}: {message}")
    return image


def _training_image(record: ImageRecord, image: XrayImage, normalisation: str) -> TrainingImage:
    """Normalise a decoded frame and crop its padding away.

    Parameters
    ----------
    record : ImageRecord
        Which file and frame it is.
    image : XrayImage
        The decoded frame.
    normalisation : str
        How its values are mapped (:func:`normalise`).

    Returns
    -------
    TrainingImage

    Raises
    ------
    ValueError
        If every pixel is padding.
    """
    pixels, padding = without_padding(normalise(image, normalisation), image.padding_mask)
    if image.padding_mask is not None and image.padding_mask.any():
        log.info(
            "image %s: %.0f%% padding, left out of patches and validation",
            record.name,
            100 * image.padding_mask.mean(),
        )
    return TrainingImage(record, pixels, padding, ImageFacts.of(image))


def describe_images(images: Sequence[TrainingImage]) -> dict[str, Any]:
    """Say what kind of images trained, for the model card: counts and ranges, no names.

    Parameters
    ----------
    images : sequence of TrainingImage
        The images used (each frame of a multi-frame file one); those without
        :class:`ImageFacts` are left out.

    Returns
    -------
    dict
        ``"formats"`` (``{"PNG": 12}``), ``"bits_stored"`` (``{"12": 8}``, ``"float"``
        for floating-point data) and ``"rows"``/``"cols"`` (``[least, most]``, as
        stored) of the images; ``"modality"`` and ``"body_part"`` counts (``"not
        given"`` where a DICOM image has none) where any image is DICOM;
        ``"pixel_spacing_mm"`` (``[least, most]`` of the row and column spacings) and
        ``"without_pixel_spacing"`` (a count) where any image has a spacing. Empty
        without images.
    """
    facts = [image.facts for image in images if image.facts is not None]
    if not facts:
        return {}
    out: dict[str, Any] = {
        "formats": _counts(f.source_format.upper() for f in facts),
        "bits_stored": _counts("float" if f.bits_stored is None else f.bits_stored for f in facts),
        "rows": [min(f.shape[0] for f in facts), max(f.shape[0] for f in facts)],
        "cols": [min(f.shape[1] for f in facts), max(f.shape[1] for f in facts)],
    }
    dicom = [f for f in facts if f.source_format == "dicom"]
    if dicom:
        out["modality"] = _counts(f.modality or "not given" for f in dicom)
        out["body_part"] = _counts(f.body_part or "not given" for f in dicom)
    spacings = [value for f in facts if f.pixel_spacing for value in f.pixel_spacing]
    if spacings:
        out["pixel_spacing_mm"] = [round(min(spacings), 4), round(max(spacings), 4)]
        out["without_pixel_spacing"] = sum(f.pixel_spacing is None for f in facts)
    return out


def _counts(values: Iterable[object]) -> dict[str, int]:
    """Count values by their text, sorted by it."""
    return dict(sorted(Counter(str(value) for value in values).items()))


def without_padding(
    pixels: np.ndarray, padding: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Crop an image to the bounding box of its pixels that are not padding.

    Parameters
    ----------
    pixels : ndarray, shape (rows, cols)
        The image.
    padding : ndarray of bool or None
        True where a pixel is padding.

    Returns
    -------
    pixels : ndarray
        The crop.
    padding : ndarray of bool or None
        Its padding, None where none is left.

    Raises
    ------
    ValueError
        If every pixel is padding.
    """
    if padding is None or not padding.any():
        return pixels, None
    rows, cols = np.nonzero(~padding)
    if rows.size == 0:
        raise ValueError("every pixel is padding (PixelPaddingValue)")
    box = np.s_[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    kept = padding[box]
    return pixels[box], (kept if kept.any() else None)


BLANK_REASON = "every pixel has one value (a blank frame)"
"""Why a blank frame is not trained on, as training logs it and the wizard lists it."""


def is_blank(pixels: np.ndarray, padding: np.ndarray | None = None) -> bool:
    """Say whether an image has one value throughout: a blank frame, which training leaves out.

    A blank frame (a dark field, a flat white image) teaches no anatomy and scores nothing
    in validation. Padding is not counted as a value. Training tests its normalised pixels
    and the wizard the decoded ones: normalisation (:func:`normalise`) maps values by one
    increasing line, clipped only beyond the percentiles, so both give one answer (but for
    values closer than float32 tells apart).

    Parameters
    ----------
    pixels : ndarray
        The image.
    padding : ndarray of bool or None
        True where a pixel is padding.

    Returns
    -------
    bool
        True if its pixels that are not padding are all one value (and there are some).
    """
    values = pixels if padding is None else pixels[~padding]
    return bool(values.size) and bool(values.min() == values.max())


SOURCE_TEXTS = {
    "attribution": ("ATTRIBUTION.md", "ATTRIBUTION.txt", "ATTRIBUTION"),
    "license": (
        "LICENSE",
        "LICENSE.txt",
        "LICENSE.md",
        "LICENCE",
        "LICENCE.txt",
        "LICENCE.md",
        "COPYING",
    ),
}
"""The licence and attribution texts of a data folder or a folder under it (one site's,
say), by the card field each gives, matched whatever their case (``license.txt``,
``Licence.md``); of each kind, the first name present (and not left out,
:func:`left_out`) is taken."""

NO_TERMS = "the model card cannot say under what terms the data may be used"
"""Why it matters that a data folder has neither licence nor attribution."""


def source_text_kind(path: Path) -> str | None:
    """Say which card field a file gives, if it is a folder's licence or attribution text.

    Parameters
    ----------
    path : Path
        A file in the data folder or a folder under it.

    Returns
    -------
    str or None
        ``"attribution"`` or ``"license"`` (:data:`SOURCE_TEXTS`) for the text that
        :func:`describe_source` takes from the file's folder; None for any other file.
    """
    for kind, names in SOURCE_TEXTS.items():
        if path.name.casefold() in {name.casefold() for name in names}:
            taken = _source_text_file(path.parent, names)
            return kind if taken is not None and taken.name == path.name else None
    return None


def _source_text_file(folder: Path, names: Sequence[str]) -> Path | None:
    """Return the first of `names`, in any case, that is a file in `folder`, not left out.

    Of two names that differ only in case (``LICENSE`` and ``license``, on a file system
    that tells them apart), the first in sorted order is taken.
    """
    with os.scandir(folder) as entries:
        present = sorted(entry.name for entry in entries)
    for name in names:
        for found in present:
            path = folder / found
            if found.casefold() == name.casefold() and path.is_file():
                if not left_out(Path(found), folder):
                    return path
    return None


def describe_source(folder: str | Path) -> dict[str, Any]:
    """Collect the licence and attribution texts that ship with a data folder.

    The data folder's own texts give the top-level fields; those of folders under it (one
    per site, say, as ``data.csv`` tables may be) are kept by folder. Texts and folders
    left out by the rule for images (:func:`left_out`) are passed over. The texts are
    decoded by :func:`read_source_text`; one that cannot be read is left out with a
    warning, as the data's provenance never blocks training. Where none is found, a
    warning says so, and so does the card.

    Parameters
    ----------
    folder : str or Path
        The data folder.

    Returns
    -------
    dict
        ``"attribution"``: the text of ``ATTRIBUTION.md`` (or ``.txt``, or none) if
        present; ``"license"``: the first two non-empty lines of ``LICENSE`` (``.txt``,
        ``.md``, ``LICENCE`` likewise, or ``COPYING``, in any case: its title) if present;
        ``"sources"``: the same two fields of each folder under it that has either,
        keyed by its path relative to ``folder`` (``/``), if any; ``"no_terms"``: a
        line saying none was found, where none was.
    """
    folder = Path(folder)
    out: dict[str, Any] = _source_texts(folder)
    sources = {}
    # A walk, not rglob: rglob fails on an entry of a folder that may not be searched.
    for sub in sorted(root / name for root, names, _ in _walk_kept(folder) for name in names):
        relative = sub.relative_to(folder)
        try:
            texts = _source_texts(sub)
        except OSError as error:  # no file in it can be looked up: name the folder, not one
            log.warning("leaving %s out of the model card: %s", sub, unlisted_reason(error))
            continue
        if texts:
            sources[text_safe(relative.as_posix())] = texts
    if sources:
        out["sources"] = sources
    if not out:
        log.warning("no licence or attribution found in %s: %s", folder, NO_TERMS)
        out["no_terms"] = f"no licence or attribution found in {folder.name}: {NO_TERMS}"
    return out


def _source_texts(folder: Path) -> dict[str, str]:
    """Read one folder's attribution (whole) and licence (its first two non-empty lines)."""
    out: dict[str, str] = {}
    for kind, names in SOURCE_TEXTS.items():
        path = _source_text_file(folder, names)
        text = read_source_text(path) if path is not None else None
        if text is None:
            continue
        if kind == "attribution":
            out[kind] = text.strip()
        else:
            out[kind] = " ".join([ln.strip() for ln in text.splitlines() if ln.strip()][:2])
    return out


def read_source_text(path: Path) -> str | None:
    """Read a licence or attribution text in the first encoding that fits (:func:`decode_text`).

    Parameters
    ----------
    path : Path
        The text file.

    Returns
    -------
    str or None
        Its text; None, with a warning that names the file, if it cannot be read.
    """
    try:
        raw = path.read_bytes()
    except OSError as e:
        log.warning("leaving %s out of the model card: %s", path, e.strerror or e)
        return None
    text, encoding = decode_text(raw)
    if encoding not in (TEXT_ENCODINGS[0], "utf-16"):
        log.info("%s is not UTF-8; read as %s", path, encoding)
    return text
