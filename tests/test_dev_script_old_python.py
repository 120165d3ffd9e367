"""dev.py on a Python older than 3.11 says so in one line instead of failing to parse."""

import ast
import glob
import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = (ROOT / "dev.py").read_text(encoding="utf-8")


def _old_pythons():
    """Interpreters older than 3.11 on this machine: pyenv's and python3.6 ... python3.10."""
    pyenv = os.path.expanduser("~/.pyenv/versions")
    found = [path for v in ("3.[6-9].*", "3.10.*") for path in glob.glob(f"{pyenv}/{v}/bin/python")]
    found += filter(None, (shutil.which(f"python3.{minor}") for minor in range(6, 11)))
    # pyenv's shims run whichever version pyenv selects, which may be none of these
    return sorted({os.path.realpath(path) for path in found if "shims" not in Path(path).parts})


def _version(python):
    return subprocess.run(
        [python, "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()


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


def test_the_old_pythons_include_3_10_when_pyenv_has_it():
    pyenv_310 = glob.glob(os.path.expanduser("~/.pyenv/versions/3.10.*/bin/python"))
    if not pyenv_310:
        pytest.skip("pyenv has no Python 3.10 on this machine")
    assert any(_version(python).startswith("3.10.") for python in _old_pythons())


@pytest.mark.parametrize("python", _old_pythons() or [None])
def test_an_old_python_gets_one_line_saying_dev_py_needs_3_11(python, tmp_path):
    if python is None:
        pytest.skip("no Python older than 3.11 on this machine")
    shutil.copy(ROOT / "dev.py", tmp_path)
    done = subprocess.run(
        [python, "dev.py", "run", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr == f"dev.py: needs Python 3.11 or newer; this is {_version(python)}\n"
    assert not (tmp_path / ".venv").exists()


@pytest.mark.parametrize("python", _old_pythons() or [None])
def test_a_venv_of_an_old_python_is_made_again(python, tmp_path):
    if python is None:
        pytest.skip("no Python older than 3.11 on this machine")
    shutil.copy(ROOT / "dev.py", tmp_path)
    subprocess.run([python, "-m", "venv", "--without-pip", ".venv"], cwd=tmp_path, check=True)
    spec = importlib.util.spec_from_file_location("dev_in_checkout", tmp_path / "dev.py")
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    minor = ".".join(_version(python).split(".")[:2])
    expected = f"its Python is {minor}; xray-denoise needs 3.11 or newer"
    assert dev._unusable_venv_reason() == expected
