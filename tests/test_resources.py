"""The shipped files are found in a checkout, a bundle or a pip installation, and all ship."""

import sys
from pathlib import Path

import pytest

import core.resources
from core.resources import INSTALLED_DATA, resources_dir, sample_image_path

ROOT = Path(__file__).resolve().parent.parent


def test_a_checkout_uses_its_own_resources():
    assert resources_dir() == ROOT / "resources"
    assert sample_image_path().is_file()


def test_a_bundle_uses_its_unpacked_resources(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources_dir() == tmp_path / "resources"


def test_without_a_checkout_the_installed_data_is_used(monkeypatch, tmp_path):
    checkout, installed = tmp_path / "checkout", tmp_path / "prefix" / INSTALLED_DATA
    (installed / "models").mkdir(parents=True)
    monkeypatch.setattr(core.resources, "_candidates", lambda: [checkout, installed])
    assert resources_dir() == installed
    (installed / "models").rmdir()
    assert resources_dir() == checkout  # nothing anywhere: the first, reported missing later


def test_every_shipped_file_is_installed_by_pip():
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    installed = {
        (Path(target) / Path(source).name).relative_to(INSTALLED_DATA).as_posix(): source
        for target, sources in config["tool"]["setuptools"]["data-files"].items()
        for source in sources
    }
    shipped = {
        path.relative_to(ROOT / "resources").as_posix(): path.relative_to(ROOT).as_posix()
        for path in (ROOT / "resources").rglob("*")
        if path.is_file()
    }
    assert installed == shipped
