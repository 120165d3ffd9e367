import csv
import hashlib
import os
import re
import subprocess
import sys

import pytest

from core.io import read_image
from xraygui.controls import DenoiseOptions
from xraygui.jobs import batch_job

pytestmark = pytest.mark.gui


def smoke(args, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    return subprocess.run(
        [sys.executable, "-m", "xraygui", "--smoke-test", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_smoke_test_passes_and_writes_every_file(tmp_path, small_dicom, tiny_model_path):
    out = tmp_path / "out"
    result = smoke(
        [str(small_dicom), "--report-dir", str(out), "--model", str(tiny_model_path)], tmp_path
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "smoke test passed" in result.stdout
    # 96 px hold too few blocks to measure the quanta: the assumed detector's are used.
    assert "simulated 25% dose of the assumed 50000 quanta (its noise" in result.stdout
    names = {p.name for p in out.iterdir()}
    image = f"image_{hashlib.sha256(small_dicom.read_bytes()).hexdigest()[:12]}"  # no name
    assert {
        f"{image}_report.pdf",
        f"{image}_report.json",
        f"{image}_report.csv",
        f"{image}_denoised.dcm",
    } <= names
    assert "DERIVED" in read_image(out / f"{image}_denoised.dcm").metadata["ImageType"]
    sha256 = hashlib.sha256(tiny_model_path.read_bytes()).hexdigest()
    assert f"(sha256 {sha256[:16]})" in result.stdout  # the model given, not the bundled one

    first = (out / f"{image}_denoised.dcm").read_bytes()
    again = smoke(
        [str(small_dicom), "--report-dir", str(out), "--model", str(tiny_model_path)], tmp_path
    )
    assert again.returncode == 0, again.stderr[-2000:]
    names = {p.name for p in out.iterdir()}
    assert {f"{image}_report_2.pdf", f"{image}_denoised_2.dcm"} <= names  # numbered alike
    assert (out / f"{image}_denoised.dcm").read_bytes() == first  # the first report's image kept


@pytest.mark.parametrize("content", [None, b"junk"])
@pytest.mark.slow
def test_smoke_test_fails_on_a_model_it_cannot_load(tmp_path, small_dicom, content):
    model = tmp_path / "mine.safetensors"
    if content is not None:
        model.write_bytes(content)
    out = tmp_path / "out"
    result = smoke([str(small_dicom), "--report-dir", str(out), "--model", str(model)], tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("smoke test FAILED: Cannot load model")
    assert "mine." in result.stderr
    assert not out.exists()


@pytest.mark.slow
def test_smoke_test_simulates_the_dose_measured_from_the_image(
    tmp_path, measurable_dicom, tiny_model_path
):
    result = smoke(
        [
            str(measurable_dicom),
            "--report-dir",
            str(tmp_path / "out"),
            "--model",
            str(tiny_model_path),
        ],
        tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    measured = re.search(
        r"simulated 25% dose of (\d+) quanta measured from its noise", result.stdout
    )
    assert measured, result.stdout
    # The phantom was taken at 2000 quanta per unattenuated pixel.
    assert 1500 < int(measured.group(1)) < 2500


@pytest.mark.slow
def test_smoke_test_fails_with_a_reason(tmp_path, tiny_model_path):
    corrupt = tmp_path / "broken.dcm"
    corrupt.write_bytes(b"not a dicom")
    result = smoke(
        [str(corrupt), "--report-dir", str(tmp_path / "out"), "--model", str(tiny_model_path)],
        tmp_path,
    )
    assert result.returncode == 1
    assert "smoke test FAILED" in result.stderr and "broken.dcm" in result.stderr


def test_batch_denoises_a_folder_with_one_csv_row_per_file(window, qtbot, tmp_path, small_dicom):
    source = tmp_path / "in"
    (source / "sub").mkdir(parents=True)
    (source / "a.dcm").write_bytes(small_dicom.read_bytes())
    (source / "sub" / "b.dcm").write_bytes(small_dicom.read_bytes())
    (source / "c.dcm").write_bytes(b"corrupt")
    before = {p: p.read_bytes() for p in source.rglob("*.dcm")}
    target = tmp_path / "out"
    worker = window.start_batch(source, target)
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=60000):
        pass
    with open(target / "batch_metrics.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [os.path.basename(r["source"]) for r in rows] == ["a.dcm", "c.dcm", "b.dcm"]
    assert rows[1]["error"] and not rows[0]["error"]
    assert all(r["disclaimer"] == "Not for diagnostic use" for r in rows)
    assert rows[0]["frame"] == "1 of 1"
    # The untrained tiny model barely changes the image: the row records both levels.
    assert float(rows[0]["noise_before"]) > 0 and float(rows[0]["noise_after"]) > 0
    assert (target / "a_denoised.dcm").is_file() and (target / "sub" / "b_denoised.dcm").is_file()
    assert {p: p.read_bytes() for p in source.rglob("*.dcm")} == before
    assert window.controls.progress.format() == "Batch done"
    assert window.batch_label.text() == (
        f"Batch: 2 of 3 file(s) written, 1 not (its error column says why); "
        f"table in {target / 'batch_metrics.csv'}"
    )


def test_a_second_batch_into_the_same_folder_keeps_the_first_table_and_outputs(
    window, qtbot, tmp_path, small_dicom, monkeypatch
):
    import xraygui.jobs

    source, target = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    (source / "a.dcm").write_bytes(small_dicom.read_bytes())

    def batch():
        worker = window.start_batch(source, target)
        with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=60000):
            pass

    batch()
    first_table = (target / "batch_metrics.csv").read_bytes()
    first_output = (target / "a_denoised.dcm").read_bytes()
    (source / "b.dcm").write_bytes(small_dicom.read_bytes())
    denoised = []
    real_run = xraygui.jobs._run
    monkeypatch.setattr(
        xraygui.jobs, "_run", lambda image, *a, **k: denoised.append(1) or real_run(image, *a, **k)
    )
    batch()
    assert denoised == [1]  # only b: a's output exists, so a is not denoised again
    assert (target / "batch_metrics.csv").read_bytes() == first_table
    assert (target / "a_denoised.dcm").read_bytes() == first_output
    with open(target / "batch_metrics_2.csv", encoding="utf-8-sig", newline="") as f:
        rows = {os.path.basename(r["source"]): r for r in csv.DictReader(f)}
    assert rows["a.dcm"]["error"] == (
        f"not denoised: {target / 'a_denoised.dcm'} exists (a batch never replaces a file)"
    )
    assert not rows["b.dcm"]["error"] and (target / "b_denoised.dcm").is_file()
    assert window.batch_label.text().startswith("Batch: 1 of 2 file(s) written, 1 not")


def test_an_unexpected_error_in_a_batch_is_a_row_and_the_batch_goes_on(
    window, qtbot, tmp_path, small_dicom, monkeypatch
):
    import xraygui.jobs

    real_write = xraygui.jobs.write_image

    def write_but_fail_on_a(image, path, **kwargs):
        if path.name.startswith("a_"):
            raise RuntimeError("simulated bug")
        return real_write(image, path, **kwargs)

    monkeypatch.setattr(xraygui.jobs, "write_image", write_but_fail_on_a)
    source = tmp_path / "in"
    source.mkdir()
    for name in ("a.dcm", "b.dcm"):
        (source / name).write_bytes(small_dicom.read_bytes())
    target = tmp_path / "out"
    worker = window.start_batch(source, target)
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=60000):
        pass
    with open(target / "batch_metrics.csv", encoding="utf-8-sig", newline="") as f:
        rows = {os.path.basename(r["source"]): r for r in csv.DictReader(f)}
    assert rows["a.dcm"]["error"].startswith("unexpected RuntimeError at test_smoke_and_batch.py:")
    assert not rows["b.dcm"]["error"] and (target / "b_denoised.dcm").is_file()


def test_batch_into_the_folder_above_the_inputs_denoises_them(
    tmp_path, small_dicom, tiny_model_path, drain
):
    source = tmp_path / "study" / "in"
    source.mkdir(parents=True)
    (source / "a.dcm").write_bytes(small_dicom.read_bytes())
    options = DenoiseOptions(model=tiny_model_path, views=1, device="cpu")
    summary = drain(batch_job(source, tmp_path / "study", options))
    assert summary.startswith("Batch: 1 of 1 file(s) written")
    assert (tmp_path / "study" / "a_denoised.dcm").is_file()


def test_a_batch_of_a_folder_without_images_says_so_and_writes_its_table(
    tmp_path, tiny_model_path, drain
):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.txt").write_text("no image here")
    summary = drain(batch_job(tmp_path / "in", tmp_path / "out", DenoiseOptions(model=None)))
    table = tmp_path / "out" / "batch_metrics.csv"
    assert summary == f"Batch: no image file under {tmp_path / 'in'}; table in {table}"
    assert table.read_text(encoding="utf-8-sig").startswith("source,")
