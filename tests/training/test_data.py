import warnings

import numpy as np
import pytest
from PIL import Image

from core.errors import XrayWarning
from core.image import StoredMapping, Window, XrayImage
from core.io import read_image
from core.training.data import (
    ImageRecord,
    assign_patients,
    describe_source,
    find_images,
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
    ],
)
def test_normalise_from_data_range(mapping, pixels, expected):
    np.testing.assert_allclose(normalise(_image(pixels, mapping)), expected, atol=1e-6)


def test_describe_source(image_folder, tmp_path):
    info = describe_source(image_folder)
    assert info["license"] == "Creative Commons Legal Code Attribution 3.0 Unported"
    assert "CC BY 3.0" in info["attribution"]
    assert describe_source(tmp_path) == {}


def test_reader_warnings_are_logged_per_file(image_folder, caplog):
    def warning_reader(path):
        warnings.warn("converted RGB to grayscale", XrayWarning, stacklevel=1)
        return read_image(path)

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
        (loaded,), _ = load_images([ImageRecord(tmp_path / "p.dcm", "a")], reader=lambda p: image)
    assert loaded.pixels.shape == (10, 9)
    assert loaded.padding.sum() == 4 and loaded.padding[8:, :2].all()
    assert "28% padding, left out of patches and validation" in caplog.text


def test_a_multi_frame_image_is_named_in_a_warning(tmp_path, caplog):
    image = XrayImage(np.zeros((8, 8), np.float32), StoredMapping(8), Window(128, 256), n_frames=3)
    (loaded,), _ = load_images([ImageRecord(tmp_path / "m.dcm", "a")], reader=lambda p: image)
    assert f"image {tmp_path / 'm.dcm'}: 3 frames; training uses frame 0 only" in caplog.messages
