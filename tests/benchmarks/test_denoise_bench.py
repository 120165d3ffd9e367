"""Smoke test of benchmarks/denoise_bench.py on tiny SYNTHETIC images, cheap methods only."""

import dataclasses
import importlib.util
import json

import benchlib
import denoise_bench
import numpy as np
import pytest
from benchlib import BenchError, Level, Physics, calibrate_dose, make_case, phantom_source

from core.device import cpu_has_amx
from core.io import write_image
from core.metrics import psnr

SIDE = 64


@pytest.fixture(scope="module")
def source():
    return phantom_source((SIDE, SIDE), seed=0)


def test_cheap_methods_end_to_end(tmp_path):
    output, raw = tmp_path / "results.md", tmp_path / "results.json"
    argv = ["--synthetic", "1", "--synthetic-size", str(SIDE), "--methods", "nlm,tv,wavelet"]
    assert denoise_bench.main([*argv, "--output", str(output), "--json", str(raw)]) == 0

    table = output.read_text()
    for row in ("noisy input", "non-local means", "TV Chambolle", "wavelet BayesShrink"):
        assert f"| {row}" in table
    for column in ("noisy 43 dB", "noisy 36 dB", "noisy 30 dB"):
        assert column in table
    scores = json.loads(raw.read_text())["scores"]
    assert len(scores) == 3 * 4
    by = {(s["level"], s["method"]): s for s in scores}
    assert by[("noisy 30 dB", "noisy")]["psnr"] == pytest.approx(30.0, abs=0.15)
    for method in ("nlm", "tv", "wavelet"):
        assert by[("noisy 30 dB", method)]["psnr"] > by[("noisy 30 dB", "noisy")]["psnr"]
        assert by[("noisy 30 dB", method)]["seconds"] > 0


def test_prepare_averages_zooms_and_crops(source):
    prepared = benchlib.prepare(source, crop=40, downscale=2, upscale=3.0)
    assert prepared.image.shape == (40, 40) and prepared.name == source.name
    pixels = source.image.pixels
    averaged = pixels.reshape(SIDE // 2, 2, SIDE // 2, 2).mean(axis=(1, 3))
    assert averaged.min() <= prepared.image.pixels.min() <= prepared.image.pixels.max()
    assert prepared.image.pixels.max() <= averaged.max()
    # The zoomed image is smooth at the pixel scale: next-neighbour steps shrink about 3x.
    step = np.abs(np.diff(prepared.image.pixels, axis=1)).mean()
    assert step < 0.5 * np.abs(np.diff(averaged, axis=1)).mean()
    assert denoise_bench.parse_args(["--synthetic", "1", "--upscale", "2"]).upscale == 2.0
    with pytest.raises(SystemExit):
        denoise_bench.parse_args(["--synthetic", "1", "--upscale", "0.5"])


def test_fixed_doses_are_used_as_given(tmp_path):
    raw = tmp_path / "r.json"
    argv = ["--synthetic", "1", "--synthetic-size", str(SIDE), "--methods", "wavelet"]
    assert denoise_bench.main([*argv, "--doses", "0.5,0.1", "--json", str(raw)]) == 0
    doses = {s["level"]: s["dose"] for s in json.loads(raw.read_text())["scores"]}
    assert doses == {"dose 0.5": 0.5, "dose 0.1": 0.1}


def test_calibrated_dose_gives_the_target_noisy_psnr(source):
    image = source.image
    detector = Physics().detector_for(image)
    dose = calibrate_dose(image, target_db=36.0, detector=detector, data_range=4095.0, seed=[1])
    case = make_case(source, Level.psnr(36.0), physics=Physics(), seed=[1])
    assert 0 < dose <= 1
    assert case.dose == dose
    assert psnr(case.clean.pixels, case.noisy.pixels, data_range=4095.0) == pytest.approx(
        36.0, abs=0.15
    )


def test_unreachable_target_stops_at_full_dose(source):
    detector = Physics().detector_for(source.image)
    dose = calibrate_dose(
        source.image, target_db=80.0, detector=detector, data_range=4095.0, seed=[1]
    )
    assert dose == 1.0


def test_count_domain_round_trip_is_exact(source):
    case = make_case(source, Level.fixed(0.25), physics=Physics(), seed=[0])
    clean = case.clean.pixels.astype(np.float64)
    back = benchlib.pixels_of(case, benchlib.counts_of(case, clean))
    np.testing.assert_allclose(back, clean, atol=1e-6 * case.data_range)


@pytest.mark.skipif(importlib.util.find_spec("bm3d") is None, reason="needs the bench extra")
def test_oracle_removes_most_of_the_noise(source):
    case = make_case(source, Level.psnr(30.0), physics=Physics(), seed=[0])
    scores = benchlib.run_case(case, benchlib.classical_methods(["bm3d-gat-oracle"]))
    assert scores[1].psnr > scores[0].psnr + 3.0


def test_unreadable_files_are_skipped_with_a_message(tmp_path, source):
    write_image(source.image, tmp_path / "good.png", description="SYNTHETIC")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    (tmp_path / "notes.txt").write_text("hello")
    messages = []
    sources = list(benchlib.read_sources(tmp_path, limit=None, log=messages.append))
    assert [s.name for s in sources] == ["good.png"]
    assert len(messages) == 2
    assert all(m.startswith("skipped ") for m in messages)


def test_missing_bench_extra_is_a_clear_error(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "bm3d" else real(name, *a)
    )
    with pytest.raises(BenchError, match=r"pip install -e \.\[bench\]"):
        benchlib.check_extras(["bm3d-blind"])
    assert denoise_bench.main(["--synthetic", "1", "--methods", "bm3d-blind"]) == 2
    assert "pip install -e .[bench]" in capsys.readouterr().err


def test_unknown_method_is_refused(capsys):
    with pytest.raises(SystemExit):
        denoise_bench.parse_args(["--synthetic", "1", "--methods", "nlm,magic"])
    assert "unknown method(s) magic" in capsys.readouterr().err


def test_views_reach_the_projects_settings():
    auto = 4 if cpu_has_amx() else 2  # the product's auto: 4 in bfloat16, 2 in float32
    assert benchlib.Project.load(None, device="cpu").settings.views == auto
    project = benchlib.Project.load(None, device="cpu", views=1)
    assert project.settings.views == 1 and "1 view" in project.method().label
    sha = project.card["weights_sha256"][:12]
    assert f"(SHA-256 {sha})" in project.describe()  # the header names the weights measured
    training = project.card["training"]
    steps, first = training["steps_done"], training["started_from"]["training"]["steps_done"]
    # The shipped model: a run from scratch, then a fine-tune of it.
    assert f"trained {steps} steps in its last stage ({steps + first} in all, 2 stages)" in (
        project.describe()
    )
    # A fine-tune's card nests its starting model's: the header counts every stage.
    staged = {"training": {"steps_done": 30, "started_from": {"training": {"steps_done": 100}}}}
    described = dataclasses.replace(project, card=staged).describe()
    assert "trained 30 steps in its last stage (130 in all, 2 stages)" in described
    assert denoise_bench.parse_args(["--time-full", "--views", "2"]).views == 2


def test_own_noise_gives_the_references_noise_of_the_std_asked(source):
    low, high = benchlib.value_range(source.image)
    white = benchlib.with_own_noise(source, 0.01, seed=[0, 0, 1000])
    added = (white.image.pixels - source.image.pixels) / (high - low)
    assert added.std() == pytest.approx(0.01, rel=0.1)
    # White: neighbours are uncorrelated; blurred: correlated, the same std.
    assert abs(np.corrcoef(added[:, :-1].ravel(), added[:, 1:].ravel())[0, 1]) < 0.1
    blurred = benchlib.with_own_noise(source, 0.01, blur=1.5, seed=[0, 0, 1000])
    added = (blurred.image.pixels - source.image.pixels) / (high - low)
    assert added.std() == pytest.approx(0.01, rel=0.15)
    assert np.corrcoef(added[:, :-1].ravel(), added[:, 1:].ravel())[0, 1] > 0.7
    again = benchlib.with_own_noise(source, 0.01, seed=[0, 0, 1000])
    np.testing.assert_array_equal(again.image.pixels, white.image.pixels)


def test_own_noise_reaches_the_references_and_the_header(tmp_path):
    output = tmp_path / "results.md"
    argv = ["--synthetic", "1", "--synthetic-size", str(SIDE), "--methods", "wavelet"]
    assert denoise_bench.main([*argv, "--own-noise", "0.004", "--output", str(output)]) == 0
    table = output.read_text()
    assert "references given Gaussian noise of std 0.004 (white" in table
    plain = tmp_path / "plain.md"
    assert denoise_bench.main([*argv, "--output", str(plain)]) == 0
    assert "no noise added to the references" in plain.read_text()
    # The header's estimate of the references' own noise sees the added noise.
    own = [line for line in table.splitlines() if "references' own noise" in line][0]
    assert float(own.split("mean ")[1].split(",")[0]) > 0.003
    with pytest.raises(SystemExit):
        denoise_bench.parse_args(["--synthetic", "1", "--own-noise", "-1"])
