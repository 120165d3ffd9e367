"""An ``--output-dir`` that is a symbolic link to nothing, or a link loop, is refused up front.

``Path.exists()`` follows the link and says False, so such a folder looked missing, its
writable parent passed the check, and every input was read, then failed with "File
exists" when the folder was made. Now it is one line, exit 2, before any denoising; a
link that leads nowhere above the folder is refused the same way.
"""

import pytest

from core.cli import main


def _links(tmp_path):
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    return {"dangling": "a symbolic link to nothing", "loop": "a symbolic link loop"}


@pytest.mark.parametrize(
    ("name", "below"), [(n, b) for n in ("dangling", "loop") for b in ("", "out")]
)
def test_a_link_that_leads_nowhere_is_one_line_before_any_work(
    count_denoising, png16, tmp_path, tiny_model, capsys, name, below
):
    reason = _links(tmp_path)[name]
    second = png16.with_name("second.png")
    second.write_bytes(png16.read_bytes())
    denoised = count_denoising()
    out = tmp_path / name / below if below else tmp_path / name
    args = ["denoise", str(png16), str(second), "--output-dir", str(out)]
    status = main([*args, "--model", str(tiny_model), "--device", "cpu", "--views", "1"])
    assert status == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        f"xray-denoise: error: {tmp_path / name}: {reason}; choose another --output-dir"
    ]
    assert denoised == []
    assert not (tmp_path / "nowhere").exists()
