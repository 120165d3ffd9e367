"""Image size declared inside a JPEG, JPEG-LS or JPEG 2000 codestream, read before decoding.

Decoders allocate what the codestream declares, not what the DICOM header says,
so a damaged or hostile codestream must be checked on its own. The JPEG 2000 main
header also says whether the compression was lossy, which the DICOM header may not.
"""

from __future__ import annotations

import struct
from pathlib import Path

from pydicom.dataset import Dataset
from pydicom.encaps import get_frame
from pydicom.uid import UID, JPEG2000TransferSyntaxes, JPEGLSTransferSyntaxes, JPEGTransferSyntaxes

from core.errors import ImageReadError
from core.io.guards import check_dimensions

_JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  "
_JPEG_SOF = {bytes((0xFF, m)) for m in range(0xC0, 0xD0) if m not in (0xC4, 0xC8, 0xCC)}
_JPEG_SOF.add(b"\xff\xf7")  # JPEG-LS SOF55


def check_codestream(
    path: Path, ds: Dataset, syntax: UID, frame: int, n_frames: int
) -> bytes | None:
    """Refuse a compressed frame whose codestream declares an oversized image.

    Parameters
    ----------
    path : Path
        The file, for the error message.
    ds : Dataset
        The dataset with encapsulated PixelData.
    syntax : UID
        Its transfer syntax; only JPEG, JPEG-LS and JPEG 2000 codestreams are parsed.
    frame, n_frames : int
        The frame to decode, and how many the dataset has.

    Returns
    -------
    bytes or None
        The frame's codestream, checked; None for other transfer syntaxes.

    Raises
    ------
    ImageReadError
        If the codestream's header cannot be parsed, or declares an image too
        large for :func:`core.io.guards.check_dimensions` (JPEG 2000 decoders
        hold 4-byte samples).
    """
    is_j2k = syntax in JPEG2000TransferSyntaxes
    if not (is_j2k or syntax in JPEGTransferSyntaxes or syntax in JPEGLSTransferSyntaxes):
        return None
    offsets = None
    if "ExtendedOffsetTable" in ds and "ExtendedOffsetTableLengths" in ds:
        offsets = (ds.ExtendedOffsetTable, ds.ExtendedOffsetTableLengths)
    data = get_frame(ds.PixelData, frame, number_of_frames=n_frames, extended_offsets=offsets)
    size = _j2k_size(data) if is_j2k else _jpeg_size(data)
    if size is None:
        raise ImageReadError(path, f"the {syntax.name} codestream has no valid image header")
    rows, cols, components, precision = size
    try:
        check_dimensions(
            path,
            rows,
            cols,
            samples=components,
            bytes_per_sample=4 if is_j2k else (precision + 7) // 8,
        )
    except ImageReadError as error:
        raise ImageReadError(
            path, f"the {syntax.name} codestream declares an {error.reason}"
        ) from None
    return data


def _j2k_start(data: bytes) -> int | None:
    """Return the offset of a JPEG 2000 codestream's SOC marker, skipping a JP2 file's boxes."""
    if not data.startswith(_JP2_SIGNATURE):
        return 0
    offset = data.find(b"jp2c")  # the codestream box
    return None if offset < 0 else offset + 4


def _j2k_size(data: bytes) -> tuple[int, int, int, int] | None:
    """Return (rows, cols, components, precision) from the SIZ segment (ISO/IEC 15444-1 A.5.1)."""
    offset = _j2k_start(data)
    if offset is None:
        return None
    siz = data[offset : offset + 44]
    if len(siz) < 44 or siz[:4] != b"\xff\x4f\xff\x51":  # SOC then SIZ
        return None
    width, height, x_offset, y_offset = struct.unpack(">IIII", siz[8:24])
    components = struct.unpack(">H", siz[40:42])[0]
    precision = (siz[42] & 0x7F) + 1
    return height - y_offset, width - x_offset, components, precision


def j2k_is_irreversible(data: bytes) -> bool:
    """Whether a JPEG 2000 codestream uses the irreversible 9-7 wavelet, hence is lossy.

    The transformation is the last byte of the COD segment's SPcod parameters
    (ISO/IEC 15444-1 A.6.1, Table A.20): 0 for the 9-7 irreversible filter, 1 for
    the 5-3 reversible one. Only the main header is read, up to the first tile.

    Parameters
    ----------
    data : bytes
        A JPEG 2000 codestream, or a JP2 file holding one.

    Returns
    -------
    bool
        True if the main header's COD segment says 9-7; False for 5-3, and for a
        header without a readable COD segment.
    """
    offset = _j2k_start(data)
    if offset is None or data[offset : offset + 2] != b"\xff\x4f":  # SOC
        return False
    offset += 2
    while offset + 4 <= len(data):
        marker = data[offset : offset + 2]
        if marker[0] != 0xFF or marker == b"\xff\x90":  # not a marker, or SOT: the first tile
            return False
        if marker == b"\xff\x52":  # COD: Lcod, Scod, SGcod (4 bytes), then SPcod
            transformation = data[offset + 13 : offset + 14]
            return transformation == b"\x00"
        offset += 2 + struct.unpack(">H", data[offset + 2 : offset + 4])[0]
    return False


def _jpeg_size(data: bytes) -> tuple[int, int, int, int] | None:
    """Return (rows, cols, components, precision) from the SOF segment (JPEG or JPEG-LS)."""
    if data[:2] != b"\xff\xd8":  # SOI
        return None
    offset = 2
    while offset + 4 <= len(data):
        marker = data[offset : offset + 2]
        if marker == b"\xff\xff":  # a fill byte before a marker
            offset += 1
            continue
        if marker[0] != 0xFF:
            return None
        if marker in _JPEG_SOF:
            sof = data[offset + 4 : offset + 10]
            if len(sof) < 6:
                return None
            precision, height, width, components = struct.unpack(">BHHB", sof)
            return height, width, components, precision
        offset += 2 + struct.unpack(">H", data[offset + 2 : offset + 4])[0]
    return None
