"""A data.csv image_id that names files in several subfolders is warned of, by name."""

import logging

from core.training.data import assign_patients


def test_a_key_that_names_files_in_several_subfolders_is_warned_of(tmp_path, caplog):
    paths = []
    for sub in ("a", "b", "c"):
        (tmp_path / sub).mkdir()
        for name in ("img0.png", "img1.png"):
            paths.append(tmp_path / sub / name)
            paths[-1].write_bytes(b"")
    (tmp_path / "data.csv").write_text("patient_id,image_id\nP1,img0\nP2,b/img1\n")
    with caplog.at_level(logging.WARNING, logger="core.training.patient_table"):
        patients = {r.path: r.patient_id for r in assign_patients(tmp_path, paths)}
    assert {patients[tmp_path / s / "img0.png"] for s in "abc"} == {"P1"}
    shared = [r.getMessage() for r in caplog.records if "several files" in r.getMessage()]
    assert len(shared) == 1, caplog.text
    assert "such as img0, which names 3 files: a/img0.png and b/img0.png" in shared[0]
    assert "path relative to the folder (such as a/img0)" in shared[0]


def test_keys_that_name_one_file_each_are_not_warned_of(tmp_path, caplog):
    (tmp_path / "a").mkdir()
    paths = [tmp_path / "a" / "img0.png", tmp_path / "img1.png"]
    (tmp_path / "data.csv").write_text("patient_id,image_id\nP1,img0\nP2,img1\n")
    with caplog.at_level(logging.WARNING, logger="core.training.patient_table"):
        assign_patients(tmp_path, paths)
    assert "several files" not in caplog.text
