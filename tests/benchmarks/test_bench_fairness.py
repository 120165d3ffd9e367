"""The benchmark compares like with like: a tuned oracle, BM3D behind the project's blind
front end, every output rounded as the project's is, and wins counted per patient."""

import dataclasses
import importlib.util
import json

import benchlib
import denoise_bench
import numpy as np
import pytest
from benchlib import Level, Physics, Score, make_case, phantom_source

from core.diffusion import DiffusionModel, NoiseSchedule, UNet, UNetConfig, save_model
from core.metrics import compare

needs_bm3d = pytest.mark.skipif(
    importlib.util.find_spec("bm3d") is None, reason="needs the bench extra"
)
BM3D_SHARE = 1e-5
"""Outputs of two BM3D calls on the same input agree within this share of the data range
(see below); a wrong sigma or dose changes them by percent."""


def assert_bm3d_agrees(actual, desired, case):
    """Assert two BM3D outputs of one input agree as far as BM3D's library repeats itself.

    Absolute, as a share of the range: a relative tolerance fails on the darkest values
    (7 of 16,384 pixels of values about 6.7 once differed by 1.1e-3 of themselves,
    0.008 in a range of 4095).
    """
    np.testing.assert_allclose(actual, desired, rtol=0, atol=BM3D_SHARE * (case.high - case.low))


@pytest.fixture(scope="module")
def source():
    return phantom_source((128, 128), seed=0)


@pytest.fixture(scope="module")
def case(source):
    return make_case(source, Level.psnr(30.0), physics=Physics(), seed=[0, 0, 2])


@needs_bm3d
def test_tuned_oracle_is_the_oracle_with_sigma_scaled(case):
    assert "bm3d-gat-oracle-tuned" in benchlib.METHOD_KEYS
    assert benchlib.ORACLE_TUNED_SIGMA_SCALE != 1.0
    (tuned,) = benchlib.classical_methods(["bm3d-gat-oracle-tuned"])
    output = tuned.run(case)
    scaled = benchlib.bm3d_gat_oracle(case, sigma_scale=benchlib.ORACLE_TUNED_SIGMA_SCALE)
    # BM3D's library is not bit-reproducible from call to call: 1e-7 apart seen once, in
    # one CI run 783 of 16384 pixels up to 4.2e-5 apart (0.0046 on values of 7-18).
    assert_bm3d_agrees(output, scaled, case)
    nominal = benchlib.bm3d_gat_oracle(case)
    with pytest.raises(AssertionError):  # the tolerance tells the nominal sigma apart
        assert_bm3d_agrees(output, nominal, case)
    # A larger sigma_psd smooths more: the residual grows with it.
    noisy = case.noisy.pixels.astype(np.float64)
    assert np.std(noisy - output) > np.std(noisy - nominal)
    assert f"x {benchlib.ORACLE_TUNED_SIGMA_SCALE:g}" in tuned.label


@needs_bm3d
def test_project_stabiliser_bm3d_is_blind_and_far_above_one_sigma_bm3d(case):
    (method,) = benchlib.classical_methods(["bm3d-project-stabiliser"])
    output = method.run(case)
    # Told a wrong dose and detector, it gives the same: it reads neither.
    wrong = dataclasses.replace(
        case, dose=case.dose * 3, detector=Physics(photons_per_pixel=7.0).detector_for(case.clean)
    )
    assert_bm3d_agrees(method.run(wrong), output, case)  # BM3D: see above
    scores = benchlib.run_case(case, benchlib.classical_methods(["bm3d-project-stabiliser"]))
    one_sigma = benchlib.score(case, "bm3d-blind", benchlib.bm3d_blind(case), 0.0)
    assert scores[1].psnr > one_sigma.psnr + 2.0
    assert scores[1].psnr > scores[0].psnr + 3.0


def test_quantized_cases_score_every_output_rounded_onto_the_stored_grid(source):
    quantized = make_case(source, Level.psnr(36.0), physics=Physics(quantize=True), seed=[1])
    assert quantized.quantized
    noisy = quantized.noisy.pixels
    assert np.array_equal(noisy, np.round(noisy))  # the 12-bit phantom's grid: integers
    off_grid = noisy.astype(np.float64) + 0.4 * np.sin(np.arange(noisy.size)).reshape(noisy.shape)
    rounded = np.clip(np.round(off_grid), quantized.low, quantized.high)
    expected = compare(quantized.clean.pixels, rounded, data_range=quantized.data_range)
    scored = benchlib.score(quantized, "any", off_grid, 0.0)
    assert (scored.psnr, scored.ssim) == pytest.approx((expected.psnr, expected.ssim), abs=1e-12)
    # Float cases are scored as they are.
    plain = dataclasses.replace(quantized, quantized=False)
    assert benchlib.score(plain, "any", off_grid, 0.0).psnr != pytest.approx(expected.psnr)
    assert not make_case(source, Level.fixed(0.25), physics=Physics(), seed=[1]).quantized


def test_the_projects_result_of_a_quantized_case_is_already_as_written(source, tmp_path):
    import torch

    torch.manual_seed(0)
    path = tmp_path / "tiny.safetensors"
    save_model(DiffusionModel(UNet(UNetConfig.tiny()).eval(), NoiseSchedule()), path)
    project = benchlib.Project.load(path, device="cpu", views=1)
    case = make_case(source, Level.psnr(36.0), physics=Physics(quantize=True), seed=[1])
    output = project.method().run(case)
    np.testing.assert_array_equal(benchlib.as_written(case, output), output)


def _scores(method, differences, level="noisy 30 dB"):
    return [
        Score(f"{i}.png", level, 0.1, method, 40.0 + d, 0.9, 0.0) for i, d in enumerate(differences)
    ]


def test_gain_tables_count_wins_per_patient(tmp_path):
    (tmp_path / "data.csv").write_text(
        "patient_id,image_id,sex\npA,0,f\npA,1,f\npB,2,m\nunused,9,m\n", encoding="utf-8"
    )
    patients = benchlib.read_patients(tmp_path, ["0.png", "1.png", "2.png", "3.png"])
    assert patients == {"0.png": "pA", "1.png": "pA", "2.png": "pB", "3.png": "3.png"}
    # Image 0 loses by more than image 1 wins: patient A is lost, B and 3 are won.
    scores = _scores("bm3d-gat-oracle-tuned", [0, 0, 0, 0]) + _scores(
        "project", [-0.6, 0.2, 0.1, 0.1]
    )
    table = benchlib.gain_table(
        scores,
        keys=[("project", "project")],
        levels=["noisy 30 dB"],
        reference=("bm3d-gat-oracle-tuned", "tuned oracle"),
        patients=patients,
    )
    assert "| method - tuned oracle |" in table
    assert "| project | -0.05 dB / +0.0000 (3/4, 2/3 patients) |" in table
    assert benchlib.gain_table(scores, keys=[("project", "p")], levels=["noisy 30 dB"]) == ""
    (tmp_path / "bad.csv").write_text("image,patient\n1,2\n", encoding="utf-8")
    with pytest.raises(benchlib.BenchError, match="no patient_id and image_id columns"):
        benchlib.read_patients(tmp_path / "bad.csv", ["1.png"])


@needs_bm3d
def test_oracle_sweep_and_both_oracles_reach_the_tables(tmp_path):
    output, raw = tmp_path / "r.md", tmp_path / "r.json"
    argv = ["--synthetic", "1", "--synthetic-size", "128", "--noisy-psnr", "36"]
    argv += ["--methods", "bm3d-gat-oracle-tuned,bm3d-project-stabiliser"]
    argv += ["--oracle-sweep", "1,1.4"]
    assert denoise_bench.main([*argv, "--output", str(output), "--json", str(raw)]) == 0
    methods = [s["method"] for s in json.loads(raw.read_text())["scores"]]
    assert methods == [
        "noisy",
        "bm3d-gat-oracle-tuned",
        "bm3d-project-stabiliser",
        "bm3d-gat-oracle",
        "bm3d-gat-oracle-x1.4",
    ]
    text = output.read_text()
    for reference in ("BM3D+GAT oracle", "BM3D+GAT tuned oracle", "BM3D, project's stabiliser"):
        assert f"| method - {reference} |" in text
    with pytest.raises(SystemExit):
        denoise_bench.parse_args(["--synthetic", "1", "--oracle-sweep", "0"])
