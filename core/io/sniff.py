"""Which reader a file needs: its signature first, then its extension."""

from __future__ import annotations

import stat
from pathlib import Path

from core.errors import ImageReadError
from core.io.dicom_read import is_dicomdir, read_dataset

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TIFF_SIGNATURES = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")  # classic and BigTIFF
NPY_SIGNATURE = b"\x93NUMPY"
JPEG_SIGNATURE = b"\xff\xd8\xff"
DICOM_SUFFIXES = (".dcm", ".dicom")
FORMAT_NAMES = {
    "dicom": "DICOM",
    "png": "PNG",
    "tiff": "TIFF",
    "jpeg": "JPEG",
    "npy": "NumPy .npy",
}
_SUFFIX_FORMATS = {
    ".png": "png",
    ".tif": "tiff",
    ".tiff": "tiff",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".npy": "npy",
}
IMAGE_SUFFIXES = frozenset({*DICOM_SUFFIXES, *_SUFFIX_FORMATS})
"""File name endings (lower case) a folder scan takes as images without reading the file."""


def detect_format(path: Path) -> str:
    """Return ``"dicom"``, ``"png"``, ``"tiff"``, ``"jpeg"`` or ``"npy"`` for an existing file.

    DICOM is recognised by ``DICM`` at byte 128, by a ``.dcm``/``.dicom``
    extension, or (for files without a preamble) by pydicom finding image or
    SOP attributes in it; the others by their signature.

    Parameters
    ----------
    path : Path
        The file to inspect; it is only read.

    Returns
    -------
    str
        The format name.

    Raises
    ------
    ImageReadError
        If the path is missing, not a regular file, unreadable, empty, or of no
        known format.
    """
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError, ValueError):  # ValueError: a NUL in the name
        raise ImageReadError(path, "file not found") from None
    except OSError as error:  # a symbolic link loop, a folder that may not be searched
        raise ImageReadError(path, f"cannot read the file: {error.strerror or error}") from None
    if stat.S_ISDIR(mode):
        raise ImageReadError(path, "is a folder, not an image file")
    if not stat.S_ISREG(mode):  # a FIFO or a device: opening it may wait forever
        raise ImageReadError(path, "not a regular file")
    try:
        with path.open("rb") as file:
            head = file.read(132)
    except OSError as error:
        raise ImageReadError(path, f"cannot read the file: {error.strerror or error}") from None
    if not head:
        raise ImageReadError(path, "file is empty")
    if head[128:132] == b"DICM":
        return "dicom"
    if head.startswith(PNG_SIGNATURE):
        return "png"
    if head.startswith(TIFF_SIGNATURES):
        return "tiff"
    if head.startswith(NPY_SIGNATURE):
        return "npy"
    if head.startswith(JPEG_SIGNATURE):
        return "jpeg"
    suffix = path.suffix.lower()
    if suffix in DICOM_SUFFIXES or _looks_like_dicom(path):
        return "dicom"
    if suffix in _SUFFIX_FORMATS:
        name = FORMAT_NAMES[_SUFFIX_FORMATS[suffix]]
        raise ImageReadError(path, f"not a valid {name} file (wrong signature)")
    raise ImageReadError(path, "unsupported file format (expected DICOM, PNG, TIFF, JPEG or .npy)")


def is_image_candidate(path: Path) -> bool:
    """Whether a folder scan should take a file as an image to read.

    A file counts if its suffix is an image suffix (:data:`IMAGE_SUFFIXES`, in any
    case), or, whatever its suffix, if it has the DICOM preamble (``DICM`` at byte 128),
    as DICOM files named by their UID (``1.2.826.0.1.3680043.8.498.101``) have; or, where
    it has no suffix or a number for one (a UID's last part), if it parses as a DICOM
    image or SOP instance without the preamble, as :func:`detect_format` takes it (old
    PACS exports write such files). Only the first 132 bytes are read, and for a file
    without them the DICOM header (never the pixels); nothing is read for a file with an
    image suffix. A DICOMDIR (the index of a DICOM CD/DVD, no image, always named so) does
    not count (:func:`why_not_an_image` says why a file does not).

    Parameters
    ----------
    path : Path
        A file found in a folder.

    Returns
    -------
    bool
        False also for a file that cannot be read, and, without opening it, for one
        that is not a regular file (a FIFO, whose opening waits for a writer, or a device).
    """
    return why_not_an_image(path) is None


def why_not_an_image(path: Path) -> str | None:
    """Say why a folder scan does not take a file as an image (:func:`is_image_candidate`).

    Parameters
    ----------
    path : Path
        A file found in a folder.

    Returns
    -------
    str or None
        None for a file taken as an image; else the reason, for a log line that names
        the file: ``"a DICOMDIR (the index of a DICOM file-set), not an image"``,
        ``"a .txt file, not an image (no image suffix, no DICOM preamble)"``, ``"no image
        suffix, and not DICOM (no preamble, no image attributes)"``, ``"not a regular
        file"`` or ``"cannot be read: <why>"``.
    """
    if not is_regular_file(path):
        return "not a regular file"
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return None
    try:
        with path.open("rb") as file:
            head = file.read(132)
    except OSError as error:
        return f"cannot be read: {error.strerror or error}"
    # A File-set's index must be named DICOMDIR (PS3.10 8.6): only that name is checked.
    if path.name.upper() == "DICOMDIR" and is_dicomdir(path):
        return "a DICOMDIR (the index of a DICOM file-set), not an image"
    if head[128:132] == b"DICM":
        return None
    if suffix and not suffix[1:].isdigit():
        return f"a {suffix} file, not an image (no image suffix, no DICOM preamble)"
    # Parsed only where it begins as a data set does, with an element of the file meta
    # (group 0002) or of the first group of an image's attributes (0008), little- or
    # big-endian: pydicom would read a large file of anything else to its end.
    if head[:2] in DATA_SET_STARTS and _looks_like_dicom(path):
        return None
    return "no image suffix, and not DICOM (no preamble, no image attributes)"


def is_regular_file(path: Path) -> bool:
    """Whether `path` is a regular file (symbolic links followed), found without opening it.

    Parameters
    ----------
    path : Path
        Any path.

    Returns
    -------
    bool
        False for a folder, a FIFO, a socket or a device, and for a path that cannot be
        looked at (missing, a symbolic link loop, a folder that may not be searched).
    """
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except (OSError, ValueError):
        return False


DATA_SET_STARTS = (b"\x02\x00", b"\x08\x00", b"\x00\x08")
"""How a DICOM file without its preamble begins: the group of its first element, 0002 or
0008, little- or big-endian."""


def _looks_like_dicom(path: Path) -> bool:
    """Whether pydicom parses a file without preamble into an image or SOP instance."""
    try:
        dataset = read_dataset(path, stop_before_pixels=True, defer_size=1024)
    except Exception:  # a probe: any parse failure means "not DICOM"
        return False
    return "SOPClassUID" in dataset or "Rows" in dataset
