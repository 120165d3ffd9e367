"""The bundled model is remembered as "the bundled model", never as one install's path.

IT upgrades or moves the install folder: the settings written by the old install must select
the new install's shipped model, whether the old folder is gone or still there.
"""

import shutil

import pytest

import xraygui.models
from core.diffusion import card_path
from core.resources import SHIPPED_MODEL
from xraygui.models import BUNDLED, find_models, remember

INSTALLS = {
    "bundle": ("opt", "xraygui", "_internal", "resources", "models"),
    "checkout": ("src", "xray-denoise", "resources", "models"),
    "pip": ("venv", "share", "xray-denoise", "models"),
}

pytestmark = pytest.mark.usefixtures("no_cached_model")


def _install(root, shape, model):
    """Put a shipped model (weights and card) where an install of ``shape`` keeps it."""
    folder = root.joinpath(*INSTALLS[shape])
    folder.mkdir(parents=True)
    target = folder / SHIPPED_MODEL
    shutil.copy(model, target)
    shutil.copy(card_path(model), card_path(target))
    return target


def _running(monkeypatch, shipped):
    monkeypatch.setattr(xraygui.models, "default_model_path", lambda: shipped)


def _labels(window):
    return [window.controls.model.itemText(i) for i in range(window.controls.model.count())]


@pytest.mark.parametrize("old_folder_kept", [True, False])
def test_a_fresh_start_saves_a_token_that_an_upgraded_install_reads_as_its_own_model(
    qtbot,
    tmp_path,
    monkeypatch,
    tiny_model_path,
    dialogs,
    old_folder_kept,
    model_settings,
    window_on,
):
    old = _install(tmp_path / "old", "bundle", tiny_model_path)
    new = _install(tmp_path / "new", "bundle", tiny_model_path)
    _running(monkeypatch, old)
    store = model_settings(chosen=None)
    first = window_on(store)
    assert first.controls.options().model == old
    first.close()
    assert store.value("denoise/model") == BUNDLED  # no install's path

    if not old_folder_kept:
        shutil.rmtree(tmp_path / "old")
    _running(monkeypatch, new)
    again = window_on(store)
    assert again.controls.options().model == new
    assert again.controls.model.currentText() == "Bundled (xray-diffusion)"
    assert _labels(again) == ["Bundled (xray-diffusion)"]
    assert "missing" not in again.controls.status.text()
    assert again.controls.denoise_button.isEnabled()


@pytest.mark.parametrize("old_shape", sorted(INSTALLS))
@pytest.mark.parametrize("old_folder_kept", [True, False])
def test_an_old_install_s_path_in_the_settings_heals_to_the_running_install_s_model(
    qtbot,
    tmp_path,
    monkeypatch,
    tiny_model_path,
    dialogs,
    old_shape,
    old_folder_kept,
    model_settings,
    window_on,
):
    old = _install(tmp_path / "old", old_shape, tiny_model_path)
    new = _install(tmp_path / "new", "bundle", tiny_model_path)
    store = model_settings(chosen=old, loaded=[old])  # as the old release wrote them
    if not old_folder_kept:
        shutil.rmtree(tmp_path / "old")
    _running(monkeypatch, new)
    window = window_on(store)
    assert window.controls.options().model == new  # never the previous release's weights
    assert _labels(window) == ["Bundled (xray-diffusion)"]
    assert "missing" not in window.controls.status.text()
    window.close()
    assert store.value("denoise/model") == BUNDLED


def test_the_bundled_model_missing_from_this_install_is_said_missing(
    qtbot, tmp_path, monkeypatch, tiny_model_path, dialogs, model_settings, window_on
):
    store = model_settings(chosen=BUNDLED, loaded=[tiny_model_path])
    gone = tmp_path / "new" / "_internal" / "resources" / "models" / SHIPPED_MODEL
    _running(monkeypatch, gone)
    window = window_on(store)
    assert window.controls.options().model == gone  # not the other model without a word
    assert window.controls.status.text().startswith(f"The model chosen last is missing: {gone}.")
    window.close()
    assert store.value("denoise/model") == BUNDLED


def test_a_user_model_is_still_remembered_by_its_path(
    qtbot, tmp_path, monkeypatch, tiny_model_path, dialogs, model_settings, window_on
):
    new = _install(tmp_path / "new", "bundle", tiny_model_path)
    mine = tmp_path / "site" / "models" / "chest.safetensors"
    mine.parent.mkdir(parents=True)
    shutil.copy(tiny_model_path, mine)
    shutil.copy(card_path(tiny_model_path), card_path(mine))
    # The user's folder may hold a copy named like the shipped model: still the user's.
    own = xraygui.models.user_model_dir() / SHIPPED_MODEL
    own.parent.mkdir(parents=True)
    shutil.copy(tiny_model_path, own)
    shutil.copy(card_path(tiny_model_path), card_path(own))
    _running(monkeypatch, new)
    for chosen in (mine, own):
        store = model_settings(chosen=chosen, loaded=[mine])
        window = window_on(store)
        assert window.controls.options().model == chosen
        window.close()
        assert store.value("denoise/model") == str(chosen)


def test_the_shipped_model_loaded_by_hand_is_kept_as_the_bundled_one(
    monkeypatch, tmp_path, tiny_model_path
):
    new = _install(tmp_path / "new", "bundle", tiny_model_path)
    old = _install(tmp_path / "old", "checkout", tiny_model_path)
    _running(monkeypatch, new)
    assert remember(["/a/b.safetensors"], new) == ["/a/b.safetensors"]
    assert [entry.path for entry in find_models([old])] == [new]


def test_loading_another_installs_shipped_model_says_this_versions_is_used(
    window, tmp_path, tiny_model_path, monkeypatch
):
    import shutil

    def shipped_in(folder):
        folder.mkdir(parents=True)
        shutil.copy(tiny_model_path, folder / "xray-diffusion.safetensors")
        shutil.copy(tiny_model_path.with_suffix(".json"), folder / "xray-diffusion.json")
        return folder / "xray-diffusion.safetensors"

    ours = shipped_in(tmp_path / "new" / "resources" / "models")
    other = shipped_in(tmp_path / "old" / "_internal" / "resources" / "models")
    _running(monkeypatch, ours)
    window.reload_models()
    assert window.add_model_file(other)
    said = window.statusBar().currentMessage()
    assert "another installation's shipped model: this version's is used" in said
    assert window.controls.options().model == ours
