"""dev.py: `run` installs the app alone; `test` adds the test and bench extras, once.

The bench extra holds bm3d (and bm4d, which it needs), licensed for non-commercial use
only: a user's `python3 dev.py run` must not install them (nor pytest, ruff, hypothesis).
"""

import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import dev  # noqa: E402

FINGERPRINT = "f" * 64


def _installed_project(extras):
    """The project argument of the pip command that installs it with `extras` (`.` or `.[x]`)."""
    [_backend, project_install] = dev.install_commands(extras)
    return project_install[project_install.index("-e") + 1]


def test_run_installs_the_project_without_any_extra():
    extras = dev.extras_to_install("", FINGERPRINT, dev.EXTRAS["run"])
    assert extras == []
    assert _installed_project(extras) == "."


def test_test_installs_the_test_and_bench_extras():
    extras = dev.extras_to_install("", FINGERPRINT, dev.EXTRAS["test"])
    assert _installed_project(extras) == ".[bench,test]"


def test_test_after_run_installs_the_extras():
    after_run = dev.stamp_text(FINGERPRINT, [])
    assert dev.extras_to_install(after_run, FINGERPRINT, dev.EXTRAS["run"]) is None
    assert dev.extras_to_install(after_run, FINGERPRINT, dev.EXTRAS["test"]) == ["bench", "test"]


def test_run_after_test_installs_nothing_again():
    after_test = dev.stamp_text(FINGERPRINT, ["bench", "test"])
    assert dev.extras_to_install(after_test, FINGERPRINT, dev.EXTRAS["run"]) is None
    assert dev.extras_to_install(after_test, FINGERPRINT, dev.EXTRAS["test"]) is None


@pytest.mark.parametrize("command", ["run", "test"])
def test_a_changed_fingerprint_reinstalls_the_extras_installed_before_at_their_pins(command):
    after_test = dev.stamp_text("0" * 64, ["bench", "test"])
    assert dev.extras_to_install(after_test, FINGERPRINT, dev.EXTRAS[command]) == ["bench", "test"]


def test_a_stamp_of_before_extras_were_recorded_reinstalls_for_the_tests():
    # dev.py wrote the bare fingerprint before (and installed both extras then).
    assert dev.extras_to_install(FINGERPRINT, FINGERPRINT, dev.EXTRAS["run"]) is None
    assert dev.extras_to_install(FINGERPRINT, FINGERPRINT, dev.EXTRAS["test"]) == ["bench", "test"]


def test_the_extras_are_pyprojects():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    assert set(dev.EXTRAS["test"]) == set(extras)
    bench = {Requirement(line).name.lower() for line in extras["bench"]}
    assert "bm3d" in bench  # and bm4d, which bm3d needs


def test_the_build_backend_and_the_project_install_at_the_tested_versions():
    for command in dev.install_commands(["bench", "test"]):
        assert command[-2:] == ["-c", "constraints.txt"]
    assert dev.install_commands([])[0][-3:] == [dev.BUILD_BACKEND, "-c", "constraints.txt"]
