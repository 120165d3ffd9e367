"""Read one frame of a DICOM file: decode, modality LUT, photometric, window, metadata."""

from __future__ import annotations

import io
import threading
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from pydicom.datadict import dictionary_has_tag, dictionary_VR
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset, FileDataset
from pydicom.filereader import _read_file_meta_info, read_file_meta_info, read_preamble
from pydicom.filewriter import write_file_meta_info
from pydicom.multival import MultiValue
from pydicom.pixels import apply_color_lut, get_decoder, pack_bits, pixel_array
from pydicom.tag import Tag
from pydicom.uid import (
    HTJ2K,
    JPEG2000MC,
    UID,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    HTJ2KLossless,
    HTJ2KLosslessRPCL,
    ImplicitVRLittleEndian,
    JPEG2000MCLossless,
    JPEG2000TransferSyntaxes,
    JPEGLSTransferSyntaxes,
    JPEGTransferSyntaxes,
    MediaStorageDirectoryStorage,
    RLELossless,
)
from pydicom.valuerep import PersonName

from core.display import auto_window, made_window_function
from core.errors import ImageReadError
from core.image import VOI_LUT_FUNCTIONS, Padding, StoredMapping, VoiLut, Window, XrayImage
from core.io.codestream import (
    check_codestream,
    check_fragments,
    j2k_is_lossy,
    jpeg_lossy_method,
)
from core.io.color import luma, warn_converted
from core.io.functional_groups import check_per_frame_groups, flatten_functional_groups
from core.io.guards import (
    MAX_DECODED_BYTES,
    check_dimensions,
    check_frame,
    fit_bits_stored,
    warn_float32_error,
)
from core.io.jpeg2000 import decode_jpeg2000
from core.io.jpeg_decode import register_plugin
from core.io.lut import Lut, read_lut

MONOCHROME = ("MONOCHROME1", "MONOCHROME2")
COLOR = ("RGB", "YBR_FULL", "YBR_FULL_422", "YBR_ICT", "YBR_RCT")
PALETTE = "PALETTE COLOR"
GZIP_SIGNATURE = b"\x1f\x8b"
NATIVE_SYNTAXES = (ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian)
_DEFER_SIZE = "1 MB"
"""Values this long are read from the file only when used, so that a native frame of a
multi-frame file is read alone rather than with every frame."""
_J2K_METHODS = {
    **dict.fromkeys((JPEG2000MCLossless, JPEG2000MC), "ISO_15444_2"),
    **dict.fromkeys((HTJ2KLossless, HTJ2KLosslessRPCL, HTJ2K), "ISO_15444_15"),
}
"""LossyImageCompressionMethod of the JPEG 2000 syntaxes that are not of Part 1 (ISO_15444_1)."""
_OVERLAY_GROUPS = range(0x6000, 0x6020, 2)
"""The even groups an Overlay Plane may use (PS3.3 C.9.2)."""
_FLOAT_PIXEL_DATA = ("FloatPixelData", "DoubleFloatPixelData")
"""The pixel data of floating-point images (a Parametric Map, say), in place of PixelData."""
_DECODER_PACKAGES = {
    **dict.fromkeys(JPEG2000TransferSyntaxes, "pylibjpeg and pylibjpeg-openjpeg"),
    **dict.fromkeys(JPEGTransferSyntaxes + JPEGLSTransferSyntaxes, "imagecodecs"),
}
"""The packages whose pydicom plugin decodes each compressed transfer syntax (pydicom
itself decodes RLE and deflate; JPEG and JPEG-LS go through core.io.jpeg_decode)."""
_HIGH_BIT_DECODED = (*JPEGTransferSyntaxes, *JPEGLSTransferSyntaxes, *JPEG2000TransferSyntaxes)
"""The syntaxes whose codecs decode BitsStored-bit values whatever HighBit says (RLE,
unlike them, stores whole words: values in their high bits stay there)."""
_TEXT_VRS = frozenset(
    ("AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI")
    + ("UR", "UT")
)
"""The VRs of text values, whose bytes read the same in any byte order."""
_WHOLE_WORDS = (*NATIVE_SYNTAXES, RLELossless)
"""The syntaxes whose pixel data are read as whole words, wherever HighBit puts the values."""

MAX_INFLATED_BYTES = MAX_DECODED_BYTES + (256 << 20)
"""Size up to which the data set of a Deflated Explicit VR Little Endian file is inflated
whatever its compressed size: a frame of the largest size accepted
(:data:`core.io.guards.MAX_DECODED_BYTES`) and a header. pydicom would inflate any size at
once (2 GiB from a 2 MB file). A larger data set, of many frames, is inflated up to
:data:`MAX_INFLATION` times the file's size."""
MAX_INFLATION = 64
"""Most inflated bytes per byte of a deflated file beyond :data:`MAX_INFLATED_BYTES`.
Radiographs deflate a few to one (a tomosynthesis series of 80 frames of 3000 x 3000 at
16 bits: 1.44 GB from 36 MB, 40 to one); zeros deflate about a thousand to one."""
_INFLATE_CHUNK = 1 << 20
"""Compressed bytes read, and inflated bytes made, at a time."""

register_plugin()  # before any decoding: imagecodecs decodes JPEG and JPEG-LS frames

MODALITY_LUT_TYPE = "ModalityLUTType"
"""The metadata key of an image whose Modality LUT Sequence was applied: the table's unit
(its ModalityLUTType, ``"US"`` without one). The pixels, and the mapping's bits, are the
table's outputs; :data:`MODALITY_LUT_INPUT_BITS` keeps the file's own BitsStored."""
MODALITY_LUT_INPUT_BITS = "ModalityLUTInputBits"
"""The metadata key of the file's BitsStored, of the stored values an applied Modality LUT
Sequence took (:data:`MODALITY_LUT_TYPE`)."""

METADATA_KEYWORDS = (
    "Modality",
    "SOPClassUID",
    "SOPInstanceUID",
    "StudyInstanceUID",
    "SeriesInstanceUID",
    "PatientID",
    "PatientName",
    "PatientSex",
    "PatientAge",
    "PatientBirthDate",
    "ReferringPhysicianName",
    "InstitutionName",
    "StudyDate",
    "StudyTime",
    "StudyDescription",
    "SeriesDescription",
    "SeriesNumber",
    "InstanceNumber",
    "AccessionNumber",
    "BodyPartExamined",
    "ViewPosition",
    "ImageType",
    "DerivationDescription",
    "Manufacturer",
    "ManufacturerModelName",
    "InstitutionName",
    "DetectorType",
    "KVP",
    "Exposure",
    "ExposureInuAs",
    "ExposureTime",
    "XRayTubeCurrent",
    "ExposureIndex",
    "TargetExposureIndex",
    "DeviationIndex",
    "RelativeXRayExposure",
    "PhotometricInterpretation",
    "SamplesPerPixel",
    "BitsAllocated",
    "BitsStored",
    "HighBit",
    "PixelRepresentation",
    "Rows",
    "Columns",
    "NumberOfFrames",
    "RescaleSlope",
    "RescaleIntercept",
    "RescaleType",
    "WindowCenter",
    "WindowWidth",
    "VOILUTFunction",
    "PixelPaddingValue",
    "PixelPaddingRangeLimit",
    "LossyImageCompression",
    "LossyImageCompressionMethod",
)
"""Attributes copied into ``XrayImage.metadata`` (when present) as plain values."""


def read_dicom(path: Path, frame: int) -> XrayImage:
    """Read frame `frame` of a DICOM file.

    Pixel values are the decoded stored values (BitsStored honoured, as pydicom
    does) after the linear modality LUT, as float32. Values that need more bits than
    BitsStored (a JPEG-family codestream of a higher precision) are kept: the image
    takes the codestream's precision, as do BitsStored and HighBit in ``dataset``,
    with an :class:`XrayWarning` (:func:`core.io.guards.fit_bits_stored`).
    MONOCHROME1 is kept as is; colour and palette images become BT.601 luma with an
    :class:`XrayWarning`.
    Every WindowCenter/WindowWidth pair becomes a window (``file_windows``), with
    its explanation and the file's VOILUTFunction, and every VOI LUT Sequence item
    a table (``file_voi_luts``), with its LUTExplanation. The default display is the
    first window; without one, the first table (``voi_lut``) if any, with
    ``window`` then set by :func:`core.display.auto_window` (0.5 and 99.5
    percentiles of the pixels that are not padding) for manual windowing. A
    grayscale image's PixelPaddingValue (and PixelPaddingRangeLimit) gives its
    ``padding``. A lossy JPEG 2000 frame (:func:`core.io.codestream.j2k_is_lossy`:
    the irreversible wavelet, or a syntax that allows lossy compression without
    LossyImageCompression ``"00"``) marks the header (``dataset``)
    LossyImageCompression ``"01"``, whatever it said; so does a lossy JPEG or JPEG-LS
    frame under any syntax, a lossless one included
    (:func:`core.io.codestream.jpeg_lossy_method`: a DCT process, NEAR above 0, a point
    transform).
    HighBit BitsAllocated - 1 over fewer bits stored, in uncompressed or RLE pixel data
    (whose decoded words keep the values where they were stored), is read from the low
    bits, with an :class:`XrayWarning` that the header looks mislabelled, only where the
    file's values clearly lie there: the top unused bits of every word of every frame
    zero (or, for signed values, zero or repeating the sign; the values are
    sign-extended from BitsStored) and the low unused bits not all zero. Otherwise the
    header is trusted, with an :class:`XrayWarning`: the values are read from the high
    bits (left-aligned; legacy CR/DX), any stray bits in the low unused bits ignored
    (:func:`_values_high_bit`). Every frame of a file is read the same way. In JPEG,
    JPEG-LS and JPEG 2000 (HTJ2K included) pixel data HighBit is ignored, with an
    :class:`XrayWarning`: their codecs decode BitsStored-bit values. Either way the
    header's HighBit becomes BitsStored - 1; any other HighBit than these is refused.
    An overlay embedded in unused bits of uncompressed pixel data
    (a retired encoding) becomes the header's OverlayData; one declared without data
    that cannot be found so is left out of the header, with an :class:`XrayWarning`.
    Of a multi-frame overlay (NumberOfFramesInOverlay, ImageFrameOrigin) the header
    keeps the frame's plane alone, or, where the overlay has none for the frame, leaves
    the group out with an :class:`XrayWarning` (:func:`_keep_frame_overlays`).
    An applied Modality LUT Sequence leaves the header the identity rescale in the
    table's unit (RescaleType its ModalityLUTType).
    In an enhanced multi-frame file, the frame's functional groups (per-frame, else
    shared) give the header's top-level pixel spacing, rescale and window before any
    of this (:func:`core.io.functional_groups.flatten_functional_groups`).
    Only the requested frame is decoded (and, for a native transfer syntax, read), so
    the size limits of
    :func:`core.io.guards.check_dimensions` apply to one frame, checked on the
    header and on the codestream before decoding.

    Parameters
    ----------
    path : Path
        The file; it is only read.
    frame : int
        Zero-based frame index.

    Returns
    -------
    XrayImage
        With ``dataset`` set to the file's header without pixel data.

    Raises
    ------
    ImageReadError
        For files that are not DICOM, files without pixel data, missing or invalid
        image attributes, oversized images, a bad frame index, or a transfer syntax
        that no installed plugin decodes. Other failures are converted by the caller.
    """
    ds = read_dataset(path, defer_size=_DEFER_SIZE)
    if len(ds) == 0:
        raise _nothing_read(path)
    _text_vrs_for_un(ds)
    _check_is_dicom(path, ds)
    if "PixelData" not in ds:
        raise _no_pixel_data(path, ds)
    if _is_empty(ds.get_item("PixelData", keep_deferred=True)):
        raise ImageReadError(path, "the pixel data is empty")
    syntax = _transfer_syntax(path, ds)
    rows, cols = _int(path, ds, "Rows"), _int(path, ds, "Columns")
    samples = _int(path, ds, "SamplesPerPixel", 1)
    bits_allocated = _int(path, ds, "BitsAllocated")
    bits_stored = _int(path, ds, "BitsStored", bits_allocated)
    signed = _int(path, ds, "PixelRepresentation", 0) == 1
    n_frames = _int(path, ds, "NumberOfFrames", 1)
    if bits_allocated not in (1, 8, 16, 32) or not 1 <= bits_stored <= bits_allocated:
        raise ImageReadError(
            path,
            f"unsupported bit depth (BitsAllocated {bits_allocated}, BitsStored {bits_stored})",
        )
    high_bit = _int(path, ds, "HighBit", bits_stored - 1)
    native = syntax in NATIVE_SYNTAXES
    whole_words = syntax in _WHOLE_WORDS
    if n_frames < 1:
        raise ImageReadError(path, f"invalid NumberOfFrames {n_frames}")
    check_dimensions(
        path, rows, cols, samples=samples, bytes_per_sample=max(1, bits_allocated // 8)
    )
    check_frame(path, frame, n_frames)
    check_fragments(path, ds, syntax, n_frames)  # before any work a frame count sets
    check_per_frame_groups(path, ds, n_frames)
    flatten_functional_groups(ds, frame)
    photometric = str(ds.get("PhotometricInterpretation", "")).strip().upper()
    if photometric not in (*MONOCHROME, PALETTE, *COLOR):
        raise ImageReadError(
            path, f"unsupported photometric interpretation {photometric or '(missing)'}"
        )
    if samples != (3 if photometric in COLOR else 1):
        raise _invalid_combination(path, photometric, samples)
    _check_decoder(path, syntax)
    if high_bit != bits_stored - 1 and syntax in _HIGH_BIT_DECODED:  # the codec ignores it
        warn_converted(
            path,
            f"HighBit {high_bit} with BitsStored {bits_stored} ignored: compressed pixel "
            "data read as decoded",
        )
        ds.HighBit = high_bit = bits_stored - 1  # the header a derived file copies
    if high_bit != bits_stored - 1 and not (whole_words and high_bit == bits_allocated - 1):
        raise ImageReadError(
            path,
            f"unsupported HighBit {high_bit} with BitsStored {bits_stored} (only "
            f"{bits_stored - 1}, or {bits_allocated - 1} in uncompressed or RLE pixel data)",
        )
    codestream = check_codestream(path, ds, syntax, frame, n_frames)
    ds.file_meta.TransferSyntaxUID = syntax  # for files without meta; the file is untouched
    is_j2k = codestream is not None and syntax in JPEG2000TransferSyntaxes
    if is_j2k and j2k_is_lossy(codestream.data, syntax, ds.get("LossyImageCompression")):
        _mark_lossy(ds, _J2K_METHODS.get(syntax, "ISO_15444_1"))
    elif codestream is not None and (method := jpeg_lossy_method(codestream.data)):
        _mark_lossy(ds, method)  # a DCT or near-lossless codestream under a lossless syntax
    stored = words = None
    if is_j2k and samples == 1:
        stored_type = np.dtype(f"{'i' if signed else 'u'}{max(1, bits_allocated // 8)}")
        stored = decode_jpeg2000(codestream.data, (rows, cols), stored_type)
    elif high_bit != bits_stored - 1 or (native and _overlays_without_data(ds)):
        words = _decode_frame(path, ds, syntax, frame, n_frames, raw=True)
        if high_bit != bits_stored - 1:
            key = _file_key(path, n_frames, bits_stored, signed)
            with _LOW_VALUES_LOCK:
                low = _LOW_VALUES.get(key) if key is not None else None
            others = (
                _decode_frame(path, ds, syntax, other, n_frames, raw=True)
                for other in range(n_frames)
                if other != frame and low is None  # decided for this file already
            )
            high_bit = _values_high_bit(path, ds, words, others, bits_stored, signed, low)
            if key is not None:
                with _LOW_VALUES_LOCK:  # the app reads in worker threads
                    _LOW_VALUES[key] = high_bit == bits_stored - 1
                    while len(_LOW_VALUES) > _LOW_VALUES_KEPT:
                        del _LOW_VALUES[next(iter(_LOW_VALUES))]
            ds.HighBit = bits_stored - 1  # the header a derived file copies describes them
        stored = _stored_bits(words, bits_stored, high_bit, signed)
    if stored is None:
        stored = _decode_frame(path, ds, syntax, frame, n_frames)
    _move_embedded_overlays(path, ds, words, bits_stored, high_bit, syntax)
    _keep_frame_overlays(path, ds, frame, syntax)
    fitted = fit_bits_stored(
        path,
        stored,
        bits_stored,
        signed=signed,
        bits_allocated=bits_allocated,
        precision=None if codestream is None else codestream.precision,
    )
    if fitted != bits_stored:  # the header a derived file copies must hold the values too
        ds.BitsStored, ds.HighBit, bits_stored = fitted, fitted - 1, fitted

    padding = None
    applied: dict[str, Any] = {}  # what an applied Modality LUT leaves in the metadata
    if photometric in MONOCHROME and stored.ndim == 2:
        padding = _padding(ds, stored, signed)
        modality_lut = _modality_lut(path, ds, syntax, signed)
        if modality_lut is None:
            mapping = _modality_mapping(path, ds, bits_stored, signed)
        else:  # the table's outputs become the stored values, with no modality transform
            stored = modality_lut.look_up(stored)
            mapping = StoredMapping(bits_stored=modality_lut.bits)
            padding = None if padding is None else _padding_through(padding, modality_lut)
            applied = {
                MODALITY_LUT_TYPE: _replace_modality_lut(ds),
                MODALITY_LUT_INPUT_BITS: bits_stored,
            }
        pixels = mapping.to_pixels(stored)
        warn_float32_error(path, mapping, stored, pixels, None if padding is None else padding.mask)
    elif photometric == PALETTE and stored.ndim == 2:
        rgb = apply_color_lut(stored, ds)
        pixels = luma(rgb)
        mapping = StoredMapping(bits_stored=8 * rgb.dtype.itemsize)
        photometric = "MONOCHROME2"
        warn_converted(path, "palette colour image converted to grayscale (BT.601 luma)")
    elif photometric in COLOR and stored.ndim == 3 and stored.shape[-1] == 3:
        pixels = luma(stored)
        mapping = StoredMapping(bits_stored=bits_stored)
        warn_converted(path, f"{photometric} image converted to grayscale (BT.601 luma)")
        photometric = "MONOCHROME2"
    else:
        raise _invalid_combination(path, photometric, samples)

    windows = _file_windows(ds)
    voi_luts = _voi_luts(path, ds, syntax, mapping)
    voi = None if windows or not voi_luts else voi_luts[0]
    for tag in [tag for tag in ds.keys() if tag.group == 0x7FE0]:
        del ds[tag]  # pixel data lives on in `pixels`; the header serves derived output
    _read_deferred_values(ds)  # the header no longer needs the file, which may go
    if windows:
        window = windows[0]
    else:
        window = auto_window(
            pixels,
            padding=None if padding is None else padding.mask,
            linear=made_window_function(mapping) == "LINEAR",
        )
    return XrayImage(
        pixels=pixels,
        mapping=mapping,
        window=window,
        photometric=photometric,
        source_format="dicom",
        source_path=path,
        pixel_spacing=_pixel_spacing(ds),
        voi_lut=None if voi is None else voi.table,
        voi_lut_first=0 if voi is None else voi.first,
        voi_lut_bits=16 if voi is None else voi.bits,
        file_windows=windows,
        file_voi_luts=voi_luts,
        padding=padding,
        frame=frame,
        n_frames=n_frames,
        metadata={**_metadata(ds, syntax), **applied},
        dataset=ds,
    )


def read_dataset(path: Path, **options: Any) -> FileDataset:
    """Read `path` as pydicom's forced ``dcmread`` does, inflating a deflated data set here.

    The data set of a Deflated Explicit VR Little Endian file is inflated a chunk at a
    time into memory, up to :data:`MAX_INFLATED_BYTES` (or :data:`MAX_INFLATION` times the
    file's size, where more), and read from there whole (the
    file's file meta information kept, its transfer syntax included); `options` other
    than `defer_size` are passed on. Other files are read by ``dcmread`` itself. Every
    read of a DICOM file goes through here: ``dcmread`` inflates a deflated data set in
    one piece, whatever its size, even for its header alone (a 2 MB file took 4.3 GB).

    Parameters
    ----------
    path : Path
        The file.
    **options
        ``dcmread``'s options (``stop_before_pixels``, ``specific_tags``, ``defer_size``).

    Returns
    -------
    FileDataset

    Raises
    ------
    ImageReadError
        If the deflated data set expands past its limit, or is corrupt.
    """
    with path.open("rb") as file:
        try:
            preamble = read_preamble(file, force=True)
            start = file.tell()
            has_meta = preamble is not None or file.read(2) == b"\x02\x00"  # group 0002
            file.seek(start)
            meta = _read_file_meta_info(file) if has_meta else None
        except Exception:  # noqa: BLE001 (dcmread tells what is wrong with such a file)
            meta = None
        if meta is None or meta.get("TransferSyntaxUID") != DeflatedExplicitVRLittleEndian:
            return pydicom.dcmread(path, force=True, **options)
        buffer = io.BytesIO()
        if preamble is not None:
            buffer.write(preamble + b"DICM")
        meta.TransferSyntaxUID = ExplicitVRLittleEndian  # for dcmread: inflated already
        write_file_meta_info(buffer, meta, enforce_standard=False)
        _inflate(path, file, buffer)
    buffer.seek(0)
    options.pop("defer_size", None)  # the values are read out of the buffer, which goes
    ds = pydicom.dcmread(buffer, force=True, **options)
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    ds.filename, ds.buffer = str(path), None
    return ds


def _inflate(path: Path, file: io.BufferedReader, buffer: io.BytesIO) -> None:
    """Inflate the raw deflate stream from `file` into `buffer`, refusing it past the limit.

    The limit is :data:`MAX_INFLATED_BYTES`, or :data:`MAX_INFLATION` times the file's
    size where that is more.
    """
    limit = max(MAX_INFLATED_BYTES, MAX_INFLATION * path.stat().st_size)
    room = limit
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    compressed = b""
    while not inflater.eof:
        compressed = compressed or file.read(_INFLATE_CHUNK)
        if not compressed:
            break  # a stream cut short: dcmread reads what there is
        try:
            data = inflater.decompress(compressed, min(room + 1, _INFLATE_CHUNK))
        except zlib.error as error:
            raise ImageReadError(path, f"its deflated data set is corrupt ({error})") from None
        compressed = inflater.unconsumed_tail
        room -= len(data)
        if room < 0:
            raise ImageReadError(
                path, f"its deflated data set expands past {limit / 2**30:.3g} GiB"
            )
        buffer.write(data)


def _text_vrs_for_un(ds: Dataset) -> None:
    """Give each top-level element read as UN of a standard text attribute its dictionary VR.

    A text value too long for its VR's 16-bit length (a SeriesDescription of 70,000
    characters) is written as UN, and pydicom reads it back so, as bytes: a derived header
    could then not set the attribute, nor the metadata show it. Values still in the file
    (over :data:`_DEFER_SIZE`) are left as they are.
    """
    for tag in list(ds.keys()):
        element = ds.get_item(tag, keep_deferred=True)
        if (
            isinstance(element, RawDataElement)
            and element.VR == "UN"
            and element.value is not None
            and dictionary_has_tag(tag)
            and dictionary_VR(tag) in _TEXT_VRS
        ):
            ds[tag] = element._replace(VR=dictionary_VR(tag))  # converted when first used


def _is_empty(element: DataElement | RawDataElement) -> bool:
    """Whether an element's value is empty, without reading a deferred value from the file."""
    if isinstance(element, RawDataElement):
        return element.length == 0
    return not element.value


def _read_deferred_values(ds: Dataset) -> None:
    """Read the long values still in the file into the header, so that it needs the file no more.

    Only those (of the top-level dataset) are read: converting the other elements could
    refuse a file for a malformed value nobody uses, which the writer copies as it is.
    """
    for tag in list(ds.keys()):
        element = ds.get_item(tag, keep_deferred=True)
        if isinstance(element, RawDataElement) and element.value is None:
            ds[tag]  # noqa: B018 (reading it is the point: pydicom reads deferred values so)


def _nothing_read(path: Path) -> ImageReadError:
    """Return the error for a file of which pydicom's forced read kept no element.

    pydicom keeps nothing of a file whose encapsulated (compressed) pixel data end before
    their sequence delimiter, so the header is read once more, up to the pixel data:
    where it holds an image's attributes, the compressed pixel data are what is cut
    short or corrupt.
    """
    try:
        header = read_dataset(path, stop_before_pixels=True, defer_size=1024)
    except Exception:  # noqa: BLE001 (a header that cannot be read tells nothing more)
        header = None
    if header is not None and "Rows" in header:
        syntax = header.file_meta.get("TransferSyntaxUID")
        if syntax is not None and UID(syntax) not in NATIVE_SYNTAXES:
            return ImageReadError(
                path,
                "the compressed pixel data is truncated or corrupt (the file may have been "
                "cut short)",
            )
    return ImageReadError(path, "no DICOM data could be read (the file may be truncated)")


def _decode_frame(
    path: Path, ds: Dataset, syntax: UID, frame: int, n_frames: int, *, raw: bool = False
) -> np.ndarray:
    """Decode one frame's stored values, or with `raw` (native data only) its whole words.

    Native pixel data shorter than the frames need are refused first. A native frame of
    a multi-frame file is read from the file alone; the header's image pixel attributes
    there are the file's own, as in ``ds``. Raw words are unsigned, every bit of
    BitsAllocated kept: pydicom otherwise keeps BitsStored low bits.
    """
    options = {}
    if raw:
        options = {"bits_stored": int(ds.BitsAllocated), "pixel_representation": 0}
    if syntax in NATIVE_SYNTAXES:
        _check_native_length(path, ds, n_frames)
        if n_frames > 1:
            with path.open("rb") as file:
                return pixel_array(file, index=frame, transfer_syntax_uid=syntax, **options)
    return pixel_array(ds, index=frame, **options)


def _stored_bits(words: np.ndarray, bits_stored: int, high_bit: int, signed: bool) -> np.ndarray:
    """Return the stored values held in bits ``high_bit - bits_stored + 1 .. high_bit`` of `words`.

    Parameters
    ----------
    words : ndarray of unsigned int
        Whole pixel data words, as :func:`_decode_frame` gives them with `raw`.
    bits_stored, high_bit : int
        BitsStored and HighBit: the values' width and their top bit in a word.
    signed : bool
        Whether the values are two's complement (PixelRepresentation 1).

    Returns
    -------
    ndarray
        The values, of the words' width and the given sign; the bits outside the
        range (overlays, garbage) are dropped.
    """
    width = 8 * words.itemsize
    words = words.astype(np.dtype(f"u{words.itemsize}"), copy=False)  # native byte order
    top = words << words.dtype.type(width - 1 - high_bit)  # the bits above HighBit dropped
    if signed:
        top = top.view(np.dtype(f"i{words.itemsize}"))  # its shift then extends the sign
    return top >> top.dtype.type(width - bits_stored)


def _values_high_bit(
    path: Path,
    ds: Dataset,
    words: np.ndarray,
    other_frames: Iterable[np.ndarray],
    bits_stored: int,
    signed: bool,
    low: bool | None = None,
) -> int:
    """Return the top bit of the values in `words`, whose header says the words' own top bit.

    The values are read from the low bits (a mislabelled header) only where they clearly
    lie there: the top unused bits of every word of every frame are zero (or, for signed
    values, zero or repeating the sign bit) and the low unused bits are not all zero.
    Otherwise the header is trusted: the values are read from the high bits
    (left-aligned, legacy CR/DX), where stray bits in the low unused bits are ignored, as
    the standard has unused bits ignored. The decision is the file's, so that every frame
    is read alike: the other frames are decoded only while the low bits stay in question.
    Either reading comes with an :class:`XrayWarning` naming the file. The bits of an
    overlay embedded outside the values (:func:`_embedded_bit`) are left out of each
    check.

    Parameters
    ----------
    path : Path
        The file, for the warning.
    ds : Dataset
        Its header, with the overlay groups.
    words : ndarray of unsigned int
        The frame's whole words, as :func:`_decode_frame` gives them with `raw`.
    other_frames : iterable of ndarray
        The other frames' whole words (none in a single-frame file), decoded as needed.
    bits_stored : int
        BitsStored, fewer than the words' bits.
    signed : bool
        Whether the values are two's complement (PixelRepresentation 1).
    low : bool, optional
        The file's decision, made by an earlier read of another of its frames: then
        `other_frames` is not looked at.

    Returns
    -------
    int
        The words' top bit (left-aligned values) or ``bits_stored - 1`` (mislabelled).
    """
    width = 8 * words.itemsize
    unused = width - bits_stored
    header = f"HighBit {width - 1} with BitsStored {bits_stored}"
    fits, stray = _low_aligned_bits(ds, words, bits_stored, signed)
    low_used, frames = stray, 1
    for other in other_frames:
        if not fits:
            break
        other_fits, other_low_used = _low_aligned_bits(ds, other, bits_stored, signed)
        fits, low_used, frames = other_fits, low_used or other_low_used, frames + 1
    if low is not None and (fits or not low):  # a frame whose top bits are used says high
        fits, low_used, frames = low, low, 2
    if fits and low_used:
        where = " of every frame" if frames > 1 else ""
        warn_converted(
            path,
            f"{header} looks mislabelled: the top {unused} bits of the words{where} are "
            f"{'zero or the sign repeated' if signed else 'zero'} and the low {unused} "
            f"are not all zero, so the stored values are read from the low {bits_stored} bits",
        )
        return bits_stored - 1
    ignored = ", stray bits in the low unused bits ignored" if stray else ""
    warn_converted(path, f"{header}: stored values read from the high bits (left-aligned){ignored}")
    return width - 1


_LOW_VALUES: dict[tuple[str, int, int, int, int, int, int, bool], bool] = {}
"""Per multi-frame file (path, inode, size, mtime, ctime, frames, BitsStored, sign; a copy
that keeps the mtime, ``cp -p`` say, still has another inode and ctime): whether its values
were found in the low bits under HighBit BitsAllocated - 1 (:func:`_values_high_bit`), so
that reading its other frames, one at a time, decodes the file once, not once a frame."""
_LOW_VALUES_KEPT = 64
"""How many files' decisions are kept (the oldest are forgotten first)."""
_LOW_VALUES_LOCK = threading.Lock()


def _file_key(
    path: Path, n_frames: int, bits_stored: int, signed: bool
) -> tuple[str, int, int, int, int, int, int, bool] | None:
    """Return the key of a multi-frame file's decision in :data:`_LOW_VALUES`, or None.

    None for a single frame (nothing to keep) or a file that cannot be looked at.
    """
    if n_frames < 2:
        return None
    try:
        status = path.stat()
    except OSError:
        return None
    return (
        str(path.absolute()),
        status.st_ino,
        status.st_size,
        status.st_mtime_ns,
        status.st_ctime_ns,
        n_frames,
        bits_stored,
        signed,
    )


def _low_aligned_bits(
    ds: Dataset, words: np.ndarray, bits_stored: int, signed: bool
) -> tuple[bool, bool]:
    """Say whether a frame's values could lie in the low bits, and whether they use them.

    Returns
    -------
    fits_low : bool
        Whether the top unused bits of every word are zero (for signed values, zero or
        repeating the sign bit), leaving embedded overlays' bits out.
    low_used : bool
        Whether any of the low unused bits is set, leaving embedded overlays' bits out.
    """
    width = 8 * words.itemsize
    kind = words.dtype.type
    unused = width - bits_stored
    low = kind(((1 << unused) - 1) & ~_overlay_bits(ds, words, bits_stored, width - 1))
    top = kind(
        ((1 << width) - (1 << bits_stored))
        & ~_overlay_bits(ds, words, bits_stored, bits_stored - 1)
    )
    top_bits = words & top
    fits_low = top_bits == 0
    if signed:  # or the top bits repeat the sign bit
        fits_low |= (top_bits == top) & (words & kind(1 << (bits_stored - 1)) != 0)
    return bool(np.all(fits_low)), bool(np.any(words & low))


def _overlay_bits(ds: Dataset, words: np.ndarray, bits_stored: int, high_bit: int) -> int:
    """Return the mask of the bits of `words` that hold an embedded overlay.

    Those are the bits :func:`_embedded_bit` finds, with the values' top bit `high_bit`.
    """
    mask = 0
    for group in _overlays_without_data(ds):
        bit = _embedded_bit(ds, group, words, bits_stored, high_bit)
        mask |= 0 if bit is None else 1 << bit
    return mask


def _overlays_without_data(ds: Dataset) -> list[int]:
    """Return the overlay groups that declare an overlay (OverlayRows) without OverlayData."""
    return [
        group
        for group in _OVERLAY_GROUPS
        if Tag(group, 0x0010) in ds and Tag(group, 0x3000) not in ds
    ]


def _move_embedded_overlays(
    path: Path,
    ds: Dataset,
    words: np.ndarray | None,
    bits_stored: int,
    high_bit: int,
    syntax: UID,
) -> None:
    """Move each overlay in the pixel data's unused bits into OverlayData; drop the others.

    An overlay group without OverlayData (the retired encoding: OverlayBitsAllocated
    BitsAllocated, OverlayBitPosition an unused bit of the pixel data words) takes its
    bit plane of this frame's raw `words` as OverlayData (one bit a pixel, packed as
    pydicom packs it, in 16-bit words of the byte order of `syntax`, as the header's
    other OW values are; OverlayBitsAllocated 1, OverlayBitPosition 0, one frame). A
    group whose overlay cannot be found so (compressed pixel data, whose `words` are
    None, or a bit position of the stored values) is removed with an
    :class:`XrayWarning`: a derived image would declare an overlay it does not hold.
    """
    dropped = []
    for group in _overlays_without_data(ds):
        bit = None if words is None else _embedded_bit(ds, group, words, bits_stored, high_bit)
        if bit is None:
            for tag in [tag for tag in ds.keys() if tag.group == group]:
                del ds[tag]
            dropped.append(f"{group:04X}")
            continue
        packed = pack_bits(((words >> words.dtype.type(bit)) & 1).astype(np.uint8))
        if syntax == ExplicitVRBigEndian:  # a derived file's writer swaps every OW word back
            packed = np.frombuffer(packed, "<u2").astype(">u2").tobytes()
        ds.add_new(Tag(group, 0x0100), "US", 1)  # OverlayBitsAllocated
        ds.add_new(Tag(group, 0x0102), "US", 0)  # OverlayBitPosition
        ds.add_new(Tag(group, 0x3000), "OW", packed)  # OverlayData
        for element in (0x0015, 0x0051):  # NumberOfFramesInOverlay, ImageFrameOrigin
            if Tag(group, element) in ds:
                del ds[Tag(group, element)]
    if dropped:
        warn_converted(
            path,
            f"overlay group {', '.join(dropped)} without OverlayData and not in unused bits "
            "of the pixel data: left out",
        )


def _keep_frame_overlays(path: Path, ds: Dataset, frame: int, syntax: UID) -> None:
    """Leave each multi-frame overlay of `ds` the plane of image frame `frame` alone.

    An overlay group with OverlayData and NumberOfFramesInOverlay or ImageFrameOrigin
    (PS3.3 C.9.3: its frames, packed one after another, cover the image frames from
    ImageFrameOrigin, numbered from 1, both 1 where absent) keeps plane
    ``frame + 1 - ImageFrameOrigin`` (zero-based) as its OverlayData, one bit a pixel
    packed anew in 16-bit words of the byte order of `syntax`, without the two
    attributes: the header then describes one frame, as a derived image is. A group
    whose overlay has no plane for the frame (before its origin, after its last frame,
    or data too short to hold it) or whose bits are not one a pixel is removed, with an
    :class:`XrayWarning`: a derived image would show another frame's overlay.
    """
    dropped = []
    for group in _OVERLAY_GROUPS:
        frames_tag, origin_tag = Tag(group, 0x0015), Tag(group, 0x0051)
        if Tag(group, 0x3000) not in ds or (frames_tag not in ds and origin_tag not in ds):
            continue
        plane = _overlay_plane(ds, group, frame, syntax)
        if plane is None:
            for tag in [tag for tag in ds.keys() if tag.group == group]:
                del ds[tag]
            dropped.append(f"{group:04X}")
            continue
        ds[Tag(group, 0x3000)].value = plane
        for tag in (frames_tag, origin_tag):
            if tag in ds:
                del ds[tag]
    if dropped:
        warn_converted(
            path,
            f"overlay group {', '.join(dropped)} has no overlay plane for frame {frame + 1}: "
            "left out",
        )


def _overlay_plane(ds: Dataset, group: int, frame: int, syntax: UID) -> bytes | None:
    """Return image frame `frame`'s plane of multi-frame overlay `group`, packed, or None.

    See :func:`_keep_frame_overlays`; OverlayData under Explicit VR Big Endian (OW) is
    held in big-endian words, the bits of each word counted from its least significant
    (PS3.5 8.1.2), and the plane is given back so.
    """

    def value(element: int, default: float | None = None) -> float | None:
        item = ds.get(Tag(group, element))
        number = None if item is None else _number(item.value)
        return default if number is None else number

    rows, cols = value(0x0010), value(0x0011)
    frames, origin = value(0x0015, 1), value(0x0051, 1)
    index = None if origin is None else frame + 1 - origin
    if (
        rows is None
        or cols is None
        or value(0x0100, 1) != 1  # OverlayBitsAllocated
        or value(0x0102, 0) != 0  # OverlayBitPosition
        or index is None
        or not 0 <= index < frames
    ):
        return None
    element = ds[Tag(group, 0x3000)]
    data = element.value
    big_endian = syntax == ExplicitVRBigEndian and element.VR == "OW"
    if not isinstance(data, bytes) or (big_endian and len(data) % 2):
        return None
    if big_endian:
        data = np.frombuffer(data, ">u2").astype("<u2").tobytes()
    size = int(rows) * int(cols)
    start = int(index) * size
    bits = np.unpackbits(np.frombuffer(data, np.uint8), bitorder="little")[start : start + size]
    if bits.size < size:
        return None
    packed = pack_bits(bits)
    if big_endian:  # as the header's other OW values: a derived file's writer swaps them
        packed = np.frombuffer(packed, "<u2").astype(">u2").tobytes()
    return packed


def _embedded_bit(
    ds: Dataset, group: int, words: np.ndarray, bits_stored: int, high_bit: int
) -> int | None:
    """Return the bit of `words` that holds overlay `group`, or None where none can.

    The overlay must have the frame's size (OverlayRows, OverlayColumns) and words
    (OverlayBitsAllocated BitsAllocated), and its OverlayBitPosition must be a bit
    outside the stored values.
    """

    def value(element: int) -> float | None:
        item = ds.get(Tag(group, element))
        return None if item is None else _number(item.value)

    bit = value(0x0102)
    width = 8 * words.itemsize
    if (
        words.ndim != 2
        or (value(0x0010), value(0x0011)) != words.shape
        or value(0x0100) != width
        or bit is None
        or bit != int(bit)
        or not 0 <= bit < width
        or high_bit - bits_stored < bit <= high_bit
    ):
        return None
    return int(bit)


def _check_native_length(path: Path, ds: Dataset, n_frames: int) -> None:
    """Refuse native pixel data that the file holds less of than its frames need.

    YBR_FULL_422 data hold two samples a pixel (its chroma are shared by pixel pairs).
    """
    element = ds.get_item("PixelData", keep_deferred=True)
    if isinstance(element, RawDataElement):  # as read: deferred, or its bytes until used
        held = min(element.length, path.stat().st_size - element.value_tell)
    elif isinstance(element.value, bytes):
        held = len(element.value)
    else:
        return
    samples = int(ds.Rows) * int(ds.Columns) * int(ds.get("SamplesPerPixel", 1)) * n_frames
    if str(ds.get("PhotometricInterpretation", "")).strip().upper() == "YBR_FULL_422":
        samples = samples // 3 * 2
    needed = (samples * int(ds.BitsAllocated) + 7) // 8
    if held < needed:
        frames = "the image needs" if n_frames == 1 else f"its {n_frames} frames need"
        raise ImageReadError(
            path,
            f"the pixel data is truncated: {held} of the {needed} bytes {frames} (the file "
            "may have been cut short)",
        )


def _check_is_dicom(path: Path, ds: Dataset) -> None:
    """Refuse what pydicom's forced read made of a file that is not DICOM at all.

    A DICOM file has the ``DICM`` preamble, file meta information, or (without
    either) at least one standard attribute; text or random bytes read by force
    give only tags that no dictionary knows.
    """
    if ds.preamble is not None or ds.file_meta or any(dictionary_has_tag(tag) for tag in ds.keys()):
        return
    with path.open("rb") as file:
        gzipped = file.read(len(GZIP_SIGNATURE)) == GZIP_SIGNATURE
    hint = " (it is gzip-compressed: decompress it first)" if gzipped else ""
    raise ImageReadError(path, f"not a DICOM file{hint}")


def _no_pixel_data(path: Path, ds: Dataset) -> ImageReadError:
    """Return the error for a file without PixelData, naming its SOP class.

    The class is SOPClassUID, else the file meta's MediaStorageSOPClassUID (a DICOMDIR
    has only the latter). A DICOMDIR is told to be no image, its images being the files
    it indexes; floating-point pixel data (:data:`_FLOAT_PIXEL_DATA`) are named as such,
    not taken for pixel data missing.
    """
    sop_class = UID(str(ds.get("SOPClassUID") or ds.file_meta.get("MediaStorageSOPClassUID", "")))
    if sop_class == MediaStorageDirectoryStorage:
        return ImageReadError(
            path,
            "a DICOMDIR (the index of a DICOM CD/DVD), not an image: give the image files "
            "it indexes instead (in its folder and the folders below)",
        )
    floats = [keyword for keyword in _FLOAT_PIXEL_DATA if keyword in ds]
    if floats:
        return ImageReadError(
            path,
            f"floating-point pixel data ({floats[0]}) are not supported: only integer "
            "pixel data (PixelData) are read",
        )
    what = sop_class.name if sop_class else "no SOP class"
    if "Rows" in ds or "Image Storage" in what:
        return ImageReadError(path, "the pixel data is missing (the file may be truncated)")
    return ImageReadError(path, f"the file has no image pixel data ({what})")


def is_dicomdir(path: Path) -> bool:
    """Whether a file is a DICOMDIR, the index of a DICOM CD/DVD, by its file meta alone.

    Parameters
    ----------
    path : Path
        Any file; only its preamble and file meta information are read.

    Returns
    -------
    bool
        True when its MediaStorageSOPClassUID is Media Storage Directory Storage;
        False otherwise, for a file that is not DICOM or cannot be read, and, without
        opening it, for one that is not a regular file (a FIFO would wait for a writer).
    """
    try:
        if not path.is_file():  # stat only: a FIFO is never opened
            return False
        meta = read_file_meta_info(path)
    except Exception:  # noqa: BLE001 (a file whose meta cannot be read is no DICOMDIR)
        return False
    return meta.get("MediaStorageSOPClassUID") == MediaStorageDirectoryStorage


def _invalid_combination(path: Path, photometric: str, samples: int) -> ImageReadError:
    """Return the error for a photometric interpretation with the wrong samples per pixel."""
    return ImageReadError(
        path, f"{photometric} with {samples} samples per pixel is not a valid combination"
    )


def _mark_lossy(ds: Dataset, method: str) -> None:
    """Record in the header that its pixel data were compressed lossily, by `method`."""
    ds.LossyImageCompression = "01"
    if "LossyImageCompressionMethod" not in ds:
        ds.LossyImageCompressionMethod = method


def _transfer_syntax(path: Path, ds: Dataset) -> UID:
    """Return the transfer syntax; for files without meta, the encoding pydicom found."""
    syntax = ds.file_meta.get("TransferSyntaxUID")
    if syntax:
        return UID(syntax)
    implicit, little = ds.original_encoding
    if little is None:
        raise ImageReadError(path, "no transfer syntax and no recognisable encoding")
    if implicit:
        return ImplicitVRLittleEndian
    return ExplicitVRLittleEndian if little else ExplicitVRBigEndian


def _int(path: Path, ds: Dataset, keyword: str, default: int | None = None) -> int:
    """Return an integer attribute; `default` if absent or empty (an error if no default)."""
    value = ds.get(keyword)
    if value is None or value == "":
        if default is None:
            raise ImageReadError(path, f"missing required attribute {keyword}")
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ImageReadError(path, f"invalid {keyword} value {str(value)[:32]!r}") from None


def _check_decoder(path: Path, syntax: UID) -> None:
    """Refuse a transfer syntax that no installed plugin decodes, naming what would."""
    try:
        decoder = get_decoder(syntax)
    except NotImplementedError:
        name = syntax.name if syntax.is_transfer_syntax else str(syntax)
        raise ImageReadError(
            path, f"transfer syntax {name} cannot be decoded: no decoder exists for it"
        ) from None
    if not decoder.is_available:
        package = _DECODER_PACKAGES.get(syntax, "a pydicom pixel data plugin")
        raise ImageReadError(
            path, f"no installed decoder for transfer syntax {syntax.name}: install {package}"
        )


def _modality_lut(path: Path, ds: Dataset, syntax: UID, signed: bool) -> Lut | None:
    """Return the Modality LUT Sequence's table, if any; warn if it cannot be used."""
    sequence = ds.get("ModalityLUTSequence")
    if not sequence:
        return None
    lut = read_lut(sequence[0], syntax, signed=signed)
    if lut is None:
        warn_converted(path, "invalid modality LUT table ignored: pixel values are stored values")
    return lut


def _replace_modality_lut(ds: Dataset) -> str:
    """Replace the applied Modality LUT Sequence by the identity rescale in the table's unit.

    The pixels hold the table's outputs, so a derived image has RescaleSlope 1,
    RescaleIntercept 0 and RescaleType the item's ModalityLUTType (``"US"``, unspecified,
    without one): attributes that some IODs (DX, CR) require. Returns that unit.
    """
    unit = " ".join(_strings(ds.ModalityLUTSequence[0].get("ModalityLUTType")))
    del ds.ModalityLUTSequence
    ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = "0", "1", unit or "US"
    return unit or "US"


def _padding_through(padding: Padding, lut: Lut) -> Padding:
    """Return `padding` in the output values of `lut`: the range spans its pixels' outputs."""
    values = lut.look_up(padding.values).astype(np.int64)
    ends = lut.look_up(np.array([padding.first, padding.last]))
    first, last = (int(f(np.concatenate([ends, values]))) for f in (np.min, np.max))
    return Padding(first, last, padding.mask, values)


def _modality_mapping(path: Path, ds: Dataset, bits_stored: int, signed: bool) -> StoredMapping:
    """Return the linear modality LUT (RescaleSlope/Intercept) of a grayscale image."""
    slope = _rescale_value(path, ds, "RescaleSlope")
    intercept = _rescale_value(path, ds, "RescaleIntercept")
    if slope == 0:
        raise ImageReadError(path, "invalid RescaleSlope 0")
    return StoredMapping(
        bits_stored=bits_stored,
        signed=signed,
        slope=1.0 if slope is None else slope,
        intercept=0.0 if intercept is None else intercept,
    )


def _rescale_value(path: Path, ds: Dataset, keyword: str) -> float | None:
    """Return RescaleSlope or RescaleIntercept (first value), or None if absent or empty.

    A value present but not a finite number ("7,25", a decimal comma) is refused rather
    than taken as the default: every pixel value would be off by it.
    """
    value = ds.get(keyword)
    if isinstance(value, MultiValue | list | tuple):
        value = value[0] if len(value) else None
    if value is None or str(value).strip() == "":
        return None
    number = _number(value)
    if number is None:
        raise ImageReadError(path, f"invalid {keyword} {str(value).strip()[:32]!r}")
    return number


def _number(value: Any) -> float | None:
    """Return the first value of a numeric attribute as a finite float, or None."""
    if isinstance(value, MultiValue | list | tuple):
        value = value[0] if len(value) else None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None


def _file_windows(ds: Dataset) -> tuple[Window, ...]:
    """Return every valid WindowCenter/WindowWidth pair, with explanation and function.

    An unknown VOILUTFunction is taken as the default, LINEAR. Pairs whose width the
    function cannot use (below 1 for LINEAR, not positive for the others) are left out.
    """
    centers, widths = _numbers(ds.get("WindowCenter")), _numbers(ds.get("WindowWidth"))
    explanations = _strings(ds.get("WindowCenterWidthExplanation"))
    function = str(ds.get("VOILUTFunction", "")).strip().upper()
    function = function if function in VOI_LUT_FUNCTIONS else None
    linear = function in (None, "LINEAR")
    return tuple(
        Window(
            center=center,
            width=width,
            function=function,
            explanation=explanations[i] if i < len(explanations) else "",
        )
        for i, (center, width) in enumerate(zip(centers, widths, strict=False))
        if center is not None and width is not None and (width >= 1 if linear else width > 0)
    )


def _numbers(value: Any) -> list[float | None]:
    """Return each value of a numeric attribute as a finite float, or None where it is not."""
    if isinstance(value, MultiValue | list | tuple):
        return [_number(v) for v in value]
    return [] if value is None or value == "" else [_number(value)]


def _strings(value: Any) -> list[str]:
    """Return each value of a text attribute, stripped."""
    if isinstance(value, MultiValue | list | tuple):
        return [str(v).strip() for v in value]
    return [] if value is None else [str(value).strip()]


def _padding(ds: Dataset, stored: np.ndarray, signed: bool) -> Padding | None:
    """Return the padding that PixelPaddingValue (and PixelPaddingRangeLimit) declare.

    Both are stored values, signed (SS) when PixelRepresentation is 1; one read as
    unsigned (US) is reinterpreted as 16-bit two's complement.
    """
    first = _stored_value(ds.get("PixelPaddingValue"), signed)
    if first is None:
        return None
    last = _stored_value(ds.get("PixelPaddingRangeLimit"), signed)
    return Padding.from_stored(stored, first, first if last is None else last)


def _stored_value(value: Any, signed: bool) -> int | None:
    """Return a US-or-SS attribute as a stored value of the given sign, or None."""
    number = _number(value)
    if number is None or number != int(number):
        return None
    word = int(number) % 2**16
    return word - 2**16 if signed and word >= 2**15 else word


def _voi_luts(path: Path, ds: Dataset, syntax: UID, mapping: StoredMapping) -> tuple[VoiLut, ...]:
    """Return the table of every valid VOI LUT Sequence item, in order, with its LUTExplanation.

    A table's first input value is signed when the values it maps, `mapping`'s outputs,
    may be negative (PS3.3 C.11.2.1.1); an invalid table is left out with a warning.
    """
    ends = mapping.to_pixels(np.array([mapping.stored_min, mapping.stored_max]))
    signed = bool(ends.min() < 0)
    luts = []
    for number, item in enumerate(ds.get("VOILUTSequence") or (), start=1):
        lut = read_lut(item, syntax, signed=signed)
        if lut is None:
            warn_converted(path, f"invalid VOI LUT table ignored (VOI LUT Sequence item {number})")
        else:
            explanation = " ".join(_strings(item.get("LUTExplanation")))
            luts.append(VoiLut(lut.table, lut.first, lut.bits, explanation))
    return tuple(luts)


def _pixel_spacing(ds: Dataset) -> tuple[float, float] | None:
    """Return row and column spacing in mm from PixelSpacing, else ImagerPixelSpacing."""
    for keyword in ("PixelSpacing", "ImagerPixelSpacing"):
        value = ds.get(keyword)
        if isinstance(value, MultiValue | list) and len(value) == 2:
            row, col = _number(value[0]), _number(value[1])
            if row and col and row > 0 and col > 0:
                return row, col
    return None


def _metadata(ds: Dataset, syntax: UID) -> dict[str, Any]:
    """Return plain str/int/float values of :data:`METADATA_KEYWORDS`, with UID names."""
    metadata: dict[str, Any] = {
        "TransferSyntaxUID": str(syntax),
        "TransferSyntaxName": syntax.name,
    }
    for keyword in METADATA_KEYWORDS:
        value = _plain(ds.get(keyword))
        if value is not None and value != "":
            metadata[keyword] = value
    if "SOPClassUID" in metadata:
        metadata["SOPClassName"] = UID(metadata["SOPClassUID"]).name
    return metadata


def _plain(value: Any) -> str | int | float | None:
    """Return a DICOM value as str, int or float; multiple values joined by a backslash."""
    if isinstance(value, bool | bytes | Dataset) or value is None:
        return None
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, MultiValue | list):
        if any(isinstance(v, Dataset) for v in value):
            return None
        return "\\".join(str(v) for v in value)
    if isinstance(value, PersonName | str):
        return str(value)
    return None
