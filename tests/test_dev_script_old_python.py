"""dev.py on a Python older than 3.10 says so in one line instead of failing to parse."""

import ast
import glob
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = (ROOT / "dev.py").read_text(encoding="utf-8")


def _old_pythons():
    """Interpreters older than 3.10 on this machine: pyenv's and python3.6 ... python3.9."""
    found = glob.glob(os.path.expanduser("~/.pyenv/versions/3.[6-9].*/bin/python"))
    found += filter(None, (shutil.which(f"python3.{minor}") for minor in range(6, 10)))
    # pyenv's shims run whichever version pyenv selects, which may be none of these
    return sorted({os.path.realpath(path) for path in found if "shims" not in Path(path).parts})


def test_dev_py_has_no_syntax_newer_than_python_3_6():
    tree = ast.parse(SOURCE, feature_version=(3, 6))
    futures = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "__future__"
        for alias in node.names
    ]
    assert futures == []  # `annotations` is a SyntaxError before 3.7
    for node in ast.walk(tree):
        assert not isinstance(node, ast.NamedExpr)
        if isinstance(node, ast.FunctionDef):
            assert node.args.posonlyargs == []
            args = node.args
            annotations = [node.returns] + [
                a.annotation
                for a in (*args.args, *args.kwonlyargs, args.vararg, args.kwarg)
                if a is not None
            ]
            for annotation in filter(None, annotations):
                # Evaluated when the def runs: `list[str]` and `X | None` fail before 3.9/3.10.
                assert isinstance(annotation, (ast.Name, ast.Constant)), ast.dump(annotation)


@pytest.mark.parametrize("python", _old_pythons() or [None])
def test_an_old_python_gets_one_line_saying_dev_py_needs_3_10(python, tmp_path):
    if python is None:
        pytest.skip("no Python older than 3.10 on this machine")
    shutil.copy(ROOT / "dev.py", tmp_path)
    done = subprocess.run(
        [python, "dev.py", "run", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()
    assert done.returncode == 1
    assert done.stderr == f"dev.py: needs Python 3.10 or newer; this is {version}\n"
    assert not (tmp_path / ".venv").exists()
