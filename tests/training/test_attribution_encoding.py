"""A data folder's licence and attribution texts never block training, whatever their encoding."""

import logging
from pathlib import Path

from core.training.data import describe_source

ATTRIBUTION = "Images courtesy of Universitätsklinikum Hannover, Radiologie. © 2024"


def test_a_windows_1252_attribution_is_read(tmp_path):
    (tmp_path / "ATTRIBUTION.txt").write_bytes(ATTRIBUTION.encode("cp1252") + b"\r\n")
    assert describe_source(tmp_path) == {"attribution": ATTRIBUTION}


def test_a_utf8_licence_with_a_byte_order_mark_loses_the_mark(tmp_path):
    (tmp_path / "LICENSE").write_bytes(b"\xef\xbb\xbfCreative Commons\n\nAttribution 4.0\n")
    assert describe_source(tmp_path) == {"license": "Creative Commons Attribution 4.0"}


def test_bytes_neither_utf8_nor_windows_1252_are_read_as_latin_1(tmp_path):
    # 0x81 is undefined in Windows-1252; Latin-1 decodes every byte.
    (tmp_path / "ATTRIBUTION.md").write_bytes(b"Klinik \x81 M\xfcnchen")
    assert describe_source(tmp_path) == {"attribution": "Klinik \x81 München"}


def test_an_unreadable_text_is_left_out_with_a_warning_naming_it(tmp_path, monkeypatch, caplog):
    attribution = tmp_path / "ATTRIBUTION.md"
    attribution.write_text("Test images.", encoding="utf-8")
    (tmp_path / "LICENSE").write_text("MIT License\n", encoding="utf-8")
    read_bytes = Path.read_bytes

    def refuse(path):
        if path == attribution:
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with caplog.at_level(logging.WARNING, logger="core.training.data"):
        assert describe_source(tmp_path) == {"license": "MIT License"}
    assert [r.getMessage() for r in caplog.records] == [
        f"leaving {attribution} out of the model card: Permission denied"
    ]
