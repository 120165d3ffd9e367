"""denoise finds an output folder it cannot write in before it denoises anything: one line,
exit status 2, not the same error after every input has been denoised.

The tests run as root in CI, where a read-only folder's permissions block nothing: there
creating a file in the folder is made to fail (``open`` patched) as it does for another
user; the last test uses a real read-only folder and runs only where permissions apply.
"""

import os

import pytest

from core.cli import main


def _denoise(inputs, out, model):
    args = ["denoise", *map(str, inputs), "--output-dir", str(out), "--model", str(model)]
    return main([*args, "--device", "cpu", "--steps", "1", "--views", "1"])


def test_an_existing_folder_that_cannot_be_written_is_one_line_before_any_work(
    refuse_writing_in, count_denoising, png16, tmp_path, tiny_model, capsys
):
    out = tmp_path / "out"
    out.mkdir()
    refuse_writing_in(out)
    denoised = count_denoising()
    second = tmp_path / "second.png"
    second.write_bytes(png16.read_bytes())
    assert _denoise([png16, second], out, tiny_model) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"xray-denoise: error: {out}: cannot write in this folder: Permission denied"]
    assert denoised == [] and list(out.iterdir()) == []


def test_a_folder_made_for_the_outputs_is_checked_before_denoising_into_it(
    refuse_writing_in, count_denoising, png16, tmp_path, tiny_model, capsys
):
    out = tmp_path / "new"  # made only once there is work: checked then
    refuse_writing_in(out)
    denoised = count_denoising()
    assert _denoise([png16], out, tiny_model) == 2
    err = capsys.readouterr().err
    assert f"{png16}: {out}: cannot write in this folder: Permission denied" in err
    assert denoised == [] and list(out.iterdir()) == []


def test_the_check_leaves_nothing_in_a_folder_it_can_write(png16, tmp_path, tiny_model):
    out = tmp_path / "out"
    out.mkdir()
    assert _denoise([png16], out, tiny_model) == 0
    assert [p.name for p in out.iterdir()] == ["film.png"]  # the probe left nothing


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes in any folder"
)
def test_a_real_read_only_folder(count_denoising, png16, tmp_path, tiny_model, capsys):
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    denoised = count_denoising()
    try:
        status = _denoise([png16], out, tiny_model)
    finally:
        out.chmod(0o755)
    assert status == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"xray-denoise: error: {out}: cannot write in this folder: Permission denied"]
    assert denoised == []
