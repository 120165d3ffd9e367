"""The build tools install at pinned versions: the build backend (dev.py) and PyInstaller's
dependencies (scripts/build_bundle.py), pyinstaller-hooks-contrib above all, whose hooks
decide what the bundle collects.
"""

import importlib.metadata
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import build_bundle  # noqa: E402 (scripts/ is not a package)

import dev  # noqa: E402


def _pins() -> dict[str, Requirement]:
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    requirements = [Requirement(line.split("#", 1)[0]) for line in lines if line.split("#", 1)[0]]
    return {canonicalize_name(requirement.name): requirement for requirement in requirements}


def _pinned_version(name: str) -> str:
    [specifier] = _pins()[canonicalize_name(name)].specifier
    assert specifier.operator == "=="
    return specifier.version


def test_the_build_backend_is_pinned_to_a_version_pyproject_allows():
    backend = Requirement(dev.BUILD_BACKEND)
    assert backend.specifier.contains(_pinned_version(backend.name))
    for command in dev.install_commands([]):
        assert command[-2:] == ["-c", "constraints.txt"]


def test_build_bundle_installs_pyinstaller_with_the_constraints():
    command = build_bundle.pyinstaller_install_command(sys.executable)
    assert f"pyinstaller=={build_bundle.PYINSTALLER_VERSION}" in command
    assert command[-2:] == ["-c", str(ROOT / "constraints.txt")]
    assert "pyinstaller-hooks-contrib" in _pins()


def test_every_dependency_of_the_pinned_pyinstaller_is_pinned_to_one_it_allows():
    try:
        distribution = importlib.metadata.distribution("pyinstaller")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("PyInstaller is not installed (scripts/build_bundle.py installs it)")
    if distribution.version != build_bundle.PYINSTALLER_VERSION:
        pytest.skip(f"PyInstaller {distribution.version} here, not the pinned one")
    environment = {"python_version": "3.11", "sys_platform": "linux", "extra": ""}
    for line in distribution.requires:
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue  # another platform's, an older Python's, an extra's
        version = _pinned_version(requirement.name)
        assert requirement.specifier.contains(version), (requirement, version)
