"""The example of docs/development.md, "Using core from Python", runs as it stands.

Every ``python`` block of that section runs, in order, as a script in one fresh folder, so
that the library API the document shows cannot change without the document.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "development.md"
SECTION = "## Using core from Python"
PSNR = re.compile(r"^(25% dose|denoised): PSNR (\d+\.\d+) dB", re.MULTILINE)


def _blocks() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    assert SECTION in text, f"{DOC.name} has no section {SECTION!r}"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```python\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)


def test_the_section_shows_denoising_and_training():
    blocks = _blocks()
    assert len(blocks) == 2
    assert "denoise_steps(" in blocks[0] and "train(" in blocks[1]


@pytest.mark.slow
def test_the_examples_run_and_denoising_raises_the_psnr(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    outputs = []
    for number, block in enumerate(_blocks(), 1):
        script = tmp_path / f"example{number}.py"
        script.write_text(block, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, str(script)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, f"block {number}:\n{done.stderr[-3000:]}"
        outputs.append(done.stdout)
    scores = {name: float(value) for name, value in PSNR.findall(outputs[0])}
    assert scores["denoised"] > scores["25% dose"] + 3, outputs[0]
    assert (tmp_path / "toy-model.safetensors").is_file()
