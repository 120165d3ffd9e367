"""A derived image carries no signature of its source, and its times are in the source's zone.

The source's DigitalSignaturesSequence, MACParametersSequence, InstanceCreatorUID and SOP
authorization are of the source instance: copied, every signature check calls the derived
image tampered with, and it claims the source's "authorized original" status. Times without
an offset are read in TimezoneOffsetFromUTC where the header has one.
"""

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

from core.io import read_image, write_derived_dicom
from core.io.dicom_write import DerivedSeriesUID, new_dataset, write_dataset

SOURCE_INSTANCE = (
    "DigitalSignaturesSequence",
    "MACParametersSequence",
    "InstanceCreatorUID",
    "SOPInstanceStatus",
    "SOPAuthorizationDateTime",
    "SOPAuthorizationComment",
)


def _source(path, **attributes):
    ds = new_dataset(
        np.full((32, 32), 1500, dtype=np.uint16),
        photometric="MONOCHROME2",
        bits_stored=12,
        pixel_spacing=None,
        patient_name="",
        patient_id="SIG-1",
        description="signed",
        modality="CR",
        window=None,
    )
    for keyword, value in attributes.items():
        setattr(ds, keyword, value)
    return write_dataset(ds, path)


def _signed(path):
    mac = Dataset()
    mac.MACIDNumber = 1
    mac.MACCalculationTransferSyntaxUID = "1.2.840.10008.1.2.1"
    mac.MACAlgorithm = "SHA256"
    mac.DataElementsSigned = [0x00100010, 0x7FE00010]
    signature = Dataset()
    signature.MACIDNumber = 1
    signature.DigitalSignatureUID = generate_uid()
    signature.DigitalSignatureDateTime = "20240101101010"
    signature.CertificateType = "X509_1993_SIG"
    signature.CertificateOfSigner = b"\x30\x82" + b"\x00" * 30
    signature.Signature = b"\x01" * 64
    return _source(
        path,
        MACParametersSequence=[mac],
        DigitalSignaturesSequence=[signature],
        InstanceCreatorUID="1.2.3.4.5",
        SOPInstanceStatus="AO",
        SOPAuthorizationDateTime="20240101101010",
        SOPAuthorizationComment="signed off",
    )


def test_the_source_signatures_and_creator_are_not_copied(tmp_path):
    source = _signed(tmp_path / "signed.dcm")
    assert all(keyword in pydicom.dcmread(source) for keyword in SOURCE_INSTANCE)
    out = write_derived_dicom(read_image(source), tmp_path / "out.dcm", description="denoised")
    ds = pydicom.dcmread(out)
    assert [keyword for keyword in SOURCE_INSTANCE if keyword in ds] == []
    assert ds.PatientID == "SIG-1"  # the rest of the header kept


def _offset_unlike_local() -> tuple[str, timezone]:
    """A TimezoneOffsetFromUTC other than this machine's, and its timezone."""
    local = datetime.now().astimezone().utcoffset()
    hours = 9 if local != timedelta(hours=9) else -5
    return f"{hours:+03d}00", timezone(timedelta(hours=hours))


def _written_at(date: str, time: str, zone) -> datetime:
    return datetime.strptime(date + time, "%Y%m%d%H%M%S.%f").replace(tzinfo=zone)


def test_new_times_are_in_the_source_timezone(tmp_path):
    offset, zone = _offset_unlike_local()
    source = _source(tmp_path / "tz.dcm", TimezoneOffsetFromUTC=offset)
    before = datetime.now(UTC)
    out = write_derived_dicom(
        read_image(source),
        tmp_path / "out.dcm",
        description="denoised",
        series_uid=DerivedSeriesUID(),
    )
    after = datetime.now(UTC)
    ds = pydicom.dcmread(out)
    assert ds.TimezoneOffsetFromUTC == offset
    for date, time in (
        ("ContentDate", "ContentTime"),
        ("InstanceCreationDate", "InstanceCreationTime"),
        ("SeriesDate", "SeriesTime"),
    ):
        written = _written_at(ds[date].value, ds[time].value, zone)
        assert before - timedelta(seconds=1) <= written <= after, (date, time)


@pytest.mark.parametrize("offset", ["+2500", "+1260", "-1300", "0900", "local"])
def test_without_a_valid_offset_times_are_local(tmp_path, offset):
    source = _source(tmp_path / "tz.dcm", TimezoneOffsetFromUTC=offset)
    before = datetime.now().astimezone()
    out = write_derived_dicom(read_image(source), tmp_path / "out.dcm", description="d")
    ds = pydicom.dcmread(out)
    written = _written_at(ds.ContentDate, ds.ContentTime, before.tzinfo)
    assert before - timedelta(seconds=1) <= written <= datetime.now().astimezone()
