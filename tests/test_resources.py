"""The shipped files are found in a checkout, a bundle or a pip installation, and all ship."""

import json
import sys
import tomllib
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


def test_the_version_line_names_the_shipped_model_and_the_torch_build(monkeypatch, tmp_path):
    resources = core.resources
    card = json.loads(resources.default_model_path().with_suffix(".json").read_text())
    line = resources.version_line("xray-denoise", "1.2.3")
    assert line.startswith("xray-denoise 1.2.3 (model xray-diffusion, SHA-256 ")
    assert card["weights_sha256"][:12] in line and card["created"][:10] in line
    assert "; torch " in line and "\n" not in line
    monkeypatch.setattr(resources, "resources_dir", lambda: tmp_path)
    assert "model xray-diffusion not found" in resources.version_line("xraygui", "1.2.3")


def test_version_is_one_line_however_narrow_the_terminal(monkeypatch, capsys):
    from core.cli import main

    monkeypatch.setenv("COLUMNS", "30")
    with pytest.raises(SystemExit):
        main(["--version"])
    assert len(capsys.readouterr().out.strip().splitlines()) == 1
