"""Image input and output: DICOM, PNG, TIFF and ``.npy`` to and from :class:`XrayImage`.

:func:`read_image` and :func:`write_image` choose the format; every failure on
bad input is an :class:`~core.errors.ImageReadError` or
:class:`~core.errors.ImageWriteError` with a one-line reason.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable
from pathlib import Path

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


def read_image(path: str | os.PathLike[str], *, frame: int = 0) -> XrayImage:
    """Read one frame of a DICOM, PNG, TIFF, JPEG or ``.npy`` file.

    The format comes from the file's signature (DICOM also from a ``.dcm`` or
    ``.dicom`` extension, or from pydicom parsing it). The file is only read.

    Parameters
    ----------
    path : str or PathLike
        The file.
    frame : int
        Zero-based frame of a multi-frame DICOM or page of a TIFF; 0 otherwise.

    Returns
    -------
    XrayImage
        Float32 pixels in modality units, with mapping, window and metadata.

    Raises
    ------
    ImageReadError
        For every kind of bad input: missing, empty, truncated, corrupt,
        oversized or unsupported files, a bad frame index, a missing decoder.
        No other exception escapes for bad file content.

    Warns
    -----
    XrayWarning
        When colour, palette or alpha data were converted to grayscale.
    """
    path = Path(path)
    source_format = detect_format(path)
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
    if suffix in (".dcm", ".dicom"):
        if image.dataset is not None:
            return write_derived_dicom(
                image,
                path,
                description=description,
                operation=operation,
                dose=dose,
                overwrite=overwrite,
                series_uid=series_uid,
                instance_number=instance_number,
            )
        return write_secondary_capture(image, path, description=description, overwrite=overwrite)
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
