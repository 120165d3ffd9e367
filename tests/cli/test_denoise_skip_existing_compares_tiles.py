"""``denoise --skip-existing`` warns where a kept output was made with other tiles.

The tile the network runs on changes the result (the network sees only its tile), and
each output records it, but a rerun with ``--tile-size 256`` kept the outputs of tiles of
512 quietly: only weights and settings were compared. Where the run's tiles are known
before it runs (``--tile-size``, or ``--precision float32``'s fixed tile) they are
compared too; where the device's free memory will choose them, they are not.
"""

import numpy as np
from PIL import Image

from core.cli import main
from core.cli.denoise import RunRecord


def _denoise(model, out, source, *options):
    given = ["--output-dir", str(out), "--model", str(model), "--device", "cpu", "--threads", "1"]
    return main(["denoise", str(source), *given, "--views", "1", "--steps", "1", *options])


def _warnings(err):
    return [line for line in err.splitlines() if ": warning: " in line]


def test_an_output_of_other_tiles_is_kept_with_a_warning(tiny_model, tmp_path, capsys):
    source = tmp_path / "in.png"
    rng = np.random.default_rng(2)
    Image.fromarray(rng.normal(30000, 800, (64, 64)).astype(np.uint16)).save(source)
    out = tmp_path / "out"
    assert _denoise(tiny_model, out, source, "--precision", "float32") == 0
    output = out / source.name
    assert RunRecord.of_output(output).tiles == "tile 512 overlap 64"
    before = output.read_bytes()
    capsys.readouterr()

    again = ["--precision", "float32", "--skip-existing"]
    assert _denoise(tiny_model, out, source, *again) == 0
    assert _warnings(capsys.readouterr().err) == []  # the same tiles: quiet

    assert _denoise(tiny_model, out, source, *again, "--tile-size", "256") == 0
    assert _warnings(capsys.readouterr().err) == [
        f"{source}: warning: {output} kept: made with other settings (DDIM, 1 step, strength "
        "1, 1 view, float32 on CPU; tile 512 overlap 64; this run: DDIM, 1 step, strength 1, "
        "1 view, float32 on CPU; tile 256 overlap 64); use --overwrite to redo it"
    ]
    assert output.read_bytes() == before


def test_tiles_the_device_will_choose_are_not_compared(tiny_model, tmp_path, capsys):
    source = tmp_path / "in.png"
    Image.fromarray(np.random.default_rng(3).normal(9000, 400, (32, 32)).astype(np.uint16)).save(
        source
    )
    out = tmp_path / "out"
    assert _denoise(tiny_model, out, source, "--tile-size", "256") == 0
    assert RunRecord.of_output(out / source.name).tiles == "tile 256 overlap 64"
    capsys.readouterr()
    assert _denoise(tiny_model, out, source, "--skip-existing") == 0
    said = capsys.readouterr().err
    assert _warnings(said) == []
    assert f"{source}: skipped (exists)" in said
