import json

import device_time
import pytest


def test_times_a_default_denoise_warm_and_in_a_fresh_process(tmp_path, capsys):
    out, raw = tmp_path / "t.md", tmp_path / "t.json"
    argv = ["--device", "cpu", "--side", "128", "--repeats", "2", "--agreement-side", "64"]
    argv += ["--threads", "1", "--output", str(out), "--json", str(raw)]
    assert device_time.main(argv) == 0
    report = json.loads(raw.read_text())
    warm = report["warm"]
    assert len(warm["seconds"]) == 2 and warm["median_s"] > 0 and warm["device"].startswith("CPU")
    assert 0 < warm["noise_estimate_s"] < warm["median_s"]
    assert warm["peak_device_bytes"] is None  # CUDA only
    stages = report["fresh"]["stages"]
    assert list(stages) == [
        "import torch",
        "import denoiser, load model",
        "read",
        "denoise",
        "write",
    ]
    check = report["agreement"]
    assert check["side"] == 64 and check["cpu"]["psnr"] > 30
    assert check["between_psnr"] is None  # infinite (JSON null): the CPU twice, the same pixels
    text = out.read_text()
    assert "Default denoise of a 128 x 128 image on CPU" in text and "are identical" in text
    assert text in capsys.readouterr().out


def test_bad_arguments_are_refused():
    with pytest.raises(SystemExit):
        device_time.parse_args(["--side", "10"])
