"""The image browser dock: grouping on UIDs, order, scans, unreadable files, width."""

import threading

import pydicom
import pytest
from PySide6.QtWidgets import QHeaderView, QTreeWidgetItem

from xraygui.browser import BrowserDock
from xraygui.catalog import ScanEntry, Unreadable, scan_images
from xraygui.worker import GeneratorWorker

pytestmark = pytest.mark.gui


def _dicom(source, path, **attributes):
    """Copy the DICOM `source` to `path` with `attributes` changed."""
    dataset = pydicom.dcmread(source)
    for keyword, value in attributes.items():
        setattr(dataset, keyword, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    dataset.save_as(path)
    return path


def _study(source, folder, name, *, study, series, **attributes):
    fields = dict(
        PatientName="DOE^JANE",
        PatientID="P1",
        StudyInstanceUID=study,
        SeriesInstanceUID=series,
        StudyDate="20240101",
        StudyDescription="CHEST",
        SeriesDescription="CHEST PA",
    )
    return _dicom(source, folder / name, **{**fields, **attributes})


@pytest.fixture
def dock(qtbot):
    dock = BrowserDock()
    qtbot.addWidget(dock)
    return dock


def _list(dock, *paths):
    for entry in scan_images(paths):
        dock.add(entry)


def _children(node):
    return [node.child(i) for i in range(node.childCount())]


def _top(dock):
    return [dock.tree.topLevelItem(i) for i in range(dock.tree.topLevelItemCount())]


def _texts(items):
    return [item.text(0) for item in items]


def _scan(dock, qtbot, folder, *, clear=True):
    worker = GeneratorWorker(scan_images, [folder])
    dock.begin_scan(worker, clear=clear)
    worker.start()
    return worker


def test_patients_sharing_a_name_stay_apart(dock, tmp_path, small_dicom):
    for patient_id in ("X1", "X2"):
        _study(
            small_dicom,
            tmp_path,
            f"{patient_id}.dcm",
            study=f"1.2.3.{patient_id[1]}",
            series=f"1.2.4.{patient_id[1]}",
            PatientName="ANONYMOUS",
            PatientID=patient_id,
        )
    _list(dock, tmp_path)
    assert _texts(_top(dock)) == ["ANONYMOUS (X1)", "ANONYMOUS (X2)"]
    assert "X2" in _top(dock)[1].toolTip(0)


def test_patients_without_an_id_are_not_merged_by_name(dock, tmp_path, small_dicom):
    for n in (1, 2):
        _study(
            small_dicom, tmp_path, f"{n}.dcm", study=f"1.2.3.{n}", series=f"1.2.4.{n}", PatientID=""
        )
    _list(dock, tmp_path)
    assert _texts(_top(dock)) == ["DOE^JANE (no ID)", "DOE^JANE (no ID)"]


def test_studies_and_series_are_keyed_on_their_uids(dock, tmp_path, small_dicom):
    _study(small_dicom, tmp_path, "a1.dcm", study="1.1", series="1.1.1", InstanceNumber=1)
    _study(small_dicom, tmp_path, "a2.dcm", study="1.1", series="1.1.1", InstanceNumber=2)
    _study(small_dicom, tmp_path, "b.dcm", study="1.2", series="1.2.1", InstanceNumber=1)
    _list(dock, tmp_path)
    (patient,) = _top(dock)
    studies = _children(patient)
    assert _texts(studies) == ["2024-01-01 CHEST", "2024-01-01 CHEST"]
    contents = {
        study.toolTip(0).rsplit("Study Instance UID: ", 1)[1]: [
            name.split()[0] for series in _children(study) for name in _texts(_children(series))
        ]
        for study in studies
    }
    assert contents == {"1.1": ["a1.dcm", "a2.dcm"], "1.2": ["b.dcm"]}


def test_images_series_and_studies_are_in_dicom_order(dock, tmp_path, small_dicom):
    for name, number in (("img10.dcm", 10), ("img2.dcm", 2), ("deep/img5.dcm", 5)):
        _study(
            small_dicom,
            tmp_path,
            name,
            study="1.1",
            series="1.1.2",
            SeriesNumber=2,
            InstanceNumber=number,
        )
    _study(small_dicom, tmp_path, "lat.dcm", study="1.1", series="1.1.1", SeriesNumber=1)
    _study(small_dicom, tmp_path, "older.dcm", study="1.0", series="1.0.1", StudyDate="20230101")
    _list(dock, tmp_path)
    (patient,) = _top(dock)
    studies = _children(patient)
    assert [study.text(0)[:10] for study in studies] == ["2023-01-01", "2024-01-01"]
    first, second = _children(studies[1])
    assert "Series number: 1" in first.toolTip(0) and "Series number: 2" in second.toolTip(0)
    images = [name.split()[0] for name in _texts(_children(second))]
    assert images == ["img2.dcm", "img5.dcm", "img10.dcm"]


def test_a_new_scan_drops_the_old_one(dock, qtbot, tmp_path, small_dicom):
    first, second = tmp_path / "first", tmp_path / "second"
    for n in range(2):
        _study(small_dicom, first, f"{n}.dcm", study="1.1", series="1.1.1", InstanceNumber=n)
    _study(small_dicom, second, "only.dcm", study="2.1", series="2.1.1", PatientID="P2")
    release = threading.Event()

    def held_scan():
        entries = scan_images([first])
        yield next(entries)
        release.wait(10)
        yield from entries

    old = GeneratorWorker(held_scan)
    dock.begin_scan(old, clear=True)
    with qtbot.waitSignal(old.yielded, timeout=10000):
        old.start()
    assert dock.count == 1
    new = _scan(dock, qtbot, second)
    assert old.abort_requested
    release.set()
    with qtbot.waitSignals([old.finished, new.finished], timeout=10000):
        pass
    assert dock.count == 1 and _texts(_top(dock)) == ["DOE^JANE (P2)"]
    assert not dock.scanning
    assert dock.summary.text() == "1 image(s)."


def test_a_scan_that_adds_leaves_the_earlier_one_running(dock, qtbot, tmp_path, small_dicom):
    first, second = tmp_path / "first", tmp_path / "second"
    _study(small_dicom, first, "a.dcm", study="1.1", series="1.1.1")
    _study(small_dicom, second, "b.dcm", study="2.1", series="2.1.1")
    old = _scan(dock, qtbot, first)
    new = _scan(dock, qtbot, second, clear=False)
    assert not old.abort_requested
    with qtbot.waitSignals([old.finished, new.finished], timeout=10000):
        pass
    assert dock.count == 2 and dock.summary.text() == "2 image(s)."


def test_the_summary_says_when_a_scan_found_nothing(dock, qtbot, tmp_path):
    worker = _scan(dock, qtbot, tmp_path)
    assert dock.summary.text().startswith("Scanning...")
    with qtbot.waitSignal(worker.finished, timeout=10000):
        pass
    assert dock.summary.text() == "No images found."


def test_unreadable_files_are_listed_with_their_reason(dock, tmp_path, small_dicom):
    _study(small_dicom, tmp_path, "good.dcm", study="1.1", series="1.1.1")
    (tmp_path / "broken.dcm").write_bytes(b"DICM" + bytes(range(200)))
    (tmp_path / "truncated.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(40))
    (tmp_path / "README").write_bytes(b"hello, not an image\n")
    entries = list(scan_images([tmp_path]))
    assert {e.path.name: e.is_image for e in entries if isinstance(e, Unreadable)} == {
        "README": False,
        "broken.dcm": True,
        "truncated.png": True,
    }
    assert sum(isinstance(e, ScanEntry) for e in entries) == 1
    for entry in entries:
        dock.add(entry)
    assert dock.count == 1 and dock.skipped == 3
    failed, not_images = _top(dock)[1:]
    assert failed.text(0) == "Could not be read (2)"
    assert not_images.text(0) == "Not images (1)"
    assert [name.split(":")[0] for name in _texts(_children(failed))] == [
        "broken.dcm",
        "truncated.png",
    ]
    assert "PNG" in _children(failed)[1].text(0)  # the reader's reason
    assert "unsupported file format" in _children(not_images)[0].text(0)
    assert "2 could not be read, 1 file(s) are not images" in dock.summary.text()


def test_the_dock_opens_wide_with_tooltips_and_scrolls(window, qtbot, tmp_path, small_dicom):
    window.resize(1600, 900)
    long_name = "very_long_file_name_" * 8 + "end.dcm"
    _study(small_dicom, tmp_path, long_name, study="1.1", series="1.1.1")
    worker = window.open_folder(tmp_path)
    with qtbot.waitSignal(worker.finished, timeout=10000):
        pass
    qtbot.waitUntil(lambda: window.browser.count == 1)
    browser = window.browser
    assert browser.width() >= 300
    patient, study, series = _top(browser)[0], None, None
    study = patient.child(0)
    series = study.child(0)
    for node in (patient, study, series):
        assert node.toolTip(0)
    image: QTreeWidgetItem = series.child(0)
    assert image.toolTip(0) == str(tmp_path / long_name)
    header = browser.tree.header()
    assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.ResizeToContents
    qtbot.waitUntil(lambda: browser.tree.horizontalScrollBar().maximum() > 0)


def test_a_second_folder_replaces_the_first(window, qtbot, tmp_path, small_dicom):
    first, second, empty = tmp_path / "first", tmp_path / "second", tmp_path / "empty"
    for folder in (first, second, empty):
        folder.mkdir()
    for n in range(6):
        (first / f"{n}.dcm").write_bytes(small_dicom.read_bytes())
    (second / "broken.dcm").write_bytes(b"not DICOM")
    old, new = window.open_folder(first), window.open_folder(second)
    with qtbot.waitSignals([old.finished, new.finished], timeout=10000):
        pass
    assert window.browser.count == 0 and window.browser.skipped == 1
    assert window.browser.summary.text().startswith("No images found; 1 could not be read")
    last = window.open_folder(empty)
    with qtbot.waitSignal(last.finished, timeout=10000):
        pass
    assert window.browser.summary.text() == "No images found."


def test_a_1300_px_window_leaves_the_images_dock_room(window, qtbot):
    window.resize(1300, 850)
    window.browser.show()
    qtbot.wait(50)
    assert window.width() == 1300
    assert window.browser.width() >= 200  # about 130 px before: the timeline took it
