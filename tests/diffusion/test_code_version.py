"""A model card names the code that saved it: the package version and a checkout's commit."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import core
import core.diffusion.model
from core.code_version import checkout_commit
from core.denoise.models import default_model_path
from core.diffusion.model import ModelCard, load_model, save_model

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(folder: Path, *args: str) -> str:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.org"]
    return subprocess.run(
        ["git", *identity, *args], cwd=folder, capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A repository with a ``core`` package at its top, one commit."""
    root = tmp_path / "checkout with spaces"
    (root / "core").mkdir(parents=True)
    (root / "core" / "__init__.py").write_text("VERSION = 1\n")
    _git(root, "init", "-q")
    _git(root, "add", "core")
    _git(root, "commit", "-q", "-m", "first")
    return root


@needs_git
def test_a_checkout_gives_its_commit_and_whether_tracked_files_changed(checkout):
    head = _git(checkout, "rev-parse", "HEAD")
    package = checkout / "core"
    assert checkout_commit(package) == head
    (package / "notes.txt").write_text("untracked files do not count\n")
    assert checkout_commit(package) == head
    (package / "__init__.py").write_text("VERSION = 2\n")
    assert checkout_commit(package) == f"{head}-dirty"


@needs_git
def test_a_package_outside_its_own_checkout_has_no_commit(checkout, tmp_path, monkeypatch):
    # Installed into a virtual environment, or bundled, inside some other repository.
    installed = checkout / ".venv" / "lib" / "site-packages" / "core"
    installed.mkdir(parents=True)
    assert checkout_commit(installed) == ""
    assert checkout_commit(tmp_path / "no repository" / "core") == ""  # a folder that is gone
    (tmp_path / "plain" / "core").mkdir(parents=True)
    assert checkout_commit(tmp_path / "plain" / "core") == ""
    monkeypatch.setenv("PATH", str(tmp_path / "no git here"))
    assert checkout_commit(checkout / "core") == ""


@needs_git
def test_a_saved_card_records_the_commit(checkout, tiny_model, tmp_path, monkeypatch):
    monkeypatch.setattr(core.diffusion.model, "CODE_FOLDER", checkout / "core")
    path = tmp_path / "m.safetensors"
    card = save_model(tiny_model, path)
    head = _git(checkout, "rev-parse", "HEAD")
    assert (card.code_version, card.code_commit) == (core.__version__, head)
    assert json.loads(path.with_suffix(".json").read_text())["code_commit"] == head
    assert load_model(path).card == card


def test_a_card_saved_without_a_checkout_has_no_commit_field(tiny_model, tmp_path, monkeypatch):
    monkeypatch.setattr(core.diffusion.model, "CODE_FOLDER", tmp_path / "bundle" / "core")
    path = tmp_path / "m.safetensors"
    assert save_model(tiny_model, path).code_commit == ""
    assert "code_commit" not in json.loads(path.with_suffix(".json").read_text())


def test_the_shipped_card_loads_and_writes_back_unchanged():
    card = default_model_path().with_suffix(".json")
    stored = json.loads(card.read_text(encoding="utf-8"))
    parsed = ModelCard.from_json(stored)
    assert parsed.code_commit == stored.get("code_commit", "")
    assert parsed.to_json() == stored
