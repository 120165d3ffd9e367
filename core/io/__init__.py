"""Image input and output: DICOM, PNG, TIFF and ``.npy`` to and from :class:`XrayImage`.

:func:`read_image` and :func:`write_image` choose the format; every failure on
bad input is an :class:`~core.errors.ImageReadError` or
:class:`~core.errors.ImageWriteError` with a one-line reason.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import warnings
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from core.errors import ImageReadError, ImageWriteError, os_error_line
from core.image import XrayImage
from core.io.dicom_read import read_dicom
from core.io.dicom_write import (
    DENOISED,
    write_derived_dicom,
    write_new_dicom,
    write_secondary_capture,
)
from core.io.guards import MAX_DECODED_BYTES, MAX_SIDE, one_line
from core.io.output_names import output_stems
from core.io.raster_read import read_jpeg, read_npy, read_png, read_tiff
from core.io.raster_write import write_npy, write_png, write_tiff
from core.io.sniff import FORMAT_NAMES, detect_format
from core.io.source_record import history_then

__all__ = [
    "MAX_DECODED_BYTES",
    "MAX_SIDE",
    "WRITTEN_AS",
    "make_folders_for",
    "output_stems",
    "read_image",
    "silence_reader_libraries",
    "write_derived_dicom",
    "write_image",
    "write_new_dicom",
]

WRITTEN_AS = {"dicom": ".dcm", "png": ".png", "tiff": ".tif", "jpeg": ".png", "npy": ".npy"}
"""The suffix an image is written back with, by source format: its own format, but a JPEG
as PNG (the same 8 bits, without another round of compression artefacts)."""

_READERS: dict[str, Callable[[Path, int], XrayImage]] = {
    "dicom": read_dicom,
    "png": read_png,
    "tiff": read_tiff,
    "jpeg": read_jpeg,
    "npy": read_npy,
}


_DIGESTS: dict[tuple[int, ...], str] = {}
"""SHA-256 of the files read lately, by :func:`_stamp`: the frames of one file are read
one at a time (``--frame all``, the app's frame box, training), its bytes hashed once."""
_DIGESTS_KEPT = 64
_DIGESTS_LOCK = threading.Lock()


def read_image(path: str | os.PathLike[str], *, frame: int = 0, digest: bool = True) -> XrayImage:
    """Read one frame of a DICOM, PNG, TIFF, JPEG or ``.npy`` file.

    The format comes from the file's signature (DICOM also from a ``.dcm`` or
    ``.dicom`` extension, or from pydicom parsing it). The file is only read. With
    `digest`, the SHA-256 of its bytes is taken through the same open file as it is
    decoded (:attr:`XrayImage.source_sha256`): the file is held open while it is
    decoded, and a file replaced or rewritten meanwhile (another file, size or
    modification time under its name) is refused, so that the digest is that of the
    bytes decoded.

    Parameters
    ----------
    path : str or PathLike
        The file.
    frame : int
        Zero-based frame of a multi-frame DICOM or page of a TIFF; 0 otherwise.
    digest : bool
        Hash the whole file, for what records the source (an export, a report, a JSON
        record). False reads only what the frame needs (a frame of a large multi-frame
        DICOM is a small part of it) and gives an image whose ``source_sha256`` is None:
        for what only looks at the pixels (thumbnails, a folder scan, training).

    Returns
    -------
    XrayImage
        Float32 pixels in modality units, with mapping, window and metadata.

    Raises
    ------
    ImageReadError
        For every kind of bad input: missing, empty, truncated, corrupt,
        oversized or unsupported files, a bad frame index, a missing decoder, a
        file changed while it was read. No other exception escapes for bad file
        content.

    Warns
    -----
    XrayWarning
        When colour, palette or alpha data were converted to grayscale.
    """
    path = Path(path)
    source_format = detect_format(path)
    if not digest:
        return _decoded(path, source_format, frame)
    try:
        with path.open("rb") as file:
            stamp = _stamp(os.fstat(file.fileno()))
            sha256 = _sha256(file, stamp)
            image = _decoded(path, source_format, frame)
    except OSError as error:
        raise ImageReadError(path, f"cannot read the file: {error.strerror or error}") from None
    if _stamp_now(path) != stamp:  # the decoders open it by name: the same file?
        raise ImageReadError(path, "the file changed while it was read; read it again")
    with _DIGESTS_LOCK:
        _DIGESTS[stamp] = sha256
        while len(_DIGESTS) > _DIGESTS_KEPT:
            del _DIGESTS[next(iter(_DIGESTS))]
    return replace(image, source_sha256=sha256)


def _stamp(status: os.stat_result) -> tuple[int, ...]:
    """Tell a file's version apart: device, inode, size, modification and change times."""
    return (
        status.st_dev,
        status.st_ino,
        status.st_size,
        status.st_mtime_ns,
        status.st_ctime_ns,
    )


def _stamp_now(path: Path) -> tuple[int, ...] | None:
    """Return the :func:`_stamp` of the file at `path` now, None where there is none."""
    try:
        return _stamp(os.stat(path))
    except OSError:
        return None


def _sha256(file: BinaryIO, stamp: tuple[int, ...]) -> str:
    """Return the SHA-256 of open `file`'s bytes, that of `stamp` if hashed lately.

    Raises
    ------
    OSError
        If the file cannot be read.
    """
    with _DIGESTS_LOCK:
        known = _DIGESTS.get(stamp)
    return known if known is not None else hashlib.file_digest(file, "sha256").hexdigest()


def _decoded(path: Path, source_format: str, frame: int) -> XrayImage:
    """Decode frame `frame` of `path`, a `source_format` file; any failure an ImageReadError."""
    try:
        return _READERS[source_format](path, frame)
    except ImageReadError:
        raise
    except MemoryError:
        raise ImageReadError(path, "not enough memory to decode the image") from None
    except BaseException as error:  # the boundary: decoder and parser failures of any type
        # Rust decoders (pylibjpeg-rle) panic on some corrupt data; pyo3 raises that
        # as pyo3_runtime.PanicException, a BaseException. Interrupts pass through.
        if not isinstance(error, Exception) and type(error).__module__ != "pyo3_runtime":
            raise
        name = FORMAT_NAMES[source_format]
        if "imagecodecs" in str(error) or type(error).__name__ == "DelayedImportError":
            # tifffile's codecs come from imagecodecs; a few (Jetraw, say) need more.
            raise ImageReadError(
                path, f"its {name} compression needs a codec not installed ({one_line(error)})"
            ) from error
        raise ImageReadError(path, f"invalid or corrupt {name} file ({one_line(error)})") from error


def silence_reader_libraries() -> None:
    """Keep pydicom's warnings and tifffile's log remarks on unusual files from the user.

    Both remark on damaged or unusual headers that the readers handle; what matters
    reaches the user as an :class:`~core.errors.ImageReadError` or an
    :class:`~core.errors.XrayWarning` that names the file. Python's warning filters
    belong to the process and are shared by its threads, so a program calls this once
    as it starts (the app, the command line and the training process do), and
    :func:`read_image` never swaps them around a read, which would race with the
    reads and warnings of other threads.
    """
    warnings.filterwarnings("ignore", module="pydicom")
    logging.getLogger("tifffile").setLevel(logging.ERROR)


def make_folders_for(path: str | os.PathLike[str]) -> None:
    """Create the folder `path` is to be written in, and any above it that are missing.

    As ``xray-denoise denoise --output-dir`` does: an output may name a folder that does
    not exist yet.

    Parameters
    ----------
    path : str or PathLike
        A file to be written.

    Raises
    ------
    ImageWriteError
        If a folder cannot be created (a file in the way, no permission), with the
        file system's reason.
    """
    path = Path(path)
    folders = (path.parent, *path.parent.parents)
    existing = next((folder for folder in folders if folder.exists()), None)
    if existing is not None and not existing.is_dir():
        raise ImageWriteError(path, f"{existing} is a file, not a folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ImageWriteError(path, f"cannot create its folder: {os_error_line(error)}") from error


def write_image(
    image: XrayImage,
    path: str | os.PathLike[str],
    *,
    description: str,
    operation: str = DENOISED,
    dose: float | None = None,
    overwrite: bool = False,
    series_uid: str | None = None,
    instance_number: int | None = None,
    history: str = "",
) -> Path:
    """Write `image` in the format of the extension of `path`, atomically.

    * ``.dcm``/``.dicom``: a derived DICOM (:func:`write_derived_dicom`) when the
      image has a source DICOM header; otherwise a new Secondary Capture DICOM
      with the image's stored values (:func:`write_secondary_capture`).
    * ``.png``: 16-bit grayscale (8-bit if the source mapping is 8-bit).
    * ``.tif``/``.tiff``: the source's bit depth; float32 for float sources.
    * ``.npy``: the pixel values as float32 (`description` is not stored).

    Integer formats hold ``image.mapping.to_stored(image.pixels)``. The file is
    written to a temporary file in the destination folder, fsynced and renamed;
    on failure nothing is left.

    Parameters
    ----------
    image : XrayImage
        The image to write.
    path : str or PathLike
        Destination; never the image's source file.
    description : str
        What was done to the image (DerivationDescription, PNG/TIFF description).
    operation : str
        For a derived DICOM, what was done, in a few words for its SeriesDescription
        (``"denoised"``, ``"simulated 10 % dose"``).
    dose : float, optional
        For a derived DICOM of a simulation, the fraction of the source's exposure
        simulated: the exposure values it states are scaled by it.
    overwrite : bool
        Replace an existing file (never the source).
    series_uid, instance_number : optional
        For a derived DICOM, the series it joins and its number there
        (:func:`write_derived_dicom`); other files have no series.
    history : str
        What was done to the image before `description` and not written to a file (a
        lower dose simulated from the source, say). A derived DICOM gives it a
        ContributingEquipmentSequence item of its own, and its DerivationDescription
        leaves its oldest text out first (:func:`write_derived_dicom`), as a new
        DICOM's does (:func:`write_secondary_capture`); other files write it before
        `description`.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ImageWriteError
        For an unknown extension, data the format cannot hold, an existing
        file without `overwrite`, the source file, or any write failure.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".dcm", ".dicom") and image.dataset is not None:
        return write_derived_dicom(
            image,
            path,
            description=description,
            operation=operation,
            dose=dose,
            overwrite=overwrite,
            series_uid=series_uid,
            instance_number=instance_number,
            history=history,
        )
    if suffix in (".dcm", ".dicom"):
        return write_secondary_capture(
            image, path, description=description, overwrite=overwrite, history=history
        )
    description = history_then(history, description)
    if suffix == ".png":
        return write_png(image, path, description=description, overwrite=overwrite)
    if suffix in (".tif", ".tiff"):
        return write_tiff(image, path, description=description, overwrite=overwrite)
    if suffix == ".npy":
        return write_npy(image, path, overwrite=overwrite)
    if suffix in (".jpg", ".jpeg"):
        raise ImageWriteError(
            path, "JPEG output would add compression artefacts to the result: use .png (lossless)"
        )
    raise ImageWriteError(
        path, f"unsupported output format {suffix or '(none)'}: use .dcm, .png, .tif or .npy"
    )
