"""Every instance of one derived series has its SeriesDate and SeriesTime.

Series attributes are the same in each instance of a series; Content and InstanceCreation
Date/Time are each instance's own.
"""

import time
from datetime import UTC, datetime

import pydicom
from pydicom.uid import generate_uid

from core.io import read_image, write_derived_dicom
from core.io.dicom_write import DerivedSeriesUID, derived_series_uid


def _write_frames(tmp_path, source, series_uid):
    written = []
    for frame in range(3):
        path = tmp_path / f"f{frame}.dcm"
        image = read_image(source, frame=frame)
        write_derived_dicom(
            image, path, description="d", series_uid=series_uid, instance_number=frame + 1
        )
        written.append(pydicom.dcmread(path))
        time.sleep(0.002)  # instances a few milliseconds apart
    return written


def test_the_frames_of_one_series_share_its_date_and_time(tmp_path, three_frame_dicom):
    series = {}
    image = read_image(three_frame_dicom)
    uid = derived_series_uid(image, series)
    assert isinstance(uid, DerivedSeriesUID)
    written = _write_frames(tmp_path, three_frame_dicom, uid)
    assert {ds.SeriesInstanceUID for ds in written} == {uid}
    assert len({(ds.SeriesDate, ds.SeriesTime) for ds in written}) == 1
    assert len({ds.ContentTime for ds in written}) == 3  # each instance's own
    assert all(ds.InstanceCreationTime == ds.ContentTime for ds in written)
    made = uid.made.astimezone()
    assert (written[0].SeriesDate, written[0].SeriesTime) == (
        made.strftime("%Y%m%d"),
        made.strftime("%H%M%S.%f"),
    )


def test_a_series_met_again_keeps_its_date(tmp_path, three_frame_dicom):
    series = {}
    image = read_image(three_frame_dicom)
    first = derived_series_uid(image, series)
    time.sleep(0.002)
    again = derived_series_uid(image, series)
    assert again is first and again.made == first.made


def test_the_series_date_is_when_the_series_was_made(tmp_path, three_frame_dicom):
    made = datetime(2020, 2, 29, 23, 59, 58, 123456, tzinfo=UTC)
    uid = DerivedSeriesUID(generate_uid(), made)
    (ds, *_) = _write_frames(tmp_path, three_frame_dicom, uid)
    local = made.astimezone()
    assert (ds.SeriesDate, ds.SeriesTime) == (
        local.strftime("%Y%m%d"),
        local.strftime("%H%M%S.%f"),
    )
    assert ds.ContentDate != ds.SeriesDate  # written now, not in 2020


def test_a_series_of_its_own_is_dated_as_its_image(tmp_path, three_frame_dicom):
    ds = pydicom.dcmread(
        write_derived_dicom(read_image(three_frame_dicom), tmp_path / "a.dcm", description="d")
    )
    assert (ds.SeriesDate, ds.SeriesTime) == (ds.ContentDate, ds.ContentTime)
