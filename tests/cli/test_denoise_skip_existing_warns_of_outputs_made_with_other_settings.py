"""``denoise --skip-existing`` warns where a kept output was made with other settings.

After ``--views 1 --steps 1``, a rerun with ``--views 2 --steps 4 --skip-existing`` said
only "skipped (exists)": the output of the first settings passed for the second's. It is
still kept (the option leaves existing outputs as they are), but said to be made with
other settings; a resumed batch with the same settings keeps it quietly.
"""

import json

import numpy as np
import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from core.cli import main
from core.cli.denoise import RunRecord
from core.image import Window
from core.io import write_new_dicom
from core.noise import phantom_image

PROG = "xray-denoise"


def _denoise(model, out, source, *options):
    given = ["--output-dir", str(out), "--model", str(model), "--device", "cpu", "--threads", "1"]
    return main(["denoise", str(source), *given, "--precision", "float32", *options])


def _phantom(path):
    stored = phantom_image((64, 64), bits_stored=12, photons_per_pixel=2000.0, seed=1)
    write_new_dicom(stored, path, bits_stored=12, window=Window(2048, 4096))
    return path


def _film(path):
    rng = np.random.default_rng(2)
    Image.fromarray(rng.normal(30000, 800, (64, 64)).astype(np.uint16)).save(path)
    return path


def _warnings(err):
    return [line for line in err.splitlines() if ": warning: " in line]


@pytest.mark.parametrize("make", [_phantom, _film], ids=["dicom", "png"])
def test_an_output_of_other_settings_is_kept_with_a_warning(tiny_model, tmp_path, capsys, make):
    source = make(tmp_path / ("in.dcm" if make is _phantom else "in.png"))
    out = tmp_path / "out"
    assert _denoise(tiny_model, out, source, "--views", "1", "--steps", "1") == 0
    output = out / source.name
    before = output.read_bytes()
    capsys.readouterr()

    assert _denoise(tiny_model, out, source, "--views", "1", "--steps", "1", "--skip-existing") == 0
    said = capsys.readouterr()
    assert _warnings(said.err) == []  # a resumed batch, the same settings: quiet
    assert f"{PROG}: {source}: skipped (exists): {output}" in said.err

    again = ["--views", "2", "--steps", "4", "--skip-existing", "--json"]
    assert _denoise(tiny_model, out, source, *again) == 0
    said = capsys.readouterr()
    assert _warnings(said.err) == [
        f"{source}: warning: {output} kept: made with other settings (DDIM, 1 step, strength "
        "1, 1 view, float32 on CPU; this run: DDIM, 4 steps, strength 1, 2 views, float32 on "
        "CPU); use --overwrite to redo it"
    ]
    assert json.loads(said.out)["status"] == "skipped"
    assert output.read_bytes() == before

    assert (
        _denoise(
            tiny_model,
            out,
            source,
            "--views",
            "1",
            "--sampler",
            "ddpm",
            "--seed",
            "3",
            "--skip-existing",
        )
        == 0
    )
    assert (
        "; this run: DDPM, 1 step (no noise added: the same as DDIM), strength 1, 1 view"
        in capsys.readouterr().err
    )


def test_the_record_is_the_last_run_a_description_holds(tmp_path):
    earlier = (
        "denoised by diffusion model old (unet32), sha256 00000000000000aa: DDIM, 1 step, "
        "strength 1, 4 views, float16 on CUDA; noise estimated from the image: sigma 3; "
        "tile 1024 overlap 64"
    )
    later = (
        "WARNING: few quanta; denoised by diffusion model tiny: x, sha256 0123456789abcdef: "
        "DDPM, 10 steps, seed 3, strength 0.8, 1 view, bfloat16 on CPU; noise estimated from "
        "the image: sigma 2; source sha256 " + "f" * 64 + ", frame number 1"
    )
    path = tmp_path / "out.png"
    info = PngInfo()
    info.add_text("Description", f"{earlier}; then {later}")
    Image.fromarray(np.zeros((4, 4), np.uint16)).save(path, pnginfo=info)
    assert RunRecord.of_output(path) == RunRecord(
        "sha256 0123456789abcdef", "DDPM, 10 steps, seed 3, strength 0.8, 1 view, bfloat16 on CPU"
    )  # no tiles: the later run recorded none (the earlier's are not the later's)
    unreadable = tmp_path / "broken.tif"
    unreadable.write_bytes(b"not a tiff")
    assert RunRecord.of_output(unreadable) is None
