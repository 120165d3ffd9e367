"""denoise given a symbolic link loop among its inputs names it on its own line and goes on.

``Path.resolve()`` raises ``RuntimeError`` on a loop before Python 3.13: resolving
the inputs to drop duplicates stopped the whole run as a bug before any input was done.
"""

from core.cli import main


def test_a_link_loop_input_fails_alone(png16, tmp_path, tiny_model, capsys):
    loop = tmp_path / "loop.png"
    loop.symlink_to("loop.png")
    out = tmp_path / "out"
    args = ["denoise", str(png16), str(loop), "--output-dir", str(out), "--model", str(tiny_model)]
    assert main([*args, "--device", "cpu", "--steps", "1", "--views", "1"]) == 2
    err = capsys.readouterr().err
    assert "a bug" not in err and f"error: {loop}: " in err
    assert [p.name for p in out.iterdir()] == ["film.png"]
