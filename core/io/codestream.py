"""Checks of a compressed frame's bytes, made before decoding them.

Decoders allocate what the codestream declares, not what the DICOM header says,
so a damaged or hostile codestream must be checked on its own: the image size and
sample precision inside a JPEG, JPEG-LS or JPEG 2000 codestream, and, for these
and RLE, whether the frame's compressed bytes can hold the image declared at all.
The JPEG 2000 main header also says whether the compression was irreversible, and a
JPEG or JPEG-LS codestream whether it is lossy (its frame's process, its scan's NEAR and
point transform), which the DICOM header and its transfer syntax may not.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from pydicom.dataset import Dataset
from pydicom.encaps import get_frame, parse_basic_offsets, parse_fragments
from pydicom.uid import (
    HTJ2K,
    JPEG2000,
    JPEG2000MC,
    UID,
    JPEG2000TransferSyntaxes,
    JPEGLSTransferSyntaxes,
    JPEGTransferSyntaxes,
    RLELossless,
)

from core.errors import ImageReadError
from core.io.guards import check_dimensions

_JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  "
_JPEG_SOF = {bytes((0xFF, m)) for m in range(0xC0, 0xD0) if m not in (0xC4, 0xC8, 0xCC)}
_JPEG_SOF.add(b"\xff\xf7")  # JPEG-LS SOF55
_DCT_SOF = frozenset((0xC0, 0xC1, 0xC2, 0xC5, 0xC6, 0xC9, 0xCA, 0xCD, 0xCE))
"""The SOF marker codes of the DCT processes (ISO/IEC 10918-1 B.1.1.3, Table B.1): baseline,
extended, progressive, and their differential and arithmetic-coded forms, all lossy."""
_JPEG_LS_SOF = 0xF7
_SOS = 0xDA
_STANDALONE = frozenset((0x01, *range(0xD0, 0xDA)))
"""The marker codes without a length (TEM, RSTn, SOI, EOI: ISO/IEC 10918-1 B.1.1.4)."""

J2K_LOSSY_SYNTAXES = (JPEG2000, JPEG2000MC, HTJ2K)
"""The JPEG 2000 transfer syntaxes that allow lossy compression (.91, .93 and HTJ2K .203);
the others (.90, .92, .201, .202) are lossless only, yet may hold an irreversible
codestream."""

MAX_RLE_EXPANSION = 130
"""Most decoded bytes accepted per byte of an RLE frame. A two-byte run gives at most
128 bytes (PS3.5 G.3.1), so no RLE frame can expand more than 64 times."""

MAX_EXPANSION = 1000
"""Most decoded bytes accepted per byte of a JPEG, JPEG-LS or JPEG 2000 frame, for one
that declares more than :data:`EXPANSION_EXEMPT_BYTES`. Radiographs compress at most
a few tens to one, even lossily; a blank JPEG 2000 or JPEG-LS image compresses further
(pydicom's ``JPEG2000.dcm``: 250 bytes for 1024 x 256 x 16 bits, 2097 to one), hence
the exemption for frames too small to exhaust memory."""

EXPANSION_EXEMPT_BYTES = 64 << 20
"""Declared decoded size up to which a JPEG-family frame is not checked against
:data:`MAX_EXPANSION` (64 MiB: more than a whole 4300 x 4300 16-bit detector frame)."""


@dataclass(frozen=True)
class Codestream:
    """A frame's JPEG, JPEG-LS or JPEG 2000 codestream, checked before decoding.

    Parameters
    ----------
    data : bytes
        The codestream (or JP2 file), as encapsulated in the DICOM.
    precision : int
        Bits per sample it declares (the SIZ or SOF segment's precision), at most
        BitsAllocated; it may exceed BitsStored.
    """

    data: bytes
    precision: int


def check_codestream(
    path: Path, ds: Dataset, syntax: UID, frame: int, n_frames: int
) -> Codestream | None:
    """Refuse a compressed frame that declares an oversized image, or one its bytes cannot hold.

    Parameters
    ----------
    path : Path
        The file, for the error message.
    ds : Dataset
        The dataset with encapsulated PixelData, its Rows, Columns, BitsAllocated
        and SamplesPerPixel already checked.
    syntax : UID
        Its transfer syntax; only RLE, JPEG, JPEG-LS and JPEG 2000 frames are
        checked, and only the last three have a codestream header to parse.
    frame, n_frames : int
        The frame to decode, and how many the dataset has.

    Returns
    -------
    Codestream or None
        The frame's codestream, checked; None for other transfer syntaxes and RLE.

    Raises
    ------
    ImageReadError
        If the frame's compressed bytes cannot hold the image that the header or the
        codestream declares (see :data:`MAX_RLE_EXPANSION` and :data:`MAX_EXPANSION`),
        if the codestream's header cannot be parsed, declares an image too large for
        :func:`core.io.guards.check_dimensions` (JPEG 2000 decoders hold 4-byte
        samples), or samples wider than BitsAllocated.
    """
    is_j2k = syntax in JPEG2000TransferSyntaxes
    is_jpeg = syntax in JPEGTransferSyntaxes or syntax in JPEGLSTransferSyntaxes
    if not (is_j2k or is_jpeg or syntax == RLELossless):
        return None
    offsets = None
    if "ExtendedOffsetTable" in ds and "ExtendedOffsetTableLengths" in ds:
        offsets = (ds.ExtendedOffsetTable, ds.ExtendedOffsetTableLengths)
    data = get_frame(ds.PixelData, frame, number_of_frames=n_frames, extended_offsets=offsets)
    rows, cols, bits_allocated = int(ds.Rows), int(ds.Columns), int(ds.BitsAllocated)
    samples = int(ds.get("SamplesPerPixel") or 1)
    _check_expansion(path, syntax, data, rows, cols, rows * cols * samples * bits_allocated / 8)
    if syntax == RLELossless:
        return None
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
    _check_expansion(
        path, syntax, data, rows, cols, rows * cols * components * (precision + 7) // 8
    )
    if precision > bits_allocated:
        raise ImageReadError(
            path,
            f"the {syntax.name} codestream holds {precision}-bit samples "
            f"but BitsAllocated is {bits_allocated}",
        )
    return Codestream(data, precision)


def check_fragments(path: Path, ds: Dataset, syntax: UID, n_frames: int) -> None:
    """Refuse encapsulated pixel data with fewer fragments than the frames they claim.

    Each frame takes one fragment at least (PS3.5 A.4), so NumberOfFrames beyond the
    fragments is a damaged or hostile header (a 9 KB file claiming a million frames),
    unless the Basic or Extended Offset Table has an offset for every frame. Only the
    items' tags and lengths are read; data that are not encapsulated are left to the
    decoder, as are the pixel data of other transfer syntaxes.

    Parameters
    ----------
    path : Path
        The file, for the error message.
    ds : Dataset
        Its header, with PixelData.
    syntax : UID
        Its transfer syntax.
    n_frames : int
        Its NumberOfFrames.

    Raises
    ------
    ImageReadError
        If the pixel data hold fewer fragments than `n_frames`, and no offset table has
        an offset for each frame.
    """
    if n_frames == 1 or not (syntax.is_transfer_syntax and syntax.is_encapsulated):
        return
    if len(ds.get("ExtendedOffsetTable") or b"") // 8 >= n_frames:
        return
    data = ds.PixelData
    if not isinstance(data, bytes) or data[:4] != b"\xfe\xff\x00\xe0":  # an item tag
        return
    buffer = BytesIO(data)
    try:
        if len(parse_basic_offsets(buffer)) >= n_frames:
            return
    except ValueError:  # not an offset table: the decoder tells what is wrong
        return
    fragments, _ = parse_fragments(buffer)
    if fragments < n_frames:
        raise ImageReadError(
            path,
            f"the pixel data holds {fragments} fragment{'' if fragments == 1 else 's'} "
            f"for {n_frames} frames",
        )


def _check_expansion(
    path: Path, syntax: UID, data: bytes, rows: int, cols: int, decoded_bytes: float
) -> None:
    """Refuse a frame whose `data` cannot decode to `decoded_bytes`, a `rows` x `cols` image."""
    if syntax == RLELossless:
        limit = MAX_RLE_EXPANSION * len(data)
    else:
        limit = max(MAX_EXPANSION * len(data), EXPANSION_EXEMPT_BYTES)
    if decoded_bytes > limit:
        held = f"{len(data)} bytes" if len(data) < 10_000 else f"{len(data) // 1000} KB"
        raise ImageReadError(
            path,
            f"the frame's {held} of {syntax.name} data cannot hold the {cols} x {rows} image "
            "it declares (the file may be damaged)",
        )


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


def j2k_is_lossy(data: bytes, syntax: UID, declared: str | None) -> bool:
    """Whether a frame's JPEG 2000 codestream was compressed lossily.

    The irreversible 9-7 wavelet (:func:`j2k_is_irreversible`) always is. Under a
    syntax of :data:`J2K_LOSSY_SYNTAXES` the reversible 5-3 wavelet is too where the
    coder limited the rate, which the codestream does not tell: there only the
    header's LossyImageCompression ``"00"`` says it is not.

    Parameters
    ----------
    data : bytes
        A JPEG 2000 codestream, or a JP2 file holding one.
    syntax : UID
        The transfer syntax it is encapsulated under.
    declared : str or None
        The header's LossyImageCompression, if any.

    Returns
    -------
    bool
        True if the codestream is irreversible, or under a lossy-capable syntax
        without LossyImageCompression ``"00"``.
    """
    if syntax in J2K_LOSSY_SYNTAXES and str(declared or "").strip() != "00":
        return True
    return j2k_is_irreversible(data)


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


def jpeg_lossy_method(data: bytes) -> str | None:
    """Say whether a JPEG or JPEG-LS codestream is lossy, whatever its transfer syntax says.

    A frame of a DCT process (:data:`_DCT_SOF`) always is (ISO/IEC 10918-1); so is a
    lossless-process JPEG scan with a point transform (Al of its SOS, ISO/IEC 10918-1
    H.1.2.1), and a JPEG-LS scan with NEAR above 0 or a point transform (ISO/IEC 14495-1
    C.2.3). Only the segments up to the first scan's header are read.

    Parameters
    ----------
    data : bytes
        A JPEG or JPEG-LS codestream, from its SOI marker.

    Returns
    -------
    str or None
        The LossyImageCompressionMethod of a lossy codestream, ``"ISO_10918_1"`` (JPEG)
        or ``"ISO_14495_1"`` (JPEG-LS); None for a lossless one, and for one whose
        headers cannot be read so far.
    """
    if data[:2] != b"\xff\xd8":  # SOI
        return None
    offset, frame = 2, None
    while offset + 4 <= len(data):
        if data[offset] != 0xFF:
            return None
        code = data[offset + 1]
        if code == 0xFF:  # a fill byte before a marker
            offset += 1
            continue
        if code in _DCT_SOF:
            return "ISO_10918_1"
        if bytes((0xFF, code)) in _JPEG_SOF:
            frame = code
        if code == _SOS:
            return _scan_lossy_method(data, offset, frame)
        if code in _STANDALONE:
            offset += 2
            continue
        offset += 2 + struct.unpack(">H", data[offset + 2 : offset + 4])[0]
    return None


def _scan_lossy_method(data: bytes, offset: int, frame: int | None) -> str | None:
    """Return the method of a lossy scan whose SOS marker is at `offset`, else None.

    After the component specifications come (JPEG) Ss, Se and Ah/Al, or (JPEG-LS) NEAR,
    ILV and Ah/Al: the low four bits of the third byte are the point transform either way.
    """
    components = data[offset + 4] if offset + 4 < len(data) else 0
    start = offset + 5 + 2 * components
    parameters = data[start : start + 3]
    if frame is None or len(parameters) < 3:
        return None
    point_transform = parameters[2] & 0x0F
    if frame == _JPEG_LS_SOF:
        return "ISO_14495_1" if parameters[0] > 0 or point_transform > 0 else None
    return "ISO_10918_1" if point_transform > 0 else None
