"""CI (.ci/run) installs the CPU build of torch before the README's `python3 dev.py test`.

Without it, CI kept the CPU torch only because this machine's pip finds a local wheel; a
clean runner's `dev.py test` would fetch PyPI's CUDA build (about 3 GB).
"""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / ".ci" / "run"


def _lines() -> list[str]:
    """The script's commands, continuation lines joined, comments left out."""
    text = SCRIPT.read_text(encoding="utf-8").replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip()[:1] not in ("", "#")]


def test_the_cpu_torch_is_installed_into_the_venv_before_the_readme_command():
    lines = _lines()
    tests = lines.index('python3 dev.py test "$@"')
    [install] = [n for n, line in enumerate(lines) if '"torch==${torch_version}+cpu"' in line]
    assert install < tests
    command = lines[install].split()
    assert command[:4] == [".venv/bin/python", "-m", "pip", "install"]
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in lines[install]
    assert "-c constraints.txt" in lines[install]
    assert lines.index("[ -x .venv/bin/python ] || python3 -m venv .venv") < install


def test_the_cpu_torch_is_the_version_constraints_txt_pins():
    [assignment] = [line for line in _lines() if line.startswith("torch_version=")]
    version = subprocess.run(
        ["bash", "-c", f'{assignment}; echo "$torch_version"'],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    pins = (ROOT / "constraints.txt").read_text(encoding="utf-8")
    assert re.search(rf"^torch=={re.escape(version)}$", pins, re.M), version
