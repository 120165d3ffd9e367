from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.errors import issue_warning
from core.image import StoredMapping, Window, XrayImage
from core.io import read_image
from core.training.data import (
    ImageRecord,
    assign_patients,
    describe_source,
    find_images,
    frame_records,
    load_images,
    normalise,
    split_by_patient,
)


def test_find_images_recursive_and_filtered(image_folder, tmp_path):
    paths = find_images(image_folder)
    assert paths == sorted(paths) and len(paths) == 8
    names = [p.name for p in paths]
    assert "im5.png" in names and "deep16.png" in names and "broken.png" in names
    assert "LICENSE" not in names and "data.csv" not in names
    dicom = tmp_path / "IMG0001"
    dicom.write_bytes(b"\0" * 128 + b"DICM" + b"\0" * 16)
    (tmp_path / "README").write_text("not an image")
    assert find_images(tmp_path) == [dicom]
    with pytest.raises(ValueError, match="not a folder"):
        find_images(tmp_path / "missing")


def test_patients_from_table_else_by_file(image_folder):
    records = assign_patients(image_folder, find_images(image_folder))
    by_name = {r.path.name: r.patient_id for r in records}
    assert by_name["im0.png"] == by_name["im1.png"] == "p0"
    assert by_name["im5.png"] == "p2"
    assert by_name["deep16.png"] == "file:png/deep16.png"


def test_split_holds_out_whole_patients():
    records = [ImageRecord(path=f"{i}.png", patient_id=f"p{i % 5}") for i in range(20)]
    train, val = split_by_patient(records, val_fraction=0.4, seed=0)
    assert len({r.patient_id for r in val}) == 2
    assert not {r.patient_id for r in train} & {r.patient_id for r in val}
    assert len(train) + len(val) == 20
    assert split_by_patient(records, val_fraction=0.4, seed=0) == (train, val)
    assert split_by_patient(records, val_fraction=0.0, seed=0) == (records, [])
    with pytest.raises(ValueError, match="val_fraction"):
        split_by_patient(records, val_fraction=1.0, seed=0)


def test_load_skips_unreadable_by_name(image_folder, caplog):
    records = assign_patients(image_folder, find_images(image_folder))
    images, skipped = load_images(records)
    assert len(images) == 7
    assert [p.name for p, _ in skipped] == ["broken.png"]
    assert "broken.png" in caplog.text
    for image in images:
        assert image.pixels.dtype == np.float32
        assert -1 <= image.pixels.min() and image.pixels.max() <= 1


def test_a_folder_of_jpeg_films_loads(tmp_path):
    yy, xx = np.mgrid[0:40, 0:56]
    film = (128 + 90 * np.sin(xx / 9) * np.cos(yy / 7)).astype(np.uint8)
    Image.fromarray(film).save(tmp_path / "a.jpg")
    Image.fromarray(film).save(tmp_path / "b.JPEG")
    records = assign_patients(tmp_path, find_images(tmp_path))
    images, skipped = load_images(records)
    assert skipped == [] and len(images) == 2
    assert all(image.pixels.shape == film.shape for image in images)


def _image(pixels, mapping):
    return XrayImage(pixels=np.asarray(pixels, np.float32), mapping=mapping, window=Window(0, 1))


@pytest.mark.parametrize(
    ("mapping", "pixels", "expected"),
    [
        (StoredMapping(bits_stored=8), [[0, 255, 127.5]], [[-1, 1, 0]]),
        (StoredMapping(bits_stored=16), [[0, 65535, 0]], [[-1, 1, -1]]),
        (
            StoredMapping(bits_stored=12, slope=2, intercept=-1000),
            [[-1000, 7190, 3095]],
            [[-1, 1, 0]],
        ),
        (StoredMapping(bits_stored=16, is_float=True), [[0, 1, 0.5]], [[-1, 1, 0]]),
        (StoredMapping(bits_stored=16, is_float=True), [[1000, 4000, 2500]], [[-1, 1, 0]]),
    ],
)
def test_normalise_from_data_range(mapping, pixels, expected):
    np.testing.assert_allclose(normalise(_image(pixels, mapping), "range"), expected, atol=1e-6)


def test_describe_source(image_folder, tmp_path):
    info = describe_source(image_folder)
    assert info["license"] == "Creative Commons Legal Code Attribution 3.0 Unported"
    assert "CC BY 3.0" in info["attribution"]
    assert set(describe_source(tmp_path)) == {"no_terms"}


def test_reader_warnings_are_logged_per_file(image_folder, caplog):
    def warning_reader(path, frame):
        issue_warning("converted RGB to grayscale")  # as the readers warn
        return read_image(path, frame=frame)

    records = [ImageRecord(image_folder / "png" / "im0.png", "p0")]
    images, skipped = load_images(records, reader=warning_reader)
    assert len(images) == 1 and not skipped
    assert "im0.png: converted RGB to grayscale" in caplog.text


def test_a_readers_warning_names_the_file_once(tmp_path, caplog):
    Image.fromarray(np.zeros((40, 40, 3), np.uint8)).save(tmp_path / "colour.png")
    images, skipped = load_images([ImageRecord(tmp_path / "colour.png", "p0")])
    assert len(images) == 1 and not skipped
    assert caplog.text.count("colour.png") == 1 and "converted to grayscale" in caplog.text


def test_padding_is_cropped_away_and_kept_as_a_mask(tmp_path, caplog):
    from core.image import Padding

    stored = np.full((10, 12), 100, np.int64)
    stored[:, :3] = 0  # padding columns
    stored[8:, 3:5] = 0  # padding inside the content's bounding box
    padding = Padding.from_stored(stored, 0, 0)
    mapping = StoredMapping(bits_stored=12)
    image = XrayImage(stored.astype(np.float32), mapping, Window(2048, 4096), padding=padding)
    with caplog.at_level("INFO", logger="core.training.data"):
        (loaded,), _ = load_images(
            [ImageRecord(tmp_path / "p.dcm", "a")], reader=lambda p, frame: image
        )
    assert loaded.pixels.shape == (10, 9)
    assert loaded.padding.sum() == 4 and loaded.padding[8:, :2].all()
    assert "28% padding, left out of patches and validation" in caplog.text


def test_every_frame_of_a_multi_frame_file_is_an_image_of_its_patient(three_frame_dicom, caplog):
    folder = three_frame_dicom.parent
    Image.fromarray(np.full((40, 40), 90, np.uint8)).save(folder / "film.png")
    records = assign_patients(folder, find_images(folder))
    with caplog.at_level("INFO", logger="core.training.data"):
        images, skipped = load_images(records)
    assert not skipped
    frames = [im for im in images if im.record.path == three_frame_dicom]
    assert [(im.record.frame, im.record.n_frames) for im in frames] == [(0, 3), (1, 3), (2, 3)]
    assert {im.record.patient_id for im in frames} == {"dicom-patient:SYN-3"}
    assert len(images) == 4
    for k, image in enumerate(frames):
        expected = normalise(read_image(three_frame_dicom, frame=k))
        np.testing.assert_array_equal(image.pixels, expected)
    assert not np.array_equal(frames[0].pixels, frames[2].pixels)
    assert f"image {three_frame_dicom}: 3 frames, each a training image" in caplog.messages
    assert not any("frame 0 only" in m for m in caplog.messages)


def test_frame_records_expand_a_file_and_refuse_no_frames():
    record = ImageRecord(Path("m.dcm"), "p")
    assert frame_records(record, 1) == [record]
    names = ["m.dcm frame 1 of 2", "m.dcm frame 2 of 2"]
    assert [r.name for r in frame_records(record, 2)] == names
    with pytest.raises(ValueError, match="at least 1"):
        frame_records(record, 0)


def test_the_split_keeps_the_frames_of_a_file_and_the_files_of_a_patient_together():
    files = [ImageRecord(Path(f"{i}.dcm"), f"p{i % 4}") for i in range(8)]
    records = [
        frame for file in files for frame in frame_records(file, 1 + (file.path.stem == "5") * 2)
    ]
    assert len(records) == 10
    for seed in range(8):
        train, val = split_by_patient(records, val_fraction=0.5, seed=seed)
        assert len(train) + len(val) == 10
        assert not {r.path for r in train} & {r.path for r in val}
        assert not {r.patient_id for r in train} & {r.patient_id for r in val}


def test_an_unreadable_frame_stops_its_file_and_warnings_are_logged_once(tmp_path, caplog):
    def reader(path, frame):
        issue_warning("converted RGB to grayscale")  # as the readers warn
        if frame == 1:
            raise ValueError("corrupt fragment")
        pixels = np.full((8, 8), frame, np.float32)
        return XrayImage(pixels, StoredMapping(8), Window(128, 256), frame=frame, n_frames=3)

    images, skipped = load_images([ImageRecord(tmp_path / "m.dcm", "a")], reader=reader)
    assert [im.record.frame for im in images] == [0]  # frame 3 not read
    reason = "corrupt fragment (its 1 later frame(s) not read)"
    assert skipped == [(tmp_path / "m.dcm", f"frame 2 of 3: {reason}")]
    assert f"skipping unreadable image {tmp_path / 'm.dcm'} frame 2 of 3: {reason}" in (
        caplog.messages
    )
    assert caplog.text.count("converted RGB to grayscale") == 1
