"""constraints.txt pins every dependency in pyproject.toml, so dev.py's .venv is reproducible."""

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _dependencies():
    project = _project()
    extras = project["optional-dependencies"]
    lines = project["dependencies"] + extras["test"] + extras["bench"]
    return [Requirement(line) for line in lines]


def _pins():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            name = canonicalize_name(requirement.name)
            assert name not in pins, f"{name} is pinned twice"
            pins[name] = requirement
    return pins


def test_every_dependency_and_extra_is_pinned_to_one_version_it_allows():
    pins = _pins()
    for dependency in _dependencies():
        pin = pins.get(canonicalize_name(dependency.name))
        assert pin is not None, f"{dependency.name} is not pinned in constraints.txt"
        [specifier] = pin.specifier
        assert specifier.operator == "==", pin
        assert dependency.specifier.contains(specifier.version, prereleases=True), (pin, dependency)


def test_every_pin_applies_on_the_oldest_supported_python():
    # A pin that is skipped on a supported Python lets pip take an untested release there.
    [minimum] = SpecifierSet(_project()["requires-python"])
    assert minimum.operator == ">=", minimum
    version = ".".join(minimum.version.split(".")[:2])
    environment = {"python_version": version, "python_full_version": f"{version}.0"}
    for pin in _pins().values():
        assert pin.marker is None or pin.marker.evaluate(environment), pin


def test_the_tested_numerical_stack_is_pinned():
    # Transitive, but what the results depend on; torch stays the version pip finds locally.
    for name in ("scipy", "numpy", "shiboken6", "imageio", "networkx", "sympy", "bm4d"):
        assert name in _pins()
    assert str(_pins()["torch"]) == "torch==2.13.0"
