"""What a derived or new DICOM says about where it came from: series, exposure, equipment."""

import dataclasses

import numpy as np
import pydicom
import pytest
from PIL import Image
from pydicom.dataset import Dataset

from core.cli import main
from core.code_version import software_version
from core.io import read_image, write_derived_dicom, write_image
from core.io.dicom_write import LT_MAX
from core.io.notice import not_for_diagnosis

SIMULATED = "simulated 10 % dose"
P = "Not for diagnostic use: "
"""Starts every SeriesDescription and DerivationDescription written."""

EXPOSURE = {
    "KVP": 125,
    "Exposure": 4,
    "ExposureInuAs": 4000,
    "ExposureInmAs": 4.0,
    "ExposureIndex": 400,
    "TargetExposureIndex": 400,
    "DeviationIndex": 0,
    "RelativeXRayExposure": 1234,
    "EntranceDoseInmGy": 0.2,
    "XRayTubeCurrent": 250,
    "ExposureTime": 16,
}


@pytest.fixture
def exposed(write_dx):
    """A CR image with exposure values, a comment, a series number and a thumbnail."""
    rng = np.random.default_rng(2)
    stored = rng.integers(1000, 3000, size=(32, 32), dtype=np.uint16)
    icon = Dataset()
    icon.Rows = icon.Columns = 4
    return write_dx(
        stored,
        ImageComments="pt. moved, repeat requested",
        SeriesNumber=3,
        SeriesDescription="Thorax p.a.",
        IconImageSequence=[icon],
        **EXPOSURE,
    )


def derived(tmp_path, image, name="derived.dcm", **options):
    out = write_derived_dicom(image, tmp_path / name, description="what was done", **options)
    return pydicom.dcmread(out)


def test_a_simulated_dose_states_its_own_exposure(tmp_path, exposed):
    ds = derived(tmp_path, read_image(exposed), operation=SIMULATED, dose=0.1)
    assert "Exposure" not in ds  # whole mAs: 0.4 is not 0; the finer values hold it
    assert ds.ExposureInuAs == 400
    assert ds.XRayTubeCurrent == 25 and ds.ExposureTime == 16  # 25 mA x 16 ms = 0.4 mAs
    assert ds.ExposureInmAs == pytest.approx(0.4)
    assert float(ds.ExposureIndex) == pytest.approx(40)
    assert float(ds.EntranceDoseInmGy) == pytest.approx(0.02)
    assert float(ds.DeviationIndex) == pytest.approx(-10.0)  # 10 log10(40 / 400)
    assert float(ds.TargetExposureIndex) == 400 and float(ds.KVP) == 125
    assert "RelativeXRayExposure" not in ds  # a manufacturer's scale: cannot be scaled
    assert "exposure values scaled to the simulated 10 % dose" in ds.DerivationDescription
    assert "RelativeXRayExposure" in ds.DerivationDescription


def test_deviation_index_without_a_target_is_removed(tmp_path, exposed):
    image = read_image(exposed)
    del image.dataset.TargetExposureIndex
    ds = derived(tmp_path, image, operation=SIMULATED, dose=0.1)
    assert "DeviationIndex" not in ds
    assert "removed: Exposure, RelativeXRayExposure, DeviationIndex" in ds.DerivationDescription


def test_a_fraction_of_a_mas_is_kept_in_microampere_seconds(tmp_path, exposed):
    image = read_image(exposed)
    del image.dataset.ExposureInuAs, image.dataset.ExposureInmAs
    ds = derived(tmp_path, image, operation=SIMULATED, dose=0.1)
    assert "Exposure" not in ds and ds.ExposureInuAs == 400
    assert "added: ExposureInuAs" in ds.DerivationDescription


def test_a_denoised_image_keeps_its_sources_exposure(tmp_path, exposed):
    ds = derived(tmp_path, read_image(exposed))
    source = pydicom.dcmread(exposed)
    for keyword in EXPOSURE:
        assert ds[keyword].value == source[keyword].value
    assert ds.DerivationDescription == P + "synthetic; what was done"  # nothing scaled


def test_the_simulate_command_scales_the_exposure(tmp_path, exposed):
    out = tmp_path / "low.dcm"
    args = ["simulate", str(exposed), "--dose", "0.1", "--photons", "20000", "--output", str(out)]
    assert main(args) == 0
    ds = pydicom.dcmread(out)
    assert ds.ExposureInuAs == 400 and float(ds.DeviationIndex) == pytest.approx(-10.0)
    assert ds.SeriesDescription == P + "Thorax p.a. (simulated 10 % dose)"


@pytest.mark.parametrize("dose", [0.0, -0.5, float("nan")])
def test_a_dose_that_is_no_fraction_is_refused(tmp_path, exposed, dose):
    with pytest.raises(ValueError, match="dose"):
        derived(tmp_path, read_image(exposed), operation=SIMULATED, dose=dose)
    assert not (tmp_path / "derived.dcm").exists()


def test_the_sources_comment_is_kept_before_the_notice(tmp_path, exposed):
    ds = derived(tmp_path, read_image(exposed))
    assert ds.ImageComments == f"pt. moved, repeat requested. {not_for_diagnosis()}"
    again = derived(tmp_path, read_image(tmp_path / "derived.dcm"), name="again.dcm")
    assert again.ImageComments == ds.ImageComments  # the notice once


def test_a_long_comment_leaves_the_notice_room(tmp_path, exposed):
    image = read_image(exposed)
    image.dataset.ImageComments = "c" * LT_MAX
    comments = derived(tmp_path, image).ImageComments
    assert len(comments) == LT_MAX
    assert comments.startswith("ccc") and comments.endswith(f"c... {not_for_diagnosis()}")


def test_each_derived_series_is_told_apart(tmp_path, exposed):
    simulated = derived(tmp_path, read_image(exposed), name="sim.dcm", operation=SIMULATED)
    denoised = derived(tmp_path, read_image(tmp_path / "sim.dcm"), name="den.dcm")
    assert simulated.SeriesNumber == 1003 and denoised.SeriesNumber == 2003
    assert simulated.SeriesDescription == P + "Thorax p.a. (simulated 10 % dose)"
    # The notice is said once, the dose kept; the source's series is shortened to fit 64.
    assert denoised.SeriesDescription == P + "Thora... (simulated 10 % dose, denoised)"
    assert len(denoised.SeriesDescription) <= 64
    assert "IconImageSequence" not in simulated and "IconImageSequence" not in denoised


def test_a_source_without_a_series_number_gives_an_empty_one(tmp_path, exposed):
    image = read_image(exposed)
    del image.dataset.SeriesNumber
    ds = derived(tmp_path, image)
    assert "SeriesNumber" in ds and ds["SeriesNumber"].is_empty  # type 2: present, empty


def test_a_long_operation_is_refused(tmp_path, exposed):
    with pytest.raises(ValueError, match="operation"):
        derived(tmp_path, read_image(exposed), operation="o" * 33)


def test_the_modifying_equipment_is_named(tmp_path, exposed):
    derived(tmp_path, read_image(exposed), name="sim.dcm", operation=SIMULATED, dose=0.1)
    ds = derived(tmp_path, read_image(tmp_path / "sim.dcm"), name="den.dcm")
    earlier, item = ds.ContributingEquipmentSequence  # the simulation's is kept
    for entry in (earlier, item):
        (purpose,) = entry.PurposeOfReferenceCodeSequence
        assert (purpose.CodeValue, purpose.CodingSchemeDesignator) == ("109103", "DCM")
        assert purpose.CodeMeaning == "Modifying Equipment"
        assert entry.Manufacturer == "xray-denoise"
        assert entry.SoftwareVersions == software_version()
        assert len(entry.ContributionDateTime) > len("YYYYMMDDHHMMSS")
    assert earlier.ContributionDescription.startswith("what was done; exposure values")
    assert item.ContributionDescription == "what was done"


def _secondary_capture(tmp_path, image):
    return pydicom.dcmread(write_image(image, tmp_path / "sc.dcm", description="export"))


def test_a_secondary_capture_of_a_jpeg_is_marked_lossy(tmp_path):
    yy, xx = np.mgrid[0:48, 0:64]
    Image.fromarray((120 + 60 * np.sin(xx / 7) * np.cos(yy / 5)).astype(np.uint8)).save(
        tmp_path / "film.jpg", quality=90
    )
    ds = _secondary_capture(tmp_path, read_image(tmp_path / "film.jpg"))
    assert ds.LossyImageCompression == "01"
    assert ds.LossyImageCompressionMethod == "ISO_10918_1"
    assert "BurnedInAnnotation" not in ds  # a JPEG cannot tell


def test_a_secondary_capture_of_a_source_its_reader_marks_lossy(tmp_path, phantom16):
    Image.fromarray(phantom16).save(tmp_path / "film.png")
    image = read_image(tmp_path / "film.png")
    marked = {"LossyImageCompression": "01", "LossyImageCompressionMethod": "ISO_10918_1"}
    ds = _secondary_capture(tmp_path, dataclasses.replace(image, metadata=marked))
    assert (ds.LossyImageCompression, ds.LossyImageCompressionMethod) == ("01", "ISO_10918_1")


def test_a_secondary_capture_of_a_png_is_lossless_but_silent_on_annotation(tmp_path, phantom16):
    Image.fromarray(phantom16).save(tmp_path / "film.png")
    ds = _secondary_capture(tmp_path, read_image(tmp_path / "film.png"))
    assert ds.LossyImageCompression == "00" and "LossyImageCompressionMethod" not in ds
    assert "BurnedInAnnotation" not in ds


def test_a_jpeg_compressed_tiff_is_read_as_lossy_and_its_capture_says_so(tmp_path):
    import tifffile

    ramp = np.tile(np.arange(64, dtype=np.uint8) * 4, (64, 1))
    tifffile.imwrite(tmp_path / "film.tif", ramp, compression="jpeg")
    tifffile.imwrite(tmp_path / "plain.tif", ramp, compression="zlib")
    lossy = read_image(tmp_path / "film.tif")
    assert lossy.metadata["LossyImageCompressionMethod"] == "ISO_10918_1"
    ds = _secondary_capture(tmp_path, lossy)
    assert (ds.LossyImageCompression, ds.LossyImageCompressionMethod) == ("01", "ISO_10918_1")
    assert "LossyImageCompression" not in read_image(tmp_path / "plain.tif").metadata


def test_a_series_number_that_cannot_be_offset_is_left_empty(tmp_path, exposed):
    image = read_image(exposed)
    image.dataset.SeriesNumber = 2**31 - 500  # + 1000 would pass the largest IS value
    ds = derived(tmp_path, image)
    assert "SeriesNumber" in ds and ds.SeriesNumber in (None, "")
