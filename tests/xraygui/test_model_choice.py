"""The model picker keeps the user's choice, follows the files on disk and says what is wrong."""

import os
import shutil

import pytest
import torch

from core.diffusion import DiffusionModel, NoiseSchedule, UNet, UNetConfig, card_path, save_model
from core.diffusion.model import MISMATCH
from core.errors import ModelFileError
from core.resources import file_sha256
from xraygui import jobs
from xraygui.about import about_text
from xraygui.models import find_models

pytestmark = pytest.mark.usefixtures("no_cached_model")


def _model(path, seed):
    """Save a tiny model of its own weights (and so its own checksum) at `path`."""
    torch.manual_seed(seed)
    save_model(DiffusionModel(UNet(UNetConfig.tiny()).eval(), NoiseSchedule()), path)
    return path


def _copy(weights, target):
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(weights, target)
    shutil.copy(card_path(weights), card_path(target))
    return target


def test_a_chosen_model_that_is_gone_stays_the_choice_and_is_said_missing(
    qtbot, tmp_path, dialogs, model_settings, window_on
):
    a = _model(tmp_path / "runs" / "a" / "m" / "model.safetensors", seed=1)
    b = _model(tmp_path / "runs" / "b" / "m" / "model.safetensors", seed=2)
    store = model_settings([b, a], chosen=b)
    (tmp_path / "runs" / "b" / "m").rename(tmp_path / "runs" / "b" / "unmounted")
    window = window_on(store)
    assert window.controls.options().model == b  # never another model without a word
    assert window.controls.model.currentText() == f"model (missing: {b})"
    assert window.controls.status.text().startswith(f"The model chosen last is missing: {b}.")
    window.close()
    assert store.value("denoise/model") == str(b)  # the choice outlives the outage

    (tmp_path / "runs" / "b" / "unmounted").rename(tmp_path / "runs" / "b" / "m")
    again = window_on(store)
    assert again.controls.options().model == b
    assert again.controls.model.currentText() == "model (b/m)"
    assert "missing" not in again.controls.status.text()


def test_a_chosen_model_missing_with_no_model_installed_is_still_shown(
    qtbot, tmp_path, dialogs, model_settings, window_on
):
    gone = tmp_path / "share" / "model.safetensors"
    window = window_on(model_settings([], chosen=gone))
    assert window.controls.options().model == gone
    assert window.controls.model.isEnabled()
    assert "missing" in window.controls.status.text()


def test_a_model_file_replaced_on_disk_is_loaded_again_or_refused(tmp_path):
    path = _model(tmp_path / "swap" / "model.safetensors", seed=1)
    first = jobs.cached_model(path)
    assert jobs.cached_model(path) is first  # unchanged files: the model in memory
    _copy(_model(tmp_path / "deep" / "model.safetensors", seed=2), path)  # IT's update
    assert jobs.cached_model(path).card.weights_sha256 == file_sha256(path)
    path.write_bytes(path.read_bytes()[:1000])  # cut short: its header says more is there
    with pytest.raises(ModelFileError, match="unreadable weights: a header of .* does not fit"):
        jobs.cached_model(path)


def test_loading_a_model_file_reads_it_from_disk(window, tmp_path):
    path = _model(tmp_path / "swap" / "model.safetensors", seed=1)
    assert window.add_model_file(path)
    stamp = os.stat(path)
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 0xFF  # the same size and times, as bit rot leaves a file
    path.write_bytes(bytes(blob))
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert not window.add_model_file(path)
    assert window.errors[-1] == f"Cannot load model: {path}: {MISMATCH}"


@pytest.mark.parametrize(
    ("card_text", "reason"),
    [
        ("[1, 2, 3]", "unreadable model card model.json: not a JSON object but a JSON list"),
        (None, "unreadable model card model.json: base_channels must be an integer, got 8.0"),
    ],
)
def test_a_model_that_cannot_be_loaded_is_always_said_so(window, tmp_path, card_text, reason):
    path = _copy(_model(tmp_path / "m.safetensors", seed=1), tmp_path / "bad" / "model.safetensors")
    if card_text is None:
        card_text = (
            card_path(path).read_text().replace('"base_channels": 8', '"base_channels": 8.0')
        )
    card_path(path).write_text(card_text)
    listed = window.controls.model.count()
    assert not window.add_model_file(path)
    assert window.errors[-1] == f"Cannot load model: {path}: {reason}"
    assert window.controls.model.count() == listed


def test_every_model_loaded_by_hand_is_kept(window, tmp_path, tiny_model_path):
    added = [
        _copy(tiny_model_path, tmp_path / f"site{i:02d}" / f"chest{i:02d}.safetensors")
        for i in range(1, 13)
    ]
    for path in added:
        assert window.add_model_file(path)
    labels = [window.controls.model.itemText(i) for i in range(window.controls.model.count())]
    assert labels[:12] == [f"chest{i:02d} (site{i:02d})" for i in range(12, 0, -1)]
    assert window._loaded_models()[:12] == [str(p) for p in reversed(added)]
    assert window.errors == []


def _link_model(link, target):
    """Point `link` and its card at `target` and its card (beside them); skip if it cannot."""
    try:
        for name, to in ((link, target), (card_path(link), card_path(target))):
            name.unlink(missing_ok=True)
            name.symlink_to(to.name)
    except OSError:  # Windows without the right to make links
        pytest.skip("symbolic links cannot be made here")
    return link


def test_a_model_loaded_through_a_link_follows_the_link(qtbot, window, tmp_path, window_on):
    share = tmp_path / "share"
    v3 = _model(share / "v3.safetensors", seed=3)
    v4 = _model(share / "v4.safetensors", seed=4)
    current = _link_model(share / "current.safetensors", v3)
    assert window.add_model_file(current)
    assert window._loaded_models()[0] == str(current)
    assert window.controls.options().model == current

    _link_model(current, v4)  # IT rolls out v4
    assert jobs.cached_model(current).card.weights_sha256 == file_sha256(v4)
    window.close()
    v3.unlink()
    card_path(v3).unlink()
    again = window_on(window.settings)
    assert again.controls.options().model == current
    assert "missing" not in again.controls.model.currentText()


def test_a_link_to_a_listed_model_is_listed_chosen_and_followed(qtbot, window, tmp_path):
    share = tmp_path / "share"
    v1 = _model(share / "v1.safetensors", seed=1)
    v2 = _model(share / "v2.safetensors", seed=2)
    other = _copy(v2, tmp_path / "other" / "m.safetensors")
    assert window.add_model_file(v1)
    assert window.add_model_file(other)
    current = _link_model(share / "current.safetensors", v1)
    assert window.add_model_file(current)  # v1 is listed already, by its own name
    assert window.controls.options().model == current
    assert window.controls.model.currentText() == "current (share)"
    window.controls.model.setCurrentIndex(window.controls.model.findData(str(other)))
    window.reload_models()  # a refresh keeps the choice
    assert window.controls.options().model == other


def test_models_of_the_same_name_in_folders_of_the_same_name_read_apart(tmp_path):
    paths = [
        _model(tmp_path / "runs" / "a" / "m" / "model.safetensors", seed=1),
        _model(tmp_path / "runs" / "b" / "m" / "model.safetensors", seed=2),
        _model(tmp_path / "x" / "c" / "model.safetensors", seed=3),
        _model(tmp_path / "y" / "c" / "model.safetensors", seed=4),
        _model(tmp_path / "z" / "d" / "other.safetensors", seed=5),
    ]
    labels = [entry.label for entry in find_models(paths)]
    assert labels == [
        "model (a/m)",
        "model (b/m)",
        "model (x/c)",
        "model (y/c)",
        "other (d)",
    ]


def test_the_about_box_says_when_the_weights_are_not_those_of_the_card(tmp_path):
    path = _model(tmp_path / "m.safetensors", seed=1)
    sha = file_sha256(path)[:12]
    assert f"Model: m.safetensors (SHA-256 {sha}), code " in about_text(path)
    path.write_bytes(path.read_bytes()[:1000])
    assert (
        f"Model: m.safetensors (SHA-256 {sha}; weights do not match this SHA-256, "
        "so it cannot be used), code "
    ) in about_text(path)
    path.unlink()
    assert f"(SHA-256 {sha}; weights missing, so it cannot be used)" in about_text(path)
