import app_session
import pytest
import torch

from core.diffusion import DiffusionModel, NoiseSchedule, UNet, UNetConfig, save_model
from core.image import Window
from core.io import write_new_dicom
from core.noise import phantom_image

pytest.importorskip("pytestqt")
pytestmark = pytest.mark.gui


def test_times_each_step_of_a_session_and_its_peak_memory(tmp_path, capsys, qapp):
    torch.manual_seed(0)
    model = tmp_path / "tiny.safetensors"
    save_model(DiffusionModel(UNet(UNetConfig.tiny()).eval(), NoiseSchedule()), model)
    image = tmp_path / "phantom.dcm"
    stored = phantom_image((384, 384), bits_stored=12, photons_per_pixel=2000.0, seed=1)
    write_new_dicom(stored, image, bits_stored=12, window=Window(2048, 4096))
    assert app_session.main([str(image), "--model", str(model), "--threads", "1"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    steps = [line.split("  ")[0] for line in lines]
    assert steps == [
        "open",
        "simulate 25% dose (quanta measured)",
        "denoise (default settings)",
        "metrics with a region of interest",
        "20 window/level drags, residual shown",
        "20 drags at 1:1, residual shown",
        "report (PDF, JSON, CSV)",
    ]
    for line in lines:
        seconds, peak = line.split()[-5], line.split()[-2]
        assert float(seconds) >= 0 and float(peak) > 0.05  # GiB: torch and Qt are loaded


def test_a_file_that_cannot_be_opened_is_named(tmp_path, qapp):
    broken = tmp_path / "broken.dcm"
    broken.write_bytes(b"not a dicom")
    with pytest.raises(RuntimeError, match="broken.dcm"):
        app_session.main([str(broken)])
