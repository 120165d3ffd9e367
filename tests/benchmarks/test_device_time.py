import json

import device_time
import pytest

from core.device import cpu_has_amx


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
    text = out.read_text()
    assert "Default denoise of a 128 x 128 image on CPU" in text
    if cpu_has_amx():  # the "device" run is the CPU's default, bfloat16: close, not identical
        assert check["between_psnr"] > 60 and "the two results differ by PSNR" in text
    else:  # infinite (JSON null): float32 on the CPU twice, the same pixels
        assert check["between_psnr"] is None and "are identical" in text
    assert text in capsys.readouterr().out


def test_bad_arguments_are_refused():
    with pytest.raises(SystemExit):
        device_time.parse_args(["--side", "10"])
