import csv
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy.ndimage import gaussian_filter

from core.diffusion.schedule import NoiseSchedule
from core.diffusion.unet import UNetConfig
from core.training.config import TrainConfig


def _smooth_image(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    field = gaussian_filter(rng.standard_normal(shape), sigma=3.0)
    ramp = np.linspace(0, 1, shape[1])[None, :]
    img = 0.5 + 0.35 * field / np.abs(field).max() + 0.1 * ramp
    return np.clip(img, 0, 1)


@pytest.fixture(scope="session")
def image_folder(tmp_path_factory) -> Path:
    """Six 8-bit PNGs of four patients (one nested), a 16-bit PNG, a broken PNG, a licence."""
    root = tmp_path_factory.mktemp("xray")
    (root / "png" / "more").mkdir(parents=True)
    rng = np.random.default_rng(0)
    rows = []
    for i in range(6):
        sub = "png/more" if i == 5 else "png"
        img = _smooth_image(rng, (40, 36 + 2 * i))
        Image.fromarray(np.round(img * 255).astype(np.uint8)).save(root / sub / f"im{i}.png")
        rows.append({"patient_id": f"p{i // 2}", "image_id": f"im{i}"})
    wide = np.round(_smooth_image(rng, (40, 40)) * 65535).astype(np.uint16)
    Image.fromarray(wide).save(root / "png" / "deep16.png")
    (root / "png" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    with (root / "data.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["patient_id", "image_id", "sex"])
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "sex": "f"})
    (root / "LICENSE").write_text("Creative Commons Legal Code\n\nAttribution 3.0 Unported\n")
    (root / "ATTRIBUTION.md").write_text("# Attribution\n\nTest images, CC BY 3.0.\n")
    return root


@pytest.fixture
def tiny_config(image_folder, tmp_path) -> TrainConfig:
    return TrainConfig(
        data=image_folder,
        output=tmp_path / "run" / "model.safetensors",
        device="cpu",
        steps=4,
        batch_size=2,
        patch_size=16,
        warmup_steps=2,
        val_fraction=0.3,
        val_every=2,
        val_crop=16,
        checkpoint_every=2,
        log_every=1,
        progress=False,
        architecture=UNetConfig.tiny(),
    )


@pytest.fixture(scope="session")
def schedule_1000():
    return NoiseSchedule()
