"""benchmarks/stage_binned.py: the unpacked folder trains on the pixels, split and validation
images that the original folder gives with --binning 2 (both --normalisation range, as the
shipped model's second stage was trained)."""

from pathlib import Path

import numpy as np
import pytest
import stage_binned
from PIL import Image

from core.training.config import TrainConfig
from core.training.loop import _prepare_data


def write_folder(folder: Path) -> None:
    """Ten odd-sized 8-bit films of five patients, a data.csv and an attribution file."""
    rng = np.random.default_rng(3)
    (folder / "png").mkdir(parents=True)
    rows = ["patient_id,image_id"]
    for k in range(10):
        rows.append(f"p{k // 2},img{k}")
        shape = (101 + 6 * k, 97 + 4 * k)
        ramp = np.linspace(0, 200, shape[1])[None, :] + rng.normal(0, 20, shape)
        Image.fromarray(np.clip(ramp, 0, 255).astype(np.uint8)).save(folder / "png" / f"img{k}.png")
    (folder / "data.csv").write_text("\n".join(rows) + "\n")
    (folder / "ATTRIBUTION.md").write_text("# Attribution\n\nSynthetic test films.\n")


def prepared(data: Path, binning: int, tmp_path: Path):
    config = TrainConfig(
        data=data, output=tmp_path / f"m{binning}.safetensors", binning=binning, patch_size=32,
        val_fraction=0.4, val_crop=32, normalisation="range",
    )  # fmt: skip
    return _prepare_data(config)


def test_unpacked_folder_trains_as_binning_2_of_the_original(tmp_path):
    original = tmp_path / "films"
    write_folder(original)
    pack = tmp_path / "pack"
    stage_binned.main(["pack", str(original), str(pack), "--val-fraction", "0.4"])
    unpacked = tmp_path / "unpacked" / "films"
    stage_binned.main(["unpack", str(pack), str(unpacked)])

    tifs = sorted(p.name for p in (unpacked / "png").glob("*.tif"))
    pngs = sorted(p.name for p in (unpacked / "png").glob("*.png"))
    assert len(tifs) == 6 and len(pngs) == 4  # 3 patients train, 2 held out as they are
    assert (unpacked / "data.csv").read_bytes() == (original / "data.csv").read_bytes()
    for name in pngs:
        assert (unpacked / "png" / name).read_bytes() == (original / "png" / name).read_bytes()

    binned, staged = prepared(original, 2, tmp_path), prepared(unpacked, 1, tmp_path)
    assert len(binned.sampler.images) == len(staged.sampler.images) == 6
    for a, b in zip(binned.sampler.images, staged.sampler.images, strict=True):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, atol=2e-7)
    assert len(binned.validator.cases) == len(staged.validator.cases)
    for a, b in zip(binned.validator.cases, staged.validator.cases, strict=True):
        np.testing.assert_array_equal(a[3], b[3])  # clean crops
        np.testing.assert_array_equal(a[4], b[4])  # noisy crops
    # The card's counts, split and sources agree; what kind of files were read does not (the
    # staged training films are float TIFFs of the 2 x 2 block means, not the 8-bit PNGs).
    assert binned.card.pop("kinds")["formats"] == {"PNG": 10}
    assert staged.card.pop("kinds")["formats"] == {"PNG": 4, "TIFF": 6}
    # The staged training films are other files, so their hashes differ; the held-out
    # films travel as they are.
    binned_hashes, staged_hashes = binned.card.pop("file_hashes"), staged.card.pop("file_hashes")
    assert binned_hashes["held_out"] == staged_hashes["held_out"]
    assert binned_hashes["train"] != staged_hashes["train"]
    assert binned.card == staged.card


def test_codes_round_trip_every_sum():
    sums = np.random.default_rng(0).integers(0, 1021, size=(7, 9))
    sums[:, 0] = [0, 1020, 5, 0, 1020, 7, 3]
    assert np.array_equal(stage_binned.decode(stage_binned.encode(sums)), sums)


def test_pack_refuses_images_that_are_not_8_bit_greyscale(tmp_path):
    folder = tmp_path / "films"
    folder.mkdir()
    for k in range(4):
        Image.fromarray(np.full((40, 40), 300 * k, np.uint16)).save(folder / f"i{k}.png")
    with pytest.raises(SystemExit, match="8-bit greyscale"):
        stage_binned.main(["pack", str(folder), str(tmp_path / "pack")])
