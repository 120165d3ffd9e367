"""Where the system has no file attributes, the walks make no call per file for them.

The hidden-or-system check called ``os.lstat`` on every file and folder on every system
(5,229 calls for 5,000 files against 129), a round trip each on a network share, for
attributes only Windows has.
"""

import os
from pathlib import Path

import pytest

from core.training import data
from core.training.data import describe_source, patient_tables, sort_files
from xraygui.catalog import iter_image_files


@pytest.mark.skipif(data.HAS_FILE_ATTRIBUTES, reason="Windows has file attributes")
def test_no_file_is_looked_up_by_lstat(tmp_path, monkeypatch):
    root = tmp_path / "data"
    files = [root / f"p{i}" / f"im{j}.png" for i in range(3) for j in range(20)]
    files += [root / "p0" / "data.csv", root / "p1" / "LICENSE"]
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x89PNG\r\n\x1a\n")
    looked_up = []
    real = os.lstat

    def lstat(path, *args, **kwargs):
        looked_up.append(Path(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "lstat", lstat)
    assert len(sort_files(root)[0]) == 60
    assert patient_tables(root) == [root / "p0" / "data.csv"]
    assert set(describe_source(root)["sources"]) == {"p1"}
    assert len(list(iter_image_files([root]))) == 61  # LICENSE too: no suffix, may be DICOM
    assert not set(looked_up) & set(files)
