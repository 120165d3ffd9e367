"""denoise checks up front that its output folder can be written, or made, where it will write.

``--skip-existing`` into a complete folder that cannot be written (an archive, another user's
results) writes nothing: it skips every input, exit 0, as it did before the up-front check. A
folder that does not exist yet is checked too: its nearest existing parent must be writable,
else one line, exit 2, before the model is used (not one error per input).

The tests run as root in CI, where permissions block nothing: there the refusal is made by
patching ``open`` and ``os.mkdir`` as they fail for another user; the last tests use real
read-only folders and run only where permissions apply.
"""

import os

import pytest

from core.cli import main

not_as_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes in any folder"
)


def _denoise(inputs, out, model, *options):
    args = ["denoise", *map(str, inputs), "--output-dir", str(out), "--model", str(model)]
    return main([*args, "--device", "cpu", "--steps", "1", "--views", "1", *options])


def _two_inputs(png16):
    second = png16.with_name("second.png")
    second.write_bytes(png16.read_bytes())
    return [png16, second]


def test_skip_existing_into_a_complete_folder_it_cannot_write_skips_every_input(
    refuse_writing_in, count_denoising, png16, tmp_path, tiny_model, capsys
):
    inputs, out = _two_inputs(png16), tmp_path / "out"
    assert _denoise(inputs, out, tiny_model) == 0
    capsys.readouterr()
    refuse_writing_in(out)
    denoised = count_denoising()
    assert _denoise(inputs, out, tiny_model, "--skip-existing") == 0
    err = capsys.readouterr().err
    assert err.count("skipped (exists)") == 2 and "error" not in err
    assert denoised == []


def test_skip_existing_into_an_incomplete_folder_it_cannot_write_names_what_it_cannot_write(
    refuse_writing_in, count_denoising, png16, tmp_path, tiny_model, capsys
):
    inputs, out = _two_inputs(png16), tmp_path / "out"
    assert _denoise(inputs[:1], out, tiny_model) == 0
    capsys.readouterr()
    refuse_writing_in(out)
    denoised = count_denoising()
    assert _denoise(inputs, out, tiny_model, "--skip-existing") == 2
    err = capsys.readouterr().err
    assert "skipped (exists)" in err
    assert f"{inputs[1]}: {out}: cannot write in this folder: Permission denied" in err
    assert denoised == []


@pytest.mark.parametrize("options", [(), ("--skip-existing",)])
def test_a_missing_folder_that_cannot_be_made_is_one_line_before_any_work(
    refuse_writing_in, count_denoising, png16, tmp_path, tiny_model, capsys, options
):
    parent = tmp_path / "ro"
    parent.mkdir()
    out = parent / "out"
    refuse_writing_in(parent)
    denoised = count_denoising()
    assert _denoise(_two_inputs(png16), out, tiny_model, *options) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"xray-denoise: error: {out}: cannot create this folder: "
        f"{parent}: cannot write in this folder: Permission denied"
    ]
    assert denoised == [] and list(parent.iterdir()) == []


def test_a_file_in_the_way_of_a_missing_folder_is_one_line(png16, tmp_path, tiny_model, capsys):
    (tmp_path / "a.png").write_bytes(b"")
    assert _denoise(_two_inputs(png16), tmp_path / "a.png" / "out", tiny_model) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"xray-denoise: error: {tmp_path / 'a.png'} is a file, not a folder; "
        "choose another --output-dir"
    ]


@not_as_root
def test_skip_existing_into_a_real_read_only_complete_folder(png16, tmp_path, tiny_model, capsys):
    out = tmp_path / "out"
    assert _denoise([png16], out, tiny_model) == 0
    capsys.readouterr()
    out.chmod(0o555)
    try:
        status = _denoise([png16], out, tiny_model, "--skip-existing")
    finally:
        out.chmod(0o755)
    assert status == 0
    assert "skipped (exists)" in capsys.readouterr().err


@not_as_root
def test_a_missing_folder_under_a_real_read_only_parent(
    count_denoising, png16, tmp_path, tiny_model, capsys
):
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    denoised = count_denoising()
    try:
        status = _denoise(_two_inputs(png16), parent / "out", tiny_model)
    finally:
        parent.chmod(0o755)
    assert status == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot create this folder" in err[0]
    assert denoised == [] and list(parent.iterdir()) == []
