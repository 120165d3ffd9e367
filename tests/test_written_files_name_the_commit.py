"""Written files and reports name the code that made them down to its commit: the package
version alone ("0.1.0") covered every commit since the first, some of which change pixels."""

import shutil
import subprocess

import pytest

import core
from core.code_version import (
    BUILD_COMMIT_FILE,
    built_commit,
    checkout_commit,
    code_commit,
    local_version,
    software_version,
    write_build_commit,
)
from core.io.notice import not_for_diagnosis

HEAD = "0123456789abcdef0123456789abcdef01234567"


def test_the_commit_is_the_local_part_of_the_version():
    assert local_version("0.1.0", HEAD) == "0.1.0+g0123456789ab"
    assert local_version("0.1.0", f"{HEAD}-dirty") == "0.1.0+g0123456789ab.dirty"
    assert local_version("0.1.0", "") == "0.1.0"


def test_a_bundle_reads_the_commit_it_was_built_from(tmp_path):
    assert built_commit(tmp_path) == ""
    (tmp_path / BUILD_COMMIT_FILE).write_text(f"{HEAD}-dirty\n", encoding="ascii")
    assert built_commit(tmp_path) == code_commit(tmp_path) == f"{HEAD}-dirty"
    (tmp_path / BUILD_COMMIT_FILE).write_text("not a commit\n", encoding="ascii")
    assert built_commit(tmp_path) == ""


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_build_writes_the_checkout_s_commit_for_the_bundle(tmp_path):
    package = core.code_version.PACKAGE
    commit = checkout_commit(package)
    if not commit:
        pytest.skip("the package does not run from its own git checkout")
    written = write_build_commit(tmp_path / "work", package)
    assert written == tmp_path / "work" / BUILD_COMMIT_FILE
    bundle = tmp_path / "bundle" / "core"
    bundle.mkdir(parents=True)
    shutil.copy(written, bundle)
    assert code_commit(bundle) == commit
    assert write_build_commit(tmp_path / "elsewhere", tmp_path / "plain" / "core") is None


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_notice_of_every_written_file_names_this_checkout_s_commit():
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=core.code_version.PACKAGE,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not checkout_commit(core.code_version.PACKAGE):
        pytest.skip("the package does not run from its own git checkout")
    assert software_version().startswith(f"{core.__version__}+g{head[:12]}")
    assert not_for_diagnosis().endswith(f"Produced by xray-denoise {software_version()}")
