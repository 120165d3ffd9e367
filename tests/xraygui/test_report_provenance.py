"""A report names its reference and files, keeps infinite PSNR, small ROIs and warnings."""

import hashlib
import math

import numpy as np
import pydicom
import pytest
from PIL import Image

from core.errors import ImageWriteError
from core.io import read_image, write_new_dicom
from core.metrics import Region
from core.noise import LowDoseSettings, describe_simulation, phantom_image
from xraygui.analysis import UNMEASURABLE_NOISE, clip_region, comparisons
from xraygui.metrics_panel import MetricsPanel
from xraygui.reports import ReportContent, write_report

pytestmark = pytest.mark.gui


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def scans(tmp_path):
    """A 12-bit DICOM scan and a reference DICOM of it with other noise."""
    paths = tmp_path / "scan.dcm", tmp_path / "ground_truth_v7.dcm"
    for seed, path in enumerate(paths, 1):
        pixels = phantom_image((64, 64), bits_stored=12, photons_per_pixel=2000.0, seed=seed)
        write_new_dicom(pixels, path, bits_stored=12)
    return paths


@pytest.mark.parametrize("identifiers", [False, True])
def test_the_report_names_the_reference_and_hashes_both_files(
    qapp, scans, identifiers, written_report
):
    source_path, reference_path = scans
    source, reference = read_image(source_path), read_image(reference_path)
    js, rows, pdf = written_report(
        source=source,
        image=source,
        reference=reference,
        rows=comparisons(reference, source, None),
        include_identifiers=identifiers,
    )
    name = str(reference_path) if identifiers else f"reference image {_sha256(reference_path)[:12]}"
    uid = str(pydicom.dcmread(reference_path).SOPInstanceUID)
    expected = {
        "kind": "user-chosen image",
        "name": name,
        "frame": 1,
        "frames": 1,
        "sha256": _sha256(reference_path),
    }
    if identifiers:
        expected["sop_instance_uid"] = uid
    assert js["reference"] == expected
    assert js["source_sha256"] == _sha256(source_path) and js["schema_version"] == 2
    assert ("source_sop_instance_uid" in js) is identifiers
    assert rows[0]["reference"] == name and rows[0]["reference_sha256"] == _sha256(reference_path)
    assert rows[0]["source_sha256"] == _sha256(source_path)
    assert (rows[0]["reference_sop_instance_uid"] == uid) is identifiers
    assert f"Reference (user-chosen image): {name}, SHA-256 {_sha256(reference_path)}" in pdf
    assert (uid in pdf) is identifiers


def test_a_reference_on_another_scale_is_recorded_in_the_report(
    qapp, scans, tmp_path, written_report
):
    source = read_image(scans[0])
    Image.fromarray((source.pixels.astype(np.uint16) >> 4).astype(np.uint8)).save(
        tmp_path / "ref8.png"
    )
    reference = read_image(tmp_path / "ref8.png")
    js, rows, pdf = written_report(
        source=source,
        image=source,
        reference=reference,
        rows=comparisons(reference, source, None),
    )
    warning = js["scale_warning"]
    assert warning.startswith("its values are on another scale than the reference's (12-bit")
    assert rows[0]["scale_warning"] == warning
    assert f"Warning about the image: {warning}." in pdf


def test_choosing_a_reference_on_another_scale_warns_in_the_status_bar(
    window, settle, scans, tmp_path
):
    window.open_file(scans[0])
    settle(window)
    Image.fromarray((window.image.pixels.astype(np.uint16) >> 4).astype(np.uint8)).save(
        tmp_path / "ref8.png"
    )
    assert window.set_reference(tmp_path / "ref8.png")
    message = window.statusBar().currentMessage()
    assert message.startswith("Warning: scan.dcm: its values are on another scale")
    assert message.endswith("(reference ref8.png)")


def test_an_infinite_psnr_is_inf_in_the_pdf_and_csv_and_flagged_in_json(
    qapp, scans, written_report
):
    source = read_image(scans[0])
    js, rows, pdf = written_report(
        source=source,
        image=source,
        reference=source,
        rows=comparisons(source, source, None),
    )
    assert js["metrics"][0]["psnr"] is None and js["metrics"][0]["psnr_infinite"] is True
    assert rows[0]["psnr_db"] == "inf"
    assert "inf" in pdf.split("\n") and "1.0000" in pdf.split("\n")  # as the panel shows them


def test_the_simulation_is_recorded_as_numbers_and_an_unknown_floor_says_why(
    qapp, scans, written_report
):
    source = read_image(scans[0])
    dose = LowDoseSettings(dose=0.25, seed=3)
    noisy = source.with_pixels(source.pixels + 5.0)
    rows = comparisons(source, noisy, None)  # no noise estimate of the reference
    assert rows[0].noise_free_psnr_problem == UNMEASURABLE_NOISE
    js, table, pdf = written_report(
        source=source, image=noisy, reference=source, dose=dose, rows=rows
    )
    assert js["simulation"] == describe_simulation(source, noisy, dose, exact=False)  # to read
    assert js["simulation_settings"] == {
        "dose": 0.25,
        "photons_per_pixel": dose.photons_per_pixel,
        "electronic_noise": dose.electronic_noise,
        "seed": 3,
        "max_attenuation": dose.max_attenuation,
        "quanta": "assumed",
        "input_is_noisy": True,
        "photons_standard_error": None,
    }
    assert table[0]["simulation_dose"] == "0.25" and table[0]["simulation_quanta"] == "assumed"
    assert js["metrics"][0]["noise_free_psnr_problem"] == UNMEASURABLE_NOISE
    assert table[0]["noise_free_psnr_problem"] == UNMEASURABLE_NOISE
    assert f"is unknown: {UNMEASURABLE_NOISE}." in pdf


def test_the_report_rounds_the_simulation_to_read_and_keeps_its_numbers_exact(
    qapp, scans, written_report
):
    source = read_image(scans[0])
    dose = LowDoseSettings(dose=0.25, seed=3, photons_per_pixel=1760.2631583090076)
    noisy = source.with_pixels(source.pixels + 5.0)
    js, _, pdf = written_report(
        source=source,
        image=noisy,
        reference=source,
        dose=dose,
        rows=comparisons(source, noisy, None),
    )
    assert "1,760.3 quanta/pixel" in js["simulation"] and "1760.26315" not in js["simulation"]
    assert "1,760.3 quanta/pixel" in pdf and "1760.26315" not in pdf
    assert js["simulation_settings"]["photons_per_pixel"] == 1760.2631583090076


def test_an_roi_smaller_than_ssims_window_is_kept_with_ssim_unknown(qtbot, scans, written_report):
    source = read_image(scans[0])
    noisy = source.with_pixels(source.pixels + np.random.default_rng(0).normal(0, 9, (64, 64)))
    region = clip_region(Region(10, 10, 8, 8), source.shape)
    assert region == Region(10, 10, 8, 8)
    rows = comparisons(source, noisy, None, region=region)
    roi = rows[-1].metrics
    assert rows[-1].scope == "10,10,8,8" and roi.region == region
    assert math.isnan(roi.ssim) and math.isfinite(roi.psnr) and roi.mse > 0
    problem = "SSIM needs at least 11 x 11 pixels; the region 10,10,8,8 is 8 x 8"
    assert roi.ssim_problem == problem
    panel = MetricsPanel()
    qtbot.addWidget(panel)
    panel.set_rows(rows)
    assert panel.table.item(1, 4).text() == "-" and panel.table.item(1, 3).text() != "-"
    assert panel.ssim_label.text() == f"SSIM unknown: {problem}."
    js, table, pdf = written_report(source=source, image=noisy, reference=source, rows=rows)
    assert [m["scope"] for m in js["metrics"]] == ["image", "10,10,8,8"]
    assert js["metrics"][1]["ssim"] is None and js["metrics"][1]["ssim_problem"] == problem
    assert table[1]["ssim_problem"] == problem
    assert f"SSIM unknown: {problem}." in pdf


def test_a_report_folder_that_is_a_file_or_cannot_be_made_is_one_line(qapp, scans, tmp_path):
    source = read_image(scans[0])
    content = ReportContent.from_session(
        source=source, image=source, reference=None, dose=None, result=None, rows=[], noise=(1, 0)
    )
    afile = tmp_path / "afile"
    afile.write_text("x")
    for folder in (afile, afile / "sub"):
        with pytest.raises(ImageWriteError) as caught:
            write_report(content, folder)
        assert str(caught.value) == f"{afile}: it is a file, not a folder"
    too_long = tmp_path / ("x" * 300)
    with pytest.raises(ImageWriteError) as caught:
        write_report(content, too_long)
    assert str(caught.value).startswith(f"{too_long}: cannot create the folder: ")
    assert "Errno" not in str(caught.value)
