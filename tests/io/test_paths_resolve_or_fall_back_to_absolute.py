"""core.io.paths.resolved: a path that cannot be resolved is made absolute, never raised."""

from pathlib import Path

import pytest

from core.io.paths import resolved


def test_a_link_loop_is_made_absolute(tmp_path, monkeypatch):
    (tmp_path / "loop").symlink_to("loop")
    monkeypatch.chdir(tmp_path)
    assert resolved(Path("loop")) == tmp_path / "loop"


def test_a_link_is_resolved(tmp_path):
    (tmp_path / "real").write_bytes(b"")
    (tmp_path / "link").symlink_to("real")
    assert resolved(tmp_path / "link") == (tmp_path / "real").resolve()


@pytest.mark.parametrize("error", [RuntimeError("Symlink loop"), OSError(40, "loop")])
def test_either_error_of_resolve_falls_back(tmp_path, monkeypatch, error):
    def refuse(self, strict=False):
        raise error

    monkeypatch.setattr(Path, "resolve", refuse)
    assert resolved(tmp_path / "x") == tmp_path / "x"
