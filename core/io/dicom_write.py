"""Write DICOM: a derived image under its source's header, or a new Secondary Capture / CR."""

from __future__ import annotations

import copy
import math
import os
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
from pydicom import dcmwrite
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.multival import MultiValue
from pydicom.pixels import get_encoder, pack_bits
from pydicom.tag import Tag
from pydicom.uid import (
    UID,
    ComputedRadiographyImageStorage,
    DigitalXRayImageStorageForPresentation,
    DigitalXRayImageStorageForProcessing,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGBaseline8Bit,
    JPEGExtended12Bit,
    JPEGLSLossless,
    JPEGLSNearLossless,
    RLELossless,
    SecondaryCaptureImageStorage,
    generate_uid,
)
from pydicom.valuerep import DA, TM, DSfloat

from core import __version__
from core.code_version import software_version
from core.errors import ImageWriteError, issue_warning
from core.image import Padding, Window, XrayImage
from core.io.atomic import atomic_write
from core.io.byte_order import swap_binary_words
from core.io.dtypes import stored_pixels
from core.io.notice import (
    DISCLAIMER,
    NOTICE_PREFIX,
    not_for_diagnosis,
    notice_bitmap,
    with_notice,
    without_notice,
)
from core.io.source_record import ELLIPSIS, history_then, joined_history

PRODUCT = "xray-denoise"
"""Manufacturer of a new image, and of the modifying equipment of a derived one."""

DENOISED = "denoised"
"""What a derived image is unless its writer says otherwise (its SeriesDescription's suffix)."""

OPERATION_MAX = 32
"""Longest operation named in a derived SeriesDescription, leaving room for the source's."""

IS_MAX = 2**31 - 1
"""The largest value of an IS (Integer String) element."""
SERIES_NUMBER_OFFSET = 1000
"""Added to the source's SeriesNumber for a derived series, told apart from it in a PACS."""

LO_MAX, ST_MAX, LT_MAX = 64, 1024, 10240
"""Longest values of the LO (SeriesDescription), ST (DerivationDescription) and LT
(ImageComments) VRs."""

MODIFYING_EQUIPMENT = ("109103", "DCM", "Modifying Equipment")
"""CodeValue, CodingSchemeDesignator and CodeMeaning of the ContributingEquipmentSequence
purpose of a derived image's software (PS3.16 CID 7005)."""
SOURCE_FOR_PROCESSING = ("121322", "DCM", "Source image for image processing operation")
"""The SourceImageSequence item's purpose of reference (PS3.16 CID 7202)."""
SMOOTHING = ("113087", "DCM", "Smoothing")
"""The DerivationCodeSequence item of a denoised image (PS3.16 CID 7203: the nearest of its
generic image processing codes; a simulated dose, noise added, has none there)."""
PRIVATE_MAX = 16 << 20
"""Longest private value a derived image copies from its source (16 MiB); longer ones
are left out with a warning (:func:`derived_dataset`)."""

OVERLAY_GROUPS = range(0x6000, 0x6020, 2)
"""The even groups an Overlay Plane may use (PS3.3 C.9.2)."""
OVERLAY_LABEL = "NOTICE"
"""OverlayLabel of the notice's overlay, found again when a derived image is derived anew."""

IMPLEMENTATION_CLASS_UID = "2.25.103287782881141038022821911415021795618"
"""ImplementationClassUID of the files written: a UUID-derived UID (ISO/IEC 9834-8, needing
no registered root), ``uuid.uuid5(uuid.NAMESPACE_URL, "xray-denoise")`` as an integer."""
IMPLEMENTATION_VERSION_NAME = ("XRAYDENOISE_" + re.sub(r"\D", "", __version__.split("+")[0]))[:16]
"""ImplementationVersionName: the product and its release without dots, within the 16
characters of an SH value (``XRAYDENOISE_010`` for 0.1.0, as ``OFFIS_DCMTK_369``)."""

TYPE2_KEYWORDS = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "StudyDate",
    "StudyTime",
    "ReferringPhysicianName",
    "StudyID",
    "AccessionNumber",
    "SeriesNumber",
    "Manufacturer",
    "InstanceNumber",
    "PatientOrientation",
)
"""Type 2 attributes of the Patient, General Study, General Series, General Equipment and
General Image modules (PatientOrientation is 2C there, required of projection images): a
derived image has them, empty where its source had none."""
TYPE2_BY_SOP_CLASS = {
    ComputedRadiographyImageStorage: ("BodyPartExamined", "ViewPosition"),  # CR Series
    DigitalXRayImageStorageForPresentation: ("DetectorType",),  # DX Detector
    DigitalXRayImageStorageForProcessing: ("DetectorType",),
}
"""Type 2 attributes of the modules of one IOD (the Secondary Capture IOD adds none)."""

DOSE_PROPORTIONAL = (
    "Exposure",
    "ExposureInuAs",
    "ExposureInmAs",
    "XRayTubeCurrent",
    "XRayTubeCurrentInmA",
    "XRayTubeCurrentInuA",
    "ExposureIndex",
    "EntranceDose",
    "EntranceDoseInmGy",
    "ImageAndFluoroscopyAreaDoseProduct",
    "OrganDose",
)
"""Exposure and dose values proportional to the tube current-time product (mAs), scaled
for a simulated dose: a lower dose at the same kVp and exposure time is a lower tube
current, so that current times time stays the scaled mAs."""

DOSE_UNSCALABLE = ("RelativeXRayExposure", "Sensitivity")
"""Exposure values on a manufacturer's own scale, removed for a simulated dose: the
relative exposure, and a CR reader's Sensitivity (speed, S number), which vendors scale
against the exposure, often inversely, each in its own way."""

DOSE_SEQUENCES = ("ExposureDoseSequence",)
"""Sequences whose items hold exposure values (of each exposure, PS3.3 C.4.16), scaled in
each item as at the top level."""

NEW_SYNTAXES = (ExplicitVRLittleEndian, RLELossless, JPEGLSLossless, JPEG2000Lossless)
"""Transfer syntaxes :func:`write_new_dicom` accepts (lossless; compressed ones need an encoder)."""

SOURCE_FORMAT_LOSSY = {"jpeg": "ISO_10918_1"}
"""Source formats that are always lossy, with their LossyImageCompressionMethod."""

LOSSY_SYNTAXES = {
    JPEGBaseline8Bit: "ISO_10918_1",
    JPEGExtended12Bit: "ISO_10918_1",
    JPEGLSNearLossless: "ISO_14495_1",
}
"""Source transfer syntaxes that are always lossy, with their LossyImageCompressionMethod
(JPEG 2000 may be either: the reader marks the header of a lossy one,
:func:`core.io.codestream.j2k_is_lossy`)."""

_MULTIFRAME_KEYWORDS = (
    "NumberOfFrames",
    "FrameIncrementPointer",
    "FrameTime",
    "FrameTimeVector",
    "FrameDelay",
    "ActualFrameDuration",
    "CineRate",
    "RecommendedDisplayFrameRate",
    "StartTrim",
    "StopTrim",
    "PreferredPlaybackSequencing",
    "PerFrameFunctionalGroupsSequence",
    "SharedFunctionalGroupsSequence",
    "RepresentativeFrameNumber",
    "FrameLabelVector",
    "FrameOfInterestDescription",
    "FrameOfInterestType",
    "DimensionOrganizationSequence",
    "DimensionOrganizationType",
    "DimensionIndexSequence",
    "ConcatenationUID",
    "SOPInstanceUIDOfConcatenationSource",
    "InConcatenationNumber",
    "InConcatenationTotalNumber",
    "ConcatenationFrameOffsetNumber",
    "MaskSubtractionSequence",
    "RecommendedViewingMode",
    "PositionerPrimaryAngleIncrement",
    "PositionerSecondaryAngleIncrement",
    "TableVerticalIncrement",
    "TableLateralIncrement",
    "TableLongitudinalIncrement",
    "PageNumberVector",
    "FramePrimaryAngleVector",
    "FrameSecondaryAngleVector",
    "SliceLocationVector",
    "DisplayWindowLabelVector",
)
"""Attributes of multi-frame images, removed from the single-frame derived image: the Cine
and Multi-frame modules, the functional groups and the dimensions indexing them, the
concatenation the source was part of (PS3.3 C.7.6.16), the frames a viewer shows first,
marks or subtracts as masks (the Mask module, PS3.3 C.7.6.10, whose RecommendedViewingMode
``SUB`` would subtract them), and the per-frame vectors a FrameIncrementPointer may name:
the XA positioner's angle increments and the X-Ray table's (PS3.3 C.8.7.5, C.8.7.4), the
Multi-frame SC vectors (PS3.3 C.8.6.3). Any other attribute the pointer names goes too
(:func:`_keep_frame_values`)."""
_ANGLE_INCREMENTS = (
    ("PositionerPrimaryAngle", "PositionerPrimaryAngleIncrement"),
    ("PositionerSecondaryAngle", "PositionerSecondaryAngleIncrement"),
)
"""The XA positioner's angles, of the first frame, and their increments: one value, the
average change per frame, or one per frame, each the offset of that frame's angle from the
first's (PS3.3 C.8.7.5.1.2-3)."""
_MOTIONS = ("PositionerMotion", "TableMotion")
"""STATIC or DYNAMIC over a multi-frame acquisition; of a single frame STATIC (PS3.3
C.8.7.5.1.1): the increments that DYNAMIC requires are gone."""
_PIXEL_GROUPS = (0x0002, 0x0028, 0x7FE0)
"""Groups of the file meta and the image pixel description, never removed for a
FrameIncrementPointer naming them."""
_SOURCE_INSTANCE_KEYWORDS = (
    "DigitalSignaturesSequence",
    "MACParametersSequence",
    "InstanceCreatorUID",
    "SOPInstanceStatus",
    "SOPAuthorizationDateTime",
    "SOPAuthorizationComment",
    "AuthorizationEquipmentCertificationNumber",
)
"""Attributes of the source instance that are not the derived one's: its digital signatures
and their MAC parameters (PS3.3 C.12.1.1.3), which no longer verify, its creator, and its
authorization status (PS3.3 C.12.1.1.4: "authorized original" is the source's, not ours)."""
_MULTIFRAME_MARKERS = (
    "NumberOfFrames",
    "PerFrameFunctionalGroupsSequence",
    "SharedFunctionalGroupsSequence",
)
"""Attributes whose presence marks a multi-frame SOP class, invalid without them."""
_STALE_KEYWORDS = (
    "PlanarConfiguration",
    "RedPaletteColorLookupTableDescriptor",
    "GreenPaletteColorLookupTableDescriptor",
    "BluePaletteColorLookupTableDescriptor",
    "RedPaletteColorLookupTableData",
    "GreenPaletteColorLookupTableData",
    "BluePaletteColorLookupTableData",
    "SegmentedRedPaletteColorLookupTableData",
    "SegmentedGreenPaletteColorLookupTableData",
    "SegmentedBluePaletteColorLookupTableData",
    "PaletteColorLookupTableUID",
    "ICCProfile",
    "ColorSpace",
    "SmallestImagePixelValue",
    "LargestImagePixelValue",
    "SmallestPixelValueInSeries",
    "LargestPixelValueInSeries",
    "DataSetTrailingPadding",
    "IconImageSequence",
)
"""Attributes that may no longer hold for new pixel values (colour, palette, ranges, the
thumbnail of the source's pixels)."""

_PADDING_KEYWORDS = ("PixelPaddingValue", "PixelPaddingRangeLimit")
"""Written from the image's padding, which goes back as read (:func:`_set_padding`)."""


def write_derived_dicom(
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
    r"""Write `image` as a derived DICOM image under its source's header.

    Patient, study and the rest of the source header are kept. The result has
    a new SOP Instance UID, a new Series Instance UID (or `series_uid`), ImageType
    ``DERIVED\SECONDARY`` (further source values kept), DerivationDescription
    :data:`NOTICE_PREFIX` and `description` after the source's
    (``"Not for diagnostic use: <source's>; <description>"``, the oldest text left out,
    marked ``"..."``, beyond 1024 characters), for an `operation` ending in ``denoised``
    a DerivationCodeSequence item :data:`SMOOTHING` (after the source's), a
    SourceImageSequence item referencing the source (and its frame) as
    :data:`SOURCE_FOR_PROCESSING`, SeriesDescription :data:`NOTICE_PREFIX`, the source's
    and ``"(<operation>)"`` (the source's shortened at a word boundary, marked ``"..."``,
    to fit 64 characters), SeriesNumber the source's plus :data:`SERIES_NUMBER_OFFSET`
    (a source without one gives an empty one), a ContributingEquipmentSequence item naming
    xray-denoise as Modifying Equipment, the current Content and InstanceCreation
    Date/Time, the Series Date/Time of the series' making (:class:`DerivedSeriesUID`), all
    in the source's TimezoneOffsetFromUTC where it has a valid one (the Acquisition ones
    kept), no digital signature, MAC parameters or InstanceCreatorUID of the source,
    ImageComments the source's followed by the notice (:func:`_image_comments`), an Overlay Plane
    showing the notice (:func:`_add_notice_overlay`), no IconImageSequence (a thumbnail of
    the source's pixels), and LossyImageCompression ``"01"`` if the source was lossy (with
    LossyImageCompressionMethod, where the source's syntax tells it). The type 2
    attributes of :data:`TYPE2_KEYWORDS` and :data:`TYPE2_BY_SOP_CLASS` the source lacks
    are added empty. Private values longer than :data:`PRIVATE_MAX` are left out, with an
    :class:`~core.errors.XrayWarning`.
    An image simulated at a fraction `dose` of the source's exposure states that
    exposure (:func:`_scale_exposure`).
    It is one uncompressed frame (Explicit VR Little Endian, binary values of a
    big-endian source byte-swapped) with the source's Rows, Columns, bits and pixel
    representation and ``image.photometric``; multi-frame attributes, colour
    palettes and stale pixel statistics are removed (the frame's pixel spacing, rescale
    and window stay, at the top level where the reader put them; a legacy XA frame's
    positioner angles become its own, :func:`_keep_frame_values`). PixelPaddingValue and
    PixelPaddingRangeLimit describe the image's padding, whose pixels are written
    back as read (:func:`core.io.dtypes.stored_pixels`); without padding they are removed.
    A multi-frame source (NumberOfFrames or functional groups, even of one frame) or one
    without a SOP class gives a Secondary Capture image, with PixelSpacing from
    ImagerPixelSpacing (:func:`_set_pixel_spacing`).

    Parameters
    ----------
    image : XrayImage
        An image read from DICOM (``image.dataset`` set); its pixels go back
        through ``image.mapping.to_stored``.
    path : str or PathLike
        Destination; never the source file.
    description : str
        What was done to the image, for DerivationDescription (up to 1024 characters).
    operation : str
        The same in a few words (up to :data:`OPERATION_MAX` characters), for
        SeriesDescription: ``"denoised"`` (the default), ``"simulated 10 % dose"``.
    dose : float, optional
        For an image simulated at a lower dose, its fraction of the source's dose:
        the exposure values are scaled by it. None (the default) for an image of the
        source's exposure, a denoised one say.
    overwrite : bool
        Replace an existing file.
    series_uid : str, optional
        SeriesInstanceUID, shared by the images derived together from one source
        series (:func:`derived_series_uid`) or file (its frames); by default a new UID,
        a series of its own. A :class:`DerivedSeriesUID` gives every image of the series
        its SeriesDate/Time; another UID gives each its own time of writing.
    instance_number : int, optional
        InstanceNumber within that series (from 1); by default the source's.
    history : str
        What was done to the source before `description` and not written to a file
        (a lower dose simulated, say): it follows the source's DerivationDescription
        (the oldest text goes first beyond 1024 characters) and has a
        ContributingEquipmentSequence item of its own, as a file written in between
        would; the exposure values a `dose` changes are said after it.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValueError
        For an `operation` too long, or a `dose` that is not positive.
    ImageWriteError
        If the image has no source header, or the write fails (nothing is left).
    """
    if image.dataset is None:
        raise ImageWriteError(
            path, "the image has no source DICOM header; write_image writes a new DICOM instead"
        )
    _check_derivation(operation, dose)  # a caller's mistake, not a write failure
    with atomic_write(path, overwrite=overwrite, source=image.source_path) as file:
        ds = derived_dataset(
            image,
            description,
            operation=operation,
            dose=dose,
            series_uid=series_uid,
            instance_number=instance_number,
            history=history,
        )
        dcmwrite(file, ds, enforce_file_format=True)
    return Path(path)


def derived_dataset(
    image: XrayImage,
    description: str,
    *,
    operation: str = DENOISED,
    dose: float | None = None,
    series_uid: str | None = None,
    instance_number: int | None = None,
    history: str = "",
) -> Dataset:
    """Build the derived dataset that :func:`write_derived_dicom` writes (see there).

    Parameters
    ----------
    image : XrayImage
        An image with ``dataset`` set; neither is changed.
    description : str
        What was done, appended to the source's DerivationDescription.
    operation : str
        What was done in a few words, for SeriesDescription.
    dose : float, optional
        The fraction of the source's dose an image simulates; None for its own.
    series_uid : str, optional
        SeriesInstanceUID, dating the series where a :class:`DerivedSeriesUID`; by
        default a new one.
    instance_number : int, optional
        InstanceNumber; by default the source's.
    history : str
        What was done before `description` (:func:`write_derived_dicom`).

    Returns
    -------
    Dataset
        A new dataset with pixel data and file meta information.

    Raises
    ------
    ValueError
        For an `operation` too long, or a `dose` that is not positive.
    """
    _check_derivation(operation, dose)
    source: Dataset = image.dataset
    syntax = UID(getattr(source, "file_meta", Dataset()).get("TransferSyntaxUID", ""))
    ds = _copy_without_large_private(source, image.source_path)
    _keep_frame_values(ds, image.frame, image.n_frames)
    for keyword in (
        _MULTIFRAME_KEYWORDS + _SOURCE_INSTANCE_KEYWORDS + _STALE_KEYWORDS + _PADDING_KEYWORDS
    ):
        if keyword in ds:
            delattr(ds, keyword)
    if syntax == ExplicitVRBigEndian:
        swap_binary_words(ds)  # written little-endian below
    if not (history + description + operation).isascii():
        ds.decode()  # re-encode every text value as UTF-8 below
        ds.SpecificCharacterSet = "ISO_IR 192"
    if any(keyword in source for keyword in _MULTIFRAME_MARKERS) or "SOPClassUID" not in source:
        ds.SOPClassUID = SecondaryCaptureImageStorage  # single-frame and always valid
        ds.ConversionType = "WSD"
        _set_pixel_spacing(ds)
    ds.preamble = None  # a source preamble may describe the source bytes (e.g. a TIFF header)
    ds.file_meta = _file_meta(ds.SOPClassUID)
    stored = _derived_stored(image, source)
    _set_pixel_data(ds, stored, image.photometric, image.mapping.bits_stored)
    if image.padding is not None:
        _set_padding(ds, image.padding, image.photometric)
    _look_up_missing_vrs(ds)
    ds.SeriesInstanceUID = generate_uid() if series_uid is None else series_uid
    if instance_number is not None:
        ds.InstanceNumber = instance_number
    ds.ImageType = ["DERIVED", "SECONDARY", *_values(source.get("ImageType"))[2:]]
    if dose is not None:  # said of the simulation: `history` where it is one
        exposure = _scale_exposure(ds, dose)
        if history:
            history += exposure
        else:
            description += exposure
    previous = str(source.get("DerivationDescription", "")).strip()
    previous = history_then(previous, history)
    ds.DerivationDescription = _derivation_history(previous, description)
    if operation.endswith(DENOISED):  # after the codes of the source's derivation, if any
        codes = list(ds.get("DerivationCodeSequence") or [])
        ds.DerivationCodeSequence = [*codes, _code(SMOOTHING)]
    if "SOPClassUID" in source and "SOPInstanceUID" in source:
        reference = Dataset()
        reference.ReferencedSOPClassUID = source.SOPClassUID
        reference.ReferencedSOPInstanceUID = source.SOPInstanceUID
        if image.n_frames > 1:
            reference.ReferencedFrameNumber = image.frame + 1
        reference.PurposeOfReferenceCodeSequence = [_code(SOURCE_FOR_PROCESSING)]
        ds.SourceImageSequence = [reference]
    ds.SeriesDescription = _derived_series(
        str(source.get("SeriesDescription", "")).strip(), operation
    )
    series_number = _derived_series_number(source)
    if isinstance(series_uid, DerivedSeriesUID) and series_uid.number is not None:
        series_number = series_uid.number  # a series an earlier run began
    if series_number is not None:
        ds.SeriesNumber = series_number
    elif "SeriesNumber" in source:  # one that cannot be offset is left empty (type 2)
        ds.SeriesNumber = None
    if history:  # an item of its own, before this derivation's
        _add_modifying_equipment(ds, history)
    _add_modifying_equipment(ds, description)
    _stamp_now(ds, series_uid.made if isinstance(series_uid, DerivedSeriesUID) else None)
    ds.ImageComments = _image_comments(str(source.get("ImageComments") or ""))
    if syntax in LOSSY_SYNTAXES or source.get("LossyImageCompression") == "01":
        ds.LossyImageCompression = "01"  # once lossy, always lossy (PS3.3 C.7.6.1.1.5)
        if syntax in LOSSY_SYNTAXES and "LossyImageCompressionMethod" not in ds:
            ds.LossyImageCompressionMethod = LOSSY_SYNTAXES[syntax]
    _add_notice_overlay(ds)
    for keyword in TYPE2_KEYWORDS + TYPE2_BY_SOP_CLASS.get(ds.SOPClassUID, ()):
        if keyword not in ds:
            setattr(ds, keyword, None)  # type 2: present, empty where unknown
    return ds


def _copy_without_large_private(source: Dataset, path: Path | None) -> Dataset:
    """Return a deep copy of `source` without its private elements over :data:`PRIVATE_MAX`.

    Those are shared with the copy rather than copied, then removed from it, each with an
    :class:`~core.errors.XrayWarning` naming `path`: a private value that large (a vendor's
    raw data, or a hostile file's) would be held twice, and written again, for nothing.
    """
    large = []
    for tag in source.keys():
        element = source.get_item(tag, keep_deferred=True)
        if tag.is_private and _value_length(element) > PRIVATE_MAX:
            large.append(element)
    ds = copy.deepcopy(source, {id(element): element for element in large})
    for element in large:
        del ds[element.tag]
        issue_warning(
            f"{path}: private element {Tag(element.tag)} of "
            f"{_value_length(element) / 2**20:.0f} MiB left out of the derived image"
        )
    return ds


def _value_length(element: DataElement | RawDataElement) -> int:
    """Return the length of an element's value: as read, or its bytes or text."""
    if isinstance(element, RawDataElement):
        return 0 if element.length == 0xFFFFFFFF else element.length
    value = element.value
    return len(value) if isinstance(value, bytes | str) else 0


def _keep_frame_values(ds: Dataset, frame: int, n_frames: int) -> None:
    """Leave `ds` frame `frame`'s values of the attributes that vary frame by frame.

    Each positioner angle of :data:`_ANGLE_INCREMENTS` becomes frame `frame`'s, the
    first frame's plus its offset where the increments give one per frame; kept as it
    is for the first frame of an average increment; removed where the frame's angle is
    not known so (an average increment: nominal only; increments not numbers). The
    increments go, with every attribute that FrameIncrementPointer names (outside
    :data:`_PIXEL_GROUPS`), which :data:`_MULTIFRAME_KEYWORDS` removes with the pointer.
    A frame of several is STATIC in :data:`_MOTIONS`.

    Parameters
    ----------
    ds : Dataset
        The derived dataset, a copy of the source's header, changed in place.
    frame, n_frames : int
        The frame (from 0) and how many the source has.
    """
    for angle, increment in _ANGLE_INCREMENTS:
        if increment not in ds:
            continue
        offsets = [_finite(value) for value in _values_of(ds[increment].value)]
        first = _finite(ds.get(angle))
        if first is not None:
            if len(offsets) == n_frames > 1 and offsets[frame] is not None:
                ds[angle].value = DSfloat(first + offsets[frame], auto_format=True)
            elif not (frame == 0 and len(offsets) == 1):
                del ds[angle]
        del ds[increment]
    for value in _values_of(ds.get("FrameIncrementPointer")):
        try:
            tag = Tag(value)
        except (TypeError, ValueError, OverflowError):  # not a tag: names nothing
            continue
        if tag.group not in _PIXEL_GROUPS and tag in ds:
            del ds[tag]
    if n_frames > 1:
        for keyword in _MOTIONS:
            if ds.get(keyword):
                setattr(ds, keyword, "STATIC")


def _finite(value: Any) -> float | None:
    """Return a single numeric value as a finite float, or None."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _values_of(value: object) -> list[object]:
    """Return the values of a possibly multi-valued attribute as a list (none for None)."""
    if isinstance(value, MultiValue | list | tuple):
        return list(value)
    return [] if value is None or value == "" else [value]


class DerivedSeriesUID(UID):
    """The SeriesInstanceUID of a derived series, a ``str``, knowing when the series was made.

    Series attributes are the same in every instance of a series: given as `series_uid`
    of :func:`derived_dataset`, its :attr:`made` is the SeriesDate/Time of each.

    Parameters
    ----------
    value : str, optional
        The UID; by default a new one.
    made : datetime, optional
        When the series was made, timezone-aware; by default now.
    number : int, optional
        The series' SeriesNumber, where an earlier run gave it one (:meth:`of_instance`);
        by default the source's plus :data:`SERIES_NUMBER_OFFSET`.
    """

    made: datetime
    number: int | None

    def __new__(
        cls, value: str | None = None, made: datetime | None = None, number: int | None = None
    ) -> DerivedSeriesUID:
        """Return `value` (a new UID by default), made at `made` (now by default)."""
        uid = super().__new__(cls, generate_uid() if value is None else value)
        uid.made = datetime.now().astimezone() if made is None else made
        uid.number = number
        return uid

    @classmethod
    def of_instance(cls, header: Dataset) -> DerivedSeriesUID | None:
        """Return the derived series an instance written before is of, for more to join it.

        Parameters
        ----------
        header : Dataset
            A derived DICOM's header (an output kept when a batch is resumed).

        Returns
        -------
        DerivedSeriesUID or None
            Its SeriesInstanceUID, made at its SeriesDate/Time (in its
            TimezoneOffsetFromUTC where valid, else local; now where they are missing
            or not a date and time), with its SeriesNumber (None where empty); None
            without a SeriesInstanceUID.
        """
        uid = str(header.get("SeriesInstanceUID") or "").strip()
        if not uid:
            return None
        try:
            number: int | None = int(header.get("SeriesNumber"))
        except (TypeError, ValueError):
            number = None
        return cls(uid, _series_made(header), number)


def _series_made(header: Dataset) -> datetime | None:
    """Return a header's SeriesDate/Time, timezone-aware, or None where either is not valid."""
    try:  # pydicom's DA and TM read every form the standard allows (HH, HHMM, fractions)
        date = DA(str(header.get("SeriesDate") or "").strip())
        time = TM(str(header.get("SeriesTime") or "").strip())
    except ValueError:
        return None
    if date is None or time is None:
        return None
    made = datetime.combine(date, time.replace(tzinfo=None))
    zone = _utc_offset(header)
    return made.astimezone() if zone is None else made.replace(tzinfo=zone)


def derived_series_uid(image: XrayImage, series: dict[str, str]) -> str | None:
    """Return the SeriesInstanceUID of the series derived from `image`'s source series.

    The images of one source series written in one run (a batch) form one derived
    series: the first gets a new :class:`DerivedSeriesUID`, kept in `series` for the
    others, which share its SeriesDate/Time. A batch resumed puts in `series` first the
    series of the outputs it keeps (:meth:`DerivedSeriesUID.of_instance`), so that the
    rest join them.

    Parameters
    ----------
    image : XrayImage
        An image to be written as a derived DICOM.
    series : dict of str to str
        The run's derived SeriesInstanceUIDs (:class:`DerivedSeriesUID`) by source
        SeriesInstanceUID; one is added for a source series met for the first time.

    Returns
    -------
    str or None
        The derived series' UID; None for an image without a DICOM header or without
        a source SeriesInstanceUID (a series of its own, :func:`write_derived_dicom`).
    """
    source = None if image.dataset is None else image.dataset.get("SeriesInstanceUID")
    if not source:
        return None
    if str(source) not in series:
        series[str(source)] = DerivedSeriesUID()
    return series[str(source)]


def write_new_dicom(
    pixels: np.ndarray,
    path: str | os.PathLike[str],
    *,
    photometric: str = "MONOCHROME2",
    bits_stored: int = 12,
    pixel_spacing: tuple[float, float] | None = None,
    patient_name: str = "",
    patient_id: str = "",
    description: str = "",
    modality: str = "CR",
    window: Window | None = None,
    transfer_syntax: str = ExplicitVRLittleEndian,
    overwrite: bool = False,
) -> Path:
    """Write stored values as a new, complete single-frame DICOM image with new UIDs.

    Modality ``"CR"`` gives a Computed Radiography image (pixel spacing as
    ImagerPixelSpacing); any other modality a Secondary Capture image (pixel
    spacing as PixelSpacing, ConversionType ``WSD``). All type 1 and type 2
    attributes of the IOD's modules are present; text is UTF-8. SeriesDescription and
    DerivationDescription start with :data:`NOTICE_PREFIX`, ImageComments is the notice
    (:func:`core.io.notice.not_for_diagnosis`), and an Overlay Plane shows the notice
    (:func:`_add_notice_overlay`).

    Parameters
    ----------
    pixels : ndarray, shape (rows, cols)
        Stored values, uint8/uint16 (int8/int16 for signed data).
    path : str or PathLike
        Destination.
    photometric : str
        ``"MONOCHROME1"`` or ``"MONOCHROME2"``.
    bits_stored : int
        Significant bits, at most the dtype's; every value must fit.
    pixel_spacing : tuple of float, optional
        Row and column spacing in mm.
    patient_name, patient_id : str
        Patient identification (empty by default).
    description : str
        SeriesDescription (its first words within 64 characters) and
        DerivationDescription (first 1024 characters).
    modality : str
        DICOM Modality; ``"CR"`` selects the CR IOD.
    window : Window, optional
        Written as WindowCenter/WindowWidth.
    transfer_syntax : str
        One of :data:`NEW_SYNTAXES`, e.g. ``pydicom.uid.RLELossless``.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValueError
        For invalid pixels or arguments.
    ImageWriteError
        If no encoder is installed for `transfer_syntax`, or the write fails.
    """
    ds = new_dataset(
        pixels,
        photometric=photometric,
        bits_stored=bits_stored,
        pixel_spacing=pixel_spacing,
        patient_name=patient_name,
        patient_id=patient_id,
        description=description,
        modality=modality,
        window=window,
    )
    return write_dataset(ds, path, transfer_syntax=transfer_syntax, overwrite=overwrite)


def new_dataset(
    pixels: np.ndarray,
    *,
    photometric: str,
    bits_stored: int,
    pixel_spacing: tuple[float, float] | None,
    patient_name: str,
    patient_id: str,
    description: str,
    modality: str,
    window: Window | None,
) -> Dataset:
    """Build the dataset that :func:`write_new_dicom` writes (see there for the parameters).

    Returns
    -------
    Dataset
        With file meta information, uncompressed.

    Raises
    ------
    ValueError
        For invalid pixels or arguments.
    """
    pixels = np.asarray(pixels)
    if pixels.ndim != 2 or pixels.dtype not in (np.uint8, np.uint16, np.int8, np.int16):
        raise ValueError(
            f"pixels must be a 2-D uint8, uint16, int8 or int16 array of stored values, "
            f"got {pixels.dtype} with shape {pixels.shape}"
        )
    if photometric not in ("MONOCHROME1", "MONOCHROME2"):
        raise ValueError(f"photometric must be MONOCHROME1 or MONOCHROME2, got {photometric!r}")
    if not modality or len(modality) > 16:
        raise ValueError(f"modality must be a DICOM modality code such as 'CR', got {modality!r}")
    if pixel_spacing is not None and not all(0 < float(v) < math.inf for v in pixel_spacing):
        raise ValueError(f"pixel spacing must be positive and finite, got {tuple(pixel_spacing)}")
    is_cr = modality == "CR"
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = ComputedRadiographyImageStorage if is_cr else SecondaryCaptureImageStorage
    ds.file_meta = _file_meta(ds.SOPClassUID)
    try:
        ds.set_pixel_data(pixels, photometric, bits_stored)  # also sets SOPInstanceUID
    except ValueError as error:
        raise ValueError(f"pixels do not fit bits_stored={bits_stored}: {error}") from None
    ds.PatientName = patient_name
    ds.PatientID = patient_id
    ds.PatientBirthDate = ""
    ds.PatientSex = ""
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.StudyID = ""
    ds.AccessionNumber = ""
    ds.ReferringPhysicianName = ""
    ds.Modality = modality
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    ds.Manufacturer = PRODUCT
    ds.SoftwareVersions = software_version()
    ds.PatientOrientation = ""
    ds.ImageType = ["DERIVED", "SECONDARY"]
    ds.SeriesDescription = _with_notice_prefix(description, LO_MAX, _shorten)
    ds.DerivationDescription = _with_notice_prefix(
        description, ST_MAX, lambda text, limit: joined_history("", text, limit)
    )
    ds.ImageComments = not_for_diagnosis()
    ds.BurnedInAnnotation = "NO"
    ds.LossyImageCompression = "00"
    if is_cr:
        ds.BodyPartExamined = ""
        ds.ViewPosition = ""
    else:
        ds.ConversionType = "WSD"
    if pixel_spacing is not None:
        spacing = [DSfloat(float(v), auto_format=True) for v in pixel_spacing]
        setattr(ds, "ImagerPixelSpacing" if is_cr else "PixelSpacing", spacing)
    if window is not None:
        ds.WindowCenter = DSfloat(float(window.center), auto_format=True)
        ds.WindowWidth = DSfloat(float(window.width), auto_format=True)
    ds.StudyDate, ds.StudyTime = _stamp_now(ds)
    _add_notice_overlay(ds)
    return ds


def write_secondary_capture(
    image: XrayImage,
    path: str | os.PathLike[str],
    *,
    description: str,
    overwrite: bool = False,
    history: str = "",
) -> Path:
    """Write an image without a DICOM header (PNG, TIFF, ``.npy``) as a new Secondary Capture.

    Modality ``OT``, empty patient identification, the image's stored values,
    photometric, pixel spacing and window (see :func:`write_new_dicom`).
    LossyImageCompression is ``"01"`` for a lossy source (:func:`_mark_lossy_source`);
    BurnedInAnnotation is left out, as such a source cannot tell whether text (a
    patient's name, say) is burned into its pixels.

    Parameters
    ----------
    image : XrayImage
        An image with an 8 or 16-bit integer mapping.
    path : str or PathLike
        Destination; never the image's source file.
    description : str
        SeriesDescription and DerivationDescription.
    overwrite : bool
        Replace an existing file.
    history : str
        What was done before `description` (a lower dose simulated, say): it comes
        first, and is what DerivationDescription leaves out first, as a derived image's
        (:func:`write_derived_dicom`).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ImageWriteError
        For float or wider than 16-bit data, and any write failure.
    """
    if image.mapping.is_float or image.mapping.bits_stored > 16:
        raise ImageWriteError(
            path, "DICOM output holds 8 or 16-bit integers; save this image as .tif or .npy"
        )
    ds = new_dataset(
        stored_pixels(image),
        photometric=image.photometric,
        bits_stored=image.mapping.bits_stored,
        pixel_spacing=image.pixel_spacing,
        patient_name="",
        patient_id="",
        description=history_then(history, description),
        modality="OT",
        window=image.window,
    )
    if history:
        ds.DerivationDescription = _derivation_history(history, description)
    del ds.BurnedInAnnotation
    _mark_lossy_source(ds, image)
    return write_dataset(ds, path, overwrite=overwrite, source=image.source_path)


def write_dataset(
    ds: Dataset,
    path: str | os.PathLike[str],
    *,
    transfer_syntax: str = ExplicitVRLittleEndian,
    overwrite: bool = False,
    source: Path | None = None,
) -> Path:
    """Encode `ds` with `transfer_syntax` and write it atomically as a DICOM file.

    Parameters
    ----------
    ds : Dataset
        An uncompressed dataset with file meta information; compressed in place.
    path : str or PathLike
        Destination.
    transfer_syntax : str
        One of :data:`NEW_SYNTAXES`.
    overwrite : bool
        Replace an existing file.
    source : Path, optional
        A file that must not be overwritten (the image's source).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValueError
        If `transfer_syntax` is not one of :data:`NEW_SYNTAXES`.
    ImageWriteError
        If its encoder is not installed, or the write fails.
    """
    syntax = UID(transfer_syntax)
    if syntax not in NEW_SYNTAXES:
        names = ", ".join(s.name for s in NEW_SYNTAXES)
        raise ValueError(f"transfer_syntax must be one of {names}; got {syntax.name}")
    if syntax != ExplicitVRLittleEndian and not get_encoder(syntax).is_available:
        missing = "; ".join(get_encoder(syntax).missing_dependencies) or "an encoding plugin"
        raise ImageWriteError(path, f"cannot encode {syntax.name}: install {missing}")
    if syntax != ExplicitVRLittleEndian:
        try:
            ds.compress(syntax)
        except RuntimeError as error:  # every plugin refused it (too small, say)
            reason = " ".join(str(error).split())
            raise ImageWriteError(path, f"cannot encode {syntax.name}: {reason}") from error
    with atomic_write(path, overwrite=overwrite, source=source) as file:
        dcmwrite(file, ds, enforce_file_format=True)
    return Path(path)


def _file_meta(sop_class: str) -> FileMetaDataset:
    """Return fresh file meta information for an uncompressed instance of `sop_class`."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = IMPLEMENTATION_CLASS_UID
    meta.ImplementationVersionName = IMPLEMENTATION_VERSION_NAME
    return meta


def _look_up_missing_vrs(ds: Dataset) -> None:
    """Give each element read from implicit-VR data its VR from the dictionary.

    Such elements (found even under an explicit transfer syntax) carry no VR until
    looked up, and the explicit-VR output needs one for each. Other elements stay as
    read, so their values are not re-validated.
    """
    for tag in list(ds.keys()):
        if ds.get_item(tag).VR is None:
            element = ds[tag]  # converts it
            if element.VR == "SQ":
                for item in element.value:
                    _look_up_missing_vrs(item)


def _set_pixel_data(ds: Dataset, stored: np.ndarray, photometric: str, bits_stored: int) -> None:
    """Set uncompressed pixel data and its description, and a new SOPInstanceUID.

    pydicom's ``Dataset.set_pixel_data`` takes 8 and 16-bit data only; 32-bit stored
    values (rare, but DICOM allows them) are written here as little-endian words.
    """
    if stored.itemsize <= 2:
        ds.set_pixel_data(stored, photometric, bits_stored)
        return
    ds.Rows, ds.Columns = stored.shape
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = photometric
    ds.BitsAllocated = 8 * stored.itemsize
    ds.BitsStored = bits_stored
    ds.HighBit = bits_stored - 1
    ds.PixelRepresentation = int(stored.dtype.kind == "i")
    if "PlanarConfiguration" in ds:
        del ds.PlanarConfiguration
    ds.PixelData = stored.astype(stored.dtype.newbyteorder("<"), copy=False).tobytes()
    ds["PixelData"].VR = "OW"
    ds.SOPInstanceUID = generate_uid()


def _set_padding(ds: Dataset, padding: Padding, photometric: str) -> None:
    """Set PixelPaddingValue (and PixelPaddingRangeLimit for a range) to `padding`'s range.

    The padding value is the end nearest black: the range's lowest value for
    MONOCHROME2, its highest for MONOCHROME1 (PS3.3 C.7.5.1.1.2). Their VR is SS
    for signed pixel data (PixelRepresentation 1, already set), else US.
    """
    black, white = padding.first, padding.last
    if photometric == "MONOCHROME1":
        black, white = white, black
    vr = "SS" if ds.PixelRepresentation == 1 else "US"
    ds.add_new("PixelPaddingValue", vr, black)
    if white != black:
        ds.add_new("PixelPaddingRangeLimit", vr, white)


def _derived_stored(image: XrayImage, source: Dataset) -> np.ndarray:
    """Return stored values, widened to 16 bits if the source allocates 16 for 8-bit data."""
    stored = stored_pixels(image)
    if stored.itemsize == 1 and source.get("BitsAllocated") == 16:
        stored = stored.astype(np.int16 if image.mapping.signed else np.uint16)
    return stored


def _derivation_history(previous: str, description: str) -> str:
    """Return :data:`NOTICE_PREFIX`, then `description` after `previous` (the source's).

    The whole is within :data:`ST_MAX`: beyond it the oldest text goes first, marked
    :data:`ELLIPSIS`; a `description` too long on its own is cut at the end, marked
    so, as without a `previous`. A `previous` of this program starts with the notice already: it is
    said once.
    """
    previous = previous.removeprefix(NOTICE_PREFIX).strip()
    return NOTICE_PREFIX + joined_history(previous, description, ST_MAX - len(NOTICE_PREFIX))


def _check_derivation(operation: str, dose: float | None) -> None:
    """Raise ValueError for an `operation` too long or a `dose` that is not positive."""
    if len(operation) > OPERATION_MAX:
        raise ValueError(
            f"operation must be a few words for SeriesDescription (at most {OPERATION_MAX} "
            f"characters), got {operation!r}"
        )
    if dose is not None and not (math.isfinite(dose) and dose > 0):
        raise ValueError(f"dose must be a positive fraction of the source's dose, got {dose}")


def _derived_series(series: str, operation: str) -> str:
    """Return :data:`NOTICE_PREFIX`, `series` and ``"(<operation>)"``, within :data:`LO_MAX`.

    A longer `series` is cut at a word boundary and marked :data:`ELLIPSIS`. The notice
    and suffix of a `series` that has them already (of this program; the same done once
    more) are not repeated: once is enough. Of a `series` this program wrote (it starts
    with the notice), the operations named at its end are kept, the new one joining
    them (``"(simulated 25 % dose, denoised)"``), and only the words before them are cut
    (an :data:`ELLIPSIS` there already is not doubled), where that fits.
    """
    ours = series.startswith(NOTICE_PREFIX)
    series = series.removeprefix(NOTICE_PREFIX).strip()
    operations, cut = operation, False
    if ours and (match := _EARLIER_OPERATIONS.search(series)):
        earlier = ", ".join(re.findall(r"\(([^()]+)\)", match.group(0)))
        repeated = earlier == operation or earlier.endswith(f", {operation}")
        joined = earlier if repeated else f"{earlier}, {operation}"
        if len(NOTICE_PREFIX) + len(ELLIPSIS) + len(f" ({joined})") <= LO_MAX:
            operations = joined
            series = series[: match.start()].rstrip()
            cut = series.endswith(ELLIPSIS)
            series = series.removesuffix(ELLIPSIS)
    elif series.endswith(f"({operation})"):
        series = series.removesuffix(f"({operation})").rstrip()
    suffix = f"({operations})"
    room = LO_MAX - len(NOTICE_PREFIX) - len(" ") - len(suffix)
    if cut and len(series) + len(ELLIPSIS) <= room:  # cut before: still marked, once
        shortened = series + ELLIPSIS
    else:
        shortened = _shorten(series, room)
    return NOTICE_PREFIX + " ".join(part for part in (shortened, suffix) if part)


_EARLIER_OPERATIONS = re.compile(r"(?:\s*\([^()]+\))+$")
"""The parenthesised operations at the end of a series description this program wrote."""


def _with_notice_prefix(text: str, limit: int, shorten: Callable[[str, int], str]) -> str:
    """Return :data:`NOTICE_PREFIX` and `text` shortened by `shorten`, within `limit`."""
    if not text:
        return DISCLAIMER
    return NOTICE_PREFIX + shorten(text, limit - len(NOTICE_PREFIX))


def _code(code: tuple[str, str, str]) -> Dataset:
    """Return a code sequence item of CodeValue, CodingSchemeDesignator and CodeMeaning."""
    item = Dataset()
    item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = code
    return item


def _set_pixel_spacing(ds: Dataset) -> None:
    """Give a Secondary Capture made of a projection image the PixelSpacing of its IOD.

    The Secondary Capture IOD has no ImagerPixelSpacing (kept, as a standard extended
    attribute), but PixelSpacing with the Basic Pixel Spacing Calibration Macro of its
    SC Image Module (PS3.3 C.8.6.2): ImagerPixelSpacing divided by the
    EstimatedRadiographicMagnificationFactor where there is one (PixelSpacingCalibrationType
    ``GEOMETRY``, with a PixelSpacingCalibrationDescription saying so), else as it is, in the
    detector plane (no calibration type: not corrected). Nothing changes where PixelSpacing
    is present, or ImagerPixelSpacing is not two positive numbers.
    """
    if "PixelSpacing" in ds:
        return
    try:
        spacing = [float(value) for value in _values(ds.get("ImagerPixelSpacing"))]
    except ValueError:
        return
    if len(spacing) != 2 or not all(0 < value < math.inf for value in spacing):
        return
    try:
        factor = float(ds.get("EstimatedRadiographicMagnificationFactor"))
    except (TypeError, ValueError):
        factor = math.nan
    if 0 < factor < math.inf:
        spacing = [value / factor for value in spacing]
        ds.PixelSpacingCalibrationType = "GEOMETRY"
        ds.PixelSpacingCalibrationDescription = (  # both kept in the header
            "ImagerPixelSpacing / EstimatedRadiographicMagnificationFactor"
        )
    ds.PixelSpacing = [DSfloat(value, auto_format=True) for value in spacing]


def _add_notice_overlay(ds: Dataset) -> None:
    """Add an Overlay Plane showing :data:`DISCLAIMER` at the top left of the image.

    The text is :func:`core.io.notice.notice_bitmap` for the image's size, in the first
    free overlay group (PS3.3 C.9.2; Type ``G``, one bit a pixel, OverlayLabel
    :data:`OVERLAY_LABEL`). Nothing is added where an overlay of the notice is there
    already (a source of this program), where all sixteen groups are taken, or where the
    image is too small to hold the text.
    """
    used = {group for group in OVERLAY_GROUPS if Tag(group, 0x0010) in ds}
    if any(
        ds.get(Tag(group, 0x1500)) is not None and ds[group, 0x1500].value == OVERLAY_LABEL
        for group in used
    ):
        return
    free = [group for group in OVERLAY_GROUPS if group not in used]
    bitmap = notice_bitmap(int(ds.Rows), int(ds.Columns))
    if not free or bitmap is None:
        return
    group = free[0]
    ds.add_new(Tag(group, 0x0010), "US", bitmap.shape[0])  # OverlayRows
    ds.add_new(Tag(group, 0x0011), "US", bitmap.shape[1])  # OverlayColumns
    ds.add_new(Tag(group, 0x0022), "LO", DISCLAIMER)  # OverlayDescription
    ds.add_new(Tag(group, 0x0040), "CS", "G")  # OverlayType: graphics
    ds.add_new(Tag(group, 0x0050), "SS", [1, 1])  # OverlayOrigin: the top left pixel
    ds.add_new(Tag(group, 0x0100), "US", 1)  # OverlayBitsAllocated
    ds.add_new(Tag(group, 0x0102), "US", 0)  # OverlayBitPosition
    ds.add_new(Tag(group, 0x1500), "LO", OVERLAY_LABEL)  # OverlayLabel
    ds.add_new(Tag(group, 0x3000), "OW", pack_bits(bitmap))  # OverlayData


def _derived_series_number(source: Dataset) -> int | None:
    """Return the source's SeriesNumber plus :data:`SERIES_NUMBER_OFFSET`, or None.

    None without one (absent, empty or not a number), or where the sum would pass the
    largest IS value, 2**31 - 1.
    """
    try:
        number = int(source.get("SeriesNumber")) + SERIES_NUMBER_OFFSET
    except (TypeError, ValueError):
        return None
    return number if number <= IS_MAX else None


def _add_modifying_equipment(ds: Dataset, description: str) -> None:
    """Add a ContributingEquipmentSequence item naming this software as Modifying Equipment.

    Items of the source (earlier modifications) are kept before it; `description`, what
    was done, is its ContributionDescription (beyond :data:`ST_MAX` characters cut at
    its end, marked :data:`ELLIPSIS`: :func:`joined_history`).
    """
    purpose = Dataset()
    purpose.CodeValue, purpose.CodingSchemeDesignator, purpose.CodeMeaning = MODIFYING_EQUIPMENT
    item = Dataset()
    item.PurposeOfReferenceCodeSequence = [purpose]
    item.Manufacturer = PRODUCT
    item.SoftwareVersions = software_version()
    item.ContributionDateTime = datetime.now().astimezone().strftime("%Y%m%d%H%M%S.%f%z")
    item.ContributionDescription = joined_history("", description, ST_MAX)
    if "ContributingEquipmentSequence" in ds:
        ds.ContributingEquipmentSequence.append(item)
    else:
        ds.ContributingEquipmentSequence = [item]


def _image_comments(comments: str) -> str:
    """Return the source's ImageComments `comments` followed by the notice, within :data:`LT_MAX`.

    The notice (:func:`core.io.notice.not_for_diagnosis`) is there once: one that the
    source's comments end with, of any version, is replaced (:func:`with_notice`). A
    comment too long to leave it room loses its end, marked :data:`ELLIPSIS`, and one cut
    so before keeps its mark.
    """
    kept = without_notice(comments)
    if not kept.endswith(ELLIPSIS):
        text = with_notice(kept)
        if len(text) <= LT_MAX:
            return text
    notice = not_for_diagnosis()
    room = LT_MAX - len(ELLIPSIS) - len(" ") - len(notice)
    return f"{kept.removesuffix(ELLIPSIS)[:room]}{ELLIPSIS} {notice}"


def _scale_exposure(ds: Dataset, dose: float) -> str:
    """Make the exposure values of `ds` those of `dose` times the source's exposure.

    The values of :data:`DOSE_PROPORTIONAL` are multiplied by `dose`
    (:func:`_scale_proportional`), those of :data:`DOSE_UNSCALABLE` removed, and
    DeviationIndex recomputed from the scaled ExposureIndex (:func:`_deviation_index`),
    or removed where it cannot be. Exposure holds whole mAs: where the scaled value is
    not whole (0.4 mAs, written 0) and there is no ExposureInuAs or ExposureInmAs,
    ExposureInuAs is added to hold it (:func:`_exposure_in_uas`). The items of
    :data:`DOSE_SEQUENCES` are scaled alike, named in what is said as the sequence with
    the keywords of its items (``"ExposureDoseSequence (ExposureInuAs,
    XRayTubeCurrentInuA)"``).

    Parameters
    ----------
    ds : Dataset
        The derived dataset, changed in place.
    dose : float
        The simulated fraction of the source's dose, positive.

    Returns
    -------
    str
        What was changed, to follow the DerivationDescription (each part after
        ``"; "``); empty when `ds` has no exposure value.
    """
    scaled, added, removed = _scale_values(ds, dose)
    for sequence in DOSE_SEQUENCES:
        changed: tuple[list[str], list[str], list[str]] = ([], [], [])
        for item in ds.get(sequence) or ():
            for keywords, found in zip(changed, _scale_values(item, dose), strict=True):
                keywords.extend(keyword for keyword in found if keyword not in keywords)
        for keywords, found in zip((scaled, added, removed), changed, strict=True):
            if found:
                keywords.append(f"{sequence} ({', '.join(found)})")
    recomputed = []
    if "DeviationIndex" in ds:
        deviation = _deviation_index(ds)
        if deviation is None:
            del ds.DeviationIndex
            removed.append("DeviationIndex")
        else:
            ds.DeviationIndex = DSfloat(deviation, auto_format=True)
            recomputed.append("DeviationIndex")
    changes = (
        (f"exposure values scaled to the simulated {dose * 100:g} % dose", scaled),
        ("added", added),
        ("recomputed", recomputed),
        ("removed", removed),
    )
    return "".join(f"; {what}: {', '.join(keywords)}" for what, keywords in changes if keywords)


def _scale_values(ds: Dataset, dose: float) -> tuple[list[str], list[str], list[str]]:
    """Scale the exposure values of `ds` (or of a sequence item) by `dose`.

    The values of :data:`DOSE_PROPORTIONAL` are scaled (:func:`_scale_proportional`),
    ExposureInuAs added where whole mAs would lose the scaled Exposure
    (:func:`_exposure_in_uas`), and those of :data:`DOSE_UNSCALABLE` removed.

    Returns
    -------
    scaled, added, removed : list of str
        The keywords scaled, added and removed.
    """
    exposure_in_uas = _exposure_in_uas(ds, dose)
    scaled, removed = _scale_proportional(ds, dose)
    added = []
    if exposure_in_uas is not None:
        ds.ExposureInuAs = exposure_in_uas
        added.append("ExposureInuAs")
    for keyword in DOSE_UNSCALABLE:
        if keyword in ds:
            del ds[keyword]
            removed.append(keyword)
    return scaled, added, removed


def _scale_proportional(ds: Dataset, dose: float) -> tuple[list[str], list[str]]:
    """Multiply the values of :data:`DOSE_PROPORTIONAL` in `ds` by `dose`.

    Integer values are rounded, and removed where a positive value would round to 0
    (0.4 mAs: ExposureInuAs holds it, :func:`_exposure_in_uas`); a value that is not a
    single number cannot be scaled and is removed.

    Returns
    -------
    scaled, removed : list of str
        The keywords scaled, and those removed.
    """
    scaled, removed = [], []
    for keyword in DOSE_PROPORTIONAL:
        if ds.get(keyword) in (None, ""):
            continue
        element = ds[keyword]
        try:
            value = float(element.value) * dose
        except (TypeError, ValueError):
            del ds[keyword]
            removed.append(keyword)
            continue
        if element.VR in ("IS", "US", "SS", "UL", "SL"):
            if value > 0 and round(value) == 0:  # under the field's unit (0.4 mAs): not 0
                del ds[keyword]
                removed.append(keyword)
                continue
            element.value = round(value)
        elif element.VR == "DS":
            element.value = DSfloat(value, auto_format=True)
        else:
            element.value = value
        scaled.append(keyword)
    return scaled, removed


def _exposure_in_uas(ds: Dataset, dose: float) -> int | None:
    """Return Exposure times `dose` in µAs, where whole mAs would lose it and `ds` has no finer.

    None where `ds` has ExposureInuAs or ExposureInmAs, where its Exposure is absent or
    not a number, or where the scaled value is a whole number of mAs.
    """
    if "ExposureInuAs" in ds or "ExposureInmAs" in ds:
        return None
    try:
        mas = float(ds.Exposure) * dose
    except (AttributeError, TypeError, ValueError):
        return None
    return None if mas == round(mas) else round(mas * 1000)


def _deviation_index(ds: Dataset) -> float | None:
    """Return DeviationIndex ``10 * log10(EI / TargetEI)`` (IEC 62494-1) to 0.01, or None.

    None where ExposureIndex or TargetExposureIndex is absent, empty, not a number or
    not positive.
    """
    try:
        index, target = float(ds.ExposureIndex), float(ds.TargetExposureIndex)
    except (AttributeError, TypeError, ValueError):  # absent, empty or not a number
        return None
    if not (index > 0 and target > 0):
        return None
    return round(10 * math.log10(index / target), 2)


def _mark_lossy_source(ds: Dataset, image: XrayImage) -> None:
    """Set LossyImageCompression ``"01"`` in `ds` if `image`'s source was lossy, else keep it.

    A JPEG (:data:`SOURCE_FORMAT_LOSSY`) always is; another source is where its reader
    says so in ``image.metadata`` (LossyImageCompression ``"01"``, with
    LossyImageCompressionMethod where a DICOM defined term names the method).
    """
    method = SOURCE_FORMAT_LOSSY.get(image.source_format)
    if method is None:
        if image.metadata.get("LossyImageCompression") != "01":
            return
        method = image.metadata.get("LossyImageCompressionMethod")
    ds.LossyImageCompression = "01"  # once lossy, always lossy (PS3.3 C.7.6.1.1.5)
    if method:
        ds.LossyImageCompressionMethod = method


def _shorten(text: str, limit: int) -> str:
    """Return `text`, or if longer than `limit` its first words marked :data:`ELLIPSIS`.

    A single word longer than that is cut within the word.
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS) + 1]  # one more: a space there ends a word
    words = cut.rsplit(" ", 1)[0] if " " in cut else cut[:-1]
    return words.rstrip(" ,;:-") + ELLIPSIS


def _values(value: object) -> list[str]:
    """Return the values of a possibly multi-valued string attribute as a list."""
    if isinstance(value, MultiValue | list):
        return [str(v) for v in value]
    return [str(value)] if value else []


def _stamp_now(ds: Dataset, series_made: datetime | None = None) -> tuple[str, str]:
    """Set Content and InstanceCreation Date/Time to now, Series Date/Time to `series_made`.

    A derived image is of a new series: the source's SeriesDate/Time are not its own
    (AcquisitionDate/Time, of the exposure, are kept); by default (`series_made` None,
    else timezone-aware) the series is made now. The times are those of the dataset's
    TimezoneOffsetFromUTC where it has a valid one (:func:`_utc_offset`), as DICOM reads
    them, else local.

    Returns
    -------
    date, time : str
        Now, as written to ContentDate and ContentTime.
    """
    zone = _utc_offset(ds)
    now = datetime.now(zone)
    series = now if series_made is None else series_made.astimezone(zone)
    date, time = now.strftime("%Y%m%d"), now.strftime("%H%M%S.%f")
    ds.ContentDate, ds.ContentTime = date, time
    ds.InstanceCreationDate, ds.InstanceCreationTime = date, time
    ds.SeriesDate, ds.SeriesTime = series.strftime("%Y%m%d"), series.strftime("%H%M%S.%f")
    return date, time


_UTC_OFFSET = re.compile(r"([+-])(\d\d)(\d\d)")
"""A TimezoneOffsetFromUTC value (SOP Common, PS3.3 C.12.1), ``&ZZXX``: sign, hours, minutes."""


def _utc_offset(ds: Dataset) -> timezone | None:
    """Return the timezone of `ds`'s TimezoneOffsetFromUTC, or None without a valid one.

    Valid is ``+HHMM`` or ``-HHMM`` from -1200 to +1400, minutes under 60.
    """
    match = _UTC_OFFSET.fullmatch(str(ds.get("TimezoneOffsetFromUTC") or "").strip())
    if match is None:
        return None
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3))
    offset = timedelta(hours=hours, minutes=minutes)
    if minutes >= 60 or offset > timedelta(hours=14 if sign == "+" else 12):
        return None
    return timezone(-offset if sign == "-" else offset)
