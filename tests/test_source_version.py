"""The version a source checkout reports when the package is not installed."""

from pathlib import Path

import core
from core import UNKNOWN_VERSION, _source_tree_version


def _pyproject(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_checkout_reports_its_pyproject_version(tmp_path):
    path = _pyproject(tmp_path, '[project]\nname = "xray-denoise"\nversion = "4.5.6"\n')
    assert _source_tree_version(path) == "4.5.6"


def test_another_projects_pyproject_is_not_taken(tmp_path):
    path = _pyproject(tmp_path, '[project]\nname = "other"\nversion = "9.9.9"\n')
    assert _source_tree_version(path) == UNKNOWN_VERSION


def test_no_pyproject_gives_the_unknown_version(tmp_path):
    assert _source_tree_version(tmp_path / "missing.toml") == UNKNOWN_VERSION


def test_this_checkout_declares_the_installed_version():
    # Installed or not, the version must be the one pyproject.toml declares, never unknown:
    # a model card records it.
    pyproject = Path(core.__file__).resolve().parent.parent / "pyproject.toml"
    assert _source_tree_version(pyproject) == core.__version__ != UNKNOWN_VERSION
