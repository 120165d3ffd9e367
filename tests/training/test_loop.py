import contextlib
import json
import math
import warnings
from dataclasses import replace

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from core.diffusion.model import card_path, load_model
from core.training.checkpoint import read_checkpoint
from core.training.config import TrainConfig
from core.training.loop import _autocast, learning_rate, train, training_dtype


def test_learning_rate_schedule(tiny_config):
    config = replace(tiny_config, lr=1.0, warmup_steps=10, steps=110, min_lr_fraction=0.1)
    assert learning_rate(0, config) == pytest.approx(0.1)
    assert learning_rate(9, config) == pytest.approx(1.0)
    assert learning_rate(60, config) == pytest.approx(0.1 + 0.9 * 0.5)
    assert learning_rate(110, config) == pytest.approx(0.1)
    assert learning_rate(500, config) == pytest.approx(0.1)
    rates = [learning_rate(s, config) for s in range(10, 111)]
    assert all(a >= b for a, b in zip(rates, rates[1:], strict=False))
    assert not math.isnan(learning_rate(0, replace(config, steps=10)))


def test_train_writes_model_card_checkpoint_metrics(tiny_config):
    states = []
    out = train(tiny_config, callback=states.append)
    assert out == tiny_config.output
    assert [s.step for s in states] == [1, 2, 3, 4]
    assert states[0].validation is None and states[1].validation.step == 2
    assert all(s.total_steps == 4 and s.loss > 0 for s in states)

    model = load_model(out)
    card = model.card
    assert card.data["license"].startswith("Creative Commons")
    assert "CC BY 3.0" in card.data["attribution"]
    # Counts, never names.
    assert card.data["skipped"] == {"unreadable": 1, "too_small": 0, "constant": 0, "not_images": 0}
    assert card.data["n_val_images"] > 0 and card.data["n_val_patients"] > 0
    assert card.training["steps_done"] == 4
    assert card.training["settings"]["batch_size"] == 2
    assert "data" not in card.training["settings"]
    assert card.validation["step"] == 4 and len(card.validation["scores"]) == 6

    assert read_checkpoint(tiny_config.checkpoint_path).step == 4
    lines = [json.loads(ln) for ln in tiny_config.metrics_path.read_text().splitlines()]
    assert [r["step"] for r in lines if "loss" in r] == [1, 2, 3, 4]
    assert [r["step"] for r in lines if "validation" in r] == [2, 4]


def _tensors(config):
    return load_file(config.checkpoint_path)


def test_resume_is_exact(tiny_config, tmp_path):
    whole = replace(tiny_config, output=tmp_path / "whole" / "m.safetensors", val_every=0)
    train(whole)

    halves = replace(whole, output=tmp_path / "halves" / "m.safetensors")
    train(halves, callback=lambda state: state.step == 2)
    assert read_checkpoint(halves.checkpoint_path).step == 2
    train(replace(halves, resume=True))

    a, b = _tensors(whole), _tensors(halves)
    assert a.keys() == b.keys()
    assert any(k.startswith("optimizer/") for k in a)
    for key in a:
        assert (a[key] == b[key]).all(), key
    assert card_path(halves.output).is_file()


def test_patches_drawn_in_worker_processes_give_the_same_weights(tiny_config, tmp_path):
    inline = replace(tiny_config, output=tmp_path / "inline" / "m.safetensors", val_every=0)
    train(replace(inline, workers=0))
    # Two workers, stopped half-way (the workers are shut down) and resumed.
    pooled = replace(inline, output=tmp_path / "pooled" / "m.safetensors", workers=2)
    train(pooled, callback=lambda state: state.step == 2)
    train(replace(pooled, resume=True))
    a, b = _tensors(inline), _tensors(pooled)
    assert a.keys() == b.keys()
    for key in a:
        assert (a[key] == b[key]).all(), key


def test_resume_guards(tiny_config):
    with pytest.raises(ValueError, match="no checkpoint"):
        train(replace(tiny_config, resume=True))
    train(replace(tiny_config, steps=2))
    with pytest.raises(ValueError, match="exists"):
        train(tiny_config)
    with pytest.raises(ValueError, match="batch_size"):
        train(replace(tiny_config, resume=True, batch_size=3))
    # The horizon may grow: the run continues to the new end.
    train(replace(tiny_config, resume=True, steps=3, val_every=0))
    assert read_checkpoint(tiny_config.checkpoint_path).step == 3


def test_time_budget_stops_with_checkpoint(tiny_config):
    train(replace(tiny_config, minutes=1e-9, steps=1000))
    assert read_checkpoint(tiny_config.checkpoint_path).step == 1
    assert load_model(tiny_config.output).card.training["steps_done"] == 1


def test_no_images_raises(tiny_config, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no PNG"):
        train(replace(tiny_config, data=tmp_path / "empty"))


def test_unreadable_files_never_leave_validation_empty(tmp_path, tiny_config):
    from core.training.loop import _prepare_data

    folder = tmp_path / "mostly-broken"
    folder.mkdir()
    rng = np.random.default_rng(1)
    Image.fromarray((rng.random((40, 40)) * 255).astype(np.uint8)).save(folder / "a.png")
    Image.fromarray((rng.random((40, 40)) * 255).astype(np.uint8)).save(folder / "b.png")
    for name in ("c", "d", "e", "f"):  # patients (one per file) with nothing readable
        (folder / f"{name}.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    for split_seed in range(6):
        data = _prepare_data(
            replace(tiny_config, data=folder, val_fraction=0.3, split_seed=split_seed)
        )
        assert data.card["n_val_images"] == 1
        assert data.card["n_train_images"] == 1
        assert data.card["skipped"] == {
            "unreadable": 4,
            "too_small": 0,
            "constant": 0,
            "not_images": 0,
        }


def test_counts_describe_the_images_used_not_the_skipped_ones(tmp_path, tiny_config, caplog):
    from core.training.loop import _prepare_data

    folder = tmp_path / "three-good-two-broken"
    folder.mkdir()
    rng = np.random.default_rng(3)
    for name in ("a", "b", "c"):  # one patient per file
        Image.fromarray((rng.random((40, 40)) * 255).astype(np.uint8)).save(folder / f"{name}.png")
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    (folder / "bad.dcm").write_bytes(b"\0" * 128 + b"DICM" + b"truncated")
    for split_seed in range(4):
        caplog.clear()
        config = replace(tiny_config, data=folder, val_fraction=0.3, split_seed=split_seed)
        with caplog.at_level("INFO", logger="core.training.loop"):
            data = _prepare_data(config)
        card = data.card
        assert (card["n_images"], card["n_patients"]) == (3, 3)
        assert (card["n_train_images"], card["n_val_images"]) == (2, 1)
        assert card["skipped"] == {"unreadable": 2, "too_small": 0, "constant": 0, "not_images": 0}
        (val_patient,) = {r.patient_id for r in data.selection.val}
        assert val_patient in {"file:a.png", "file:b.png", "file:c.png"}
        assert data.validator.n_images == 1  # never a skipped file
        (line,) = [m for m in caplog.messages if m.startswith("data ")]
        assert (
            "3 images from 3 files (each frame an image) of 3 patients; training on 2 images of "
            "2 patients, " in line
        )
        assert "validating on 1 image of 1 patient;" in line
        assert "; 2 skipped (unreadable, too small or blank)" in line


def test_every_frame_is_counted_and_held_out_with_its_patient(
    three_frame_dicom, tiny_config, caplog
):
    from core.training.loop import _prepare_data

    folder = three_frame_dicom.parent
    rng = np.random.default_rng(4)
    for name in ("a", "b"):  # one patient per file
        Image.fromarray((rng.random((40, 40)) * 255).astype(np.uint8)).save(folder / f"{name}.png")
    held_out = set()
    for split_seed in range(6):
        caplog.clear()
        config = replace(tiny_config, data=folder, val_fraction=0.3, split_seed=split_seed)
        with caplog.at_level("INFO", logger="core.training.loop"):
            data = _prepare_data(config)
        card = data.card
        assert (card["n_images"], card["n_files"], card["n_patients"]) == (5, 3, 3)
        assert card["images"].startswith("5 images from 3 files: every frame")
        (val_patient,) = {r.patient_id for r in data.selection.val}
        held_out.add(val_patient)
        n_val = 3 if val_patient == "dicom-patient:SYN-3" else 1
        assert (card["n_train_images"], card["n_val_images"]) == (5 - n_val, n_val)
        assert data.validator.n_images == n_val
        assert len(data.sampler.images) == 5 - n_val
        (line,) = [m for m in caplog.messages if m.startswith("data ")]
        assert "5 images from 3 files (each frame an image) of 3 patients" in line
    assert "dicom-patient:SYN-3" in held_out and len(held_out) > 1


def test_images_too_small_for_a_patch_are_skipped_by_name(tmp_path, tiny_config, caplog):
    from core.training.loop import _prepare_data

    folder = tmp_path / "with-thumbnail"
    folder.mkdir()
    rng = np.random.default_rng(2)
    for name in ("a", "b", "c"):
        Image.fromarray((rng.random((40, 40)) * 255).astype(np.uint8)).save(folder / f"{name}.png")
    Image.fromarray((rng.random((3, 6)) * 255).astype(np.uint8)).save(folder / "thumb.png")
    # 16 px patches magnified at most 4x need 4 px across; binned 2 x 2 the thumbnail has 1.
    config = replace(tiny_config, data=folder, binning=2)
    data = _prepare_data(config)
    assert data.selection.skipped() == [
        (
            folder / "thumb.png",
            "too small: 1 px across binned 2 x 2, under a 16 px patch even magnified 4x",
        )
    ]
    assert data.card["skipped"] == {"unreadable": 0, "too_small": 1, "constant": 0, "not_images": 0}
    assert data.card["n_train_images"] + data.card["n_val_images"] == 3
    assert (data.card["n_images"], data.card["n_patients"]) == (3, 3)
    assert "skipping image" in caplog.text and "thumb.png" in caplog.text
    with pytest.raises(ValueError, match="holds a 256 px patch; use a smaller --patch-size"):
        _prepare_data(replace(config, patch_size=256))


def test_frames_too_small_for_a_patch_are_skipped_by_frame(three_frame_dicom, tiny_config):
    from core.training.loop import _prepare_data

    folder = three_frame_dicom.parent
    rng = np.random.default_rng(5)
    for name in ("a", "b"):
        Image.fromarray((rng.random((80, 80)) * 255).astype(np.uint8)).save(folder / f"{name}.png")
    # 160 px patches magnified at most 4x need 40 px across: the PNGs have 80, the frames 64.
    data = _prepare_data(replace(tiny_config, data=folder, binning=2, patch_size=160))
    reason = "too small: 32 px across binned 2 x 2, under a 160 px patch even magnified 4x"
    assert data.selection.skipped() == [
        (three_frame_dicom, f"frame {k} of 3: {reason}") for k in (1, 2, 3)
    ]
    assert (data.card["n_images"], data.card["n_files"]) == (2, 2)


def test_binning_averages_the_training_images_only(tiny_config, caplog):
    from core.training.loop import _prepare_data

    with caplog.at_level("INFO", logger="core.training.loop"):
        plain = _prepare_data(tiny_config)
        binned = _prepare_data(replace(tiny_config, binning=2))
    sizes = [m for m in caplog.messages if m.startswith("training images in memory: ")]
    megabytes = [sum(im.nbytes for im in d.sampler.images) / 2**20 for d in (plain, binned)]
    assert sizes == [f"training images in memory: {mb:.0f} MiB (float32)" for mb in megabytes]
    for image, binned_image in zip(plain.sampler.images, binned.sampler.images, strict=True):
        rows, cols = image.shape
        assert binned_image.shape == (rows // 2, cols // 2)
        assert binned_image[0, 0] == pytest.approx(image[:2, :2].mean())
    for case, binned_case in zip(plain.validator.cases, binned.validator.cases, strict=True):
        np.testing.assert_array_equal(binned_case[3], case[3])  # the same clean crops
    with pytest.raises(ValueError, match="binning"):
        replace(tiny_config, binning=0)
    assert tiny_config.trajectory_differences(replace(tiny_config, binning=2).to_config()) == [
        "binning"
    ]
    # A checkpoint from before binning existed trained on the images as stored.
    stored = tiny_config.to_config()
    del stored["binning"]
    assert tiny_config.trajectory_differences(stored) == []


def _fine_tune_one_step(tiny_config, tmp_path, **changes):
    """Train a parent, then one of two steps of a child fine-tuned from it."""
    parent = load_model(train(replace(tiny_config, val_every=0)))
    child = replace(
        tiny_config,
        output=tmp_path / "child" / "m.safetensors",
        init_model=tiny_config.output,
        steps=2,
        **changes,
    )
    train(child, callback=lambda state: state.step == 1)  # stop after one step
    return parent, child


def test_fine_tune_records_what_it_started_from(tiny_config, tmp_path):
    parent, child = _fine_tune_one_step(tiny_config, tmp_path, checkpoint_every=1)
    lineage = load_model(child.output).card.training["started_from"]
    assert lineage["weights_sha256"] == parent.card.weights_sha256
    assert lineage["training"]["steps_done"] == 4
    assert lineage["data"]["license"].startswith("Creative Commons")  # attribution kept
    assert "CC BY 3.0" in lineage["data"]["attribution"]
    assert lineage["data"]["n_images"] == parent.card.data["n_images"]
    first = [json.loads(ln) for ln in child.metrics_path.read_text().splitlines()][0]
    assert first["step"] == 0 and "validation" in first  # the parent's scores, for comparison

    # The parent file may be replaced (as a shipped model is); the resumed run keeps the record.
    tiny_config.output.unlink()
    train(replace(child, resume=True))
    card = load_model(child.output).card
    assert card.training["steps_done"] == 2
    assert card.training["started_from"]["weights_sha256"] == parent.card.weights_sha256


def test_a_checkpoint_from_before_the_tone_curve_resumes_without_one(tiny_config):
    old = replace(tiny_config, augmentation=replace(tiny_config.augmentation, tone_curvature=0.0))
    stored = replace(old, steps=2).to_config()
    del stored["augmentation"]["tone_curvature"]  # as that version wrote it
    assert TrainConfig.from_config(stored).augmentation.tone_curvature == 0.0
    assert old.trajectory_differences(stored) == []
    assert "augmentation" in tiny_config.trajectory_differences(stored)


def test_a_checkpoint_from_before_lineage_takes_it_from_the_init_model(tiny_config, tmp_path):
    parent, child = _fine_tune_one_step(tiny_config, tmp_path, val_every=0)
    # Rewrite the checkpoint as the version before lineage wrote it: no "started_from".
    tensors = load_file(child.checkpoint_path)
    with safe_open(child.checkpoint_path, "pt") as f:
        metadata = f.metadata()
    extra = json.loads(metadata["extra"])
    del extra["started_from"]
    save_file(tensors, child.checkpoint_path, metadata={**metadata, "extra": json.dumps(extra)})

    train(replace(child, resume=True))
    lineage = load_model(child.output).card.training["started_from"]
    assert lineage["weights_sha256"] == parent.card.weights_sha256


def test_a_deeper_fine_tune_starts_from_the_parents_function(tiny_config, tmp_path):
    parent = load_model(train(tiny_config))
    deeper = replace(tiny_config.architecture, blocks_per_level=2, mid_blocks=3)
    child = replace(
        tiny_config,
        output=tmp_path / "child" / "m.safetensors",
        init_model=tiny_config.output,
        architecture=deeper,
        steps=2,
    )
    train(child, callback=lambda state: state.step == 1)
    first = [json.loads(ln) for ln in child.metrics_path.read_text().splitlines()][0]
    assert first["step"] == 0
    assert first["validation"]["scores"] == parent.card.validation["scores"]
    assert load_model(child.output).network.config == deeper

    wider = replace(tiny_config.architecture, base_channels=16)
    other = replace(child, output=tmp_path / "wide" / "m.safetensors", architecture=wider)
    with pytest.raises(ValueError, match="only more blocks"):
        train(other)


def test_a_run_stopped_by_its_time_budget_has_decayed(tiny_config):
    config = replace(tiny_config, minutes=1e-9, steps=1000, warmup_steps=2, val_every=0)
    train(config)
    (record,) = [json.loads(ln) for ln in config.metrics_path.read_text().splitlines()]
    assert record["lr"] == pytest.approx(config.lr * config.min_lr_fraction)


def test_one_patient_leaves_the_model_unscored_and_says_so(tmp_path, tiny_config, caplog):
    folder = tmp_path / "one-patient"
    folder.mkdir()
    rng = np.random.default_rng(4)
    for name in ("a", "b"):
        Image.fromarray((rng.random((40, 40)) * 255).astype(np.uint8)).save(folder / f"{name}.png")
    (folder / "data.csv").write_text("patient_id,image_id\nP1,a\nP1,b\n")
    config = replace(tiny_config, data=folder, steps=1)
    with caplog.at_level("WARNING", logger="core.training.loop"):
        train(config)
    reason = "only 1 patient: nothing held out for validation; the model will not be scored"
    assert reason in caplog.messages
    assert load_model(config.output).card.validation == {"not_scored": reason}
    train(replace(config, overwrite=True, val_fraction=0))
    assert load_model(config.output).card.validation["not_scored"].startswith("val_fraction is 0")


def test_bfloat16_only_where_the_gpu_has_it_in_hardware(monkeypatch):
    # Pre-Ampere GPUs emulate it, more slowly than float32.
    cuda = torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (7, 5))
    assert training_dtype(cuda, "auto") == torch.float32
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (8, 0))
    assert training_dtype(cuda, "auto") == torch.bfloat16
    assert training_dtype(cuda, "float32") == torch.float32
    assert isinstance(_autocast(cuda, torch.float32), contextlib.nullcontext)
    with warnings.catch_warnings():  # without CUDA here, torch says it disables autocast
        warnings.simplefilter("ignore", UserWarning)
        assert not isinstance(_autocast(cuda, torch.bfloat16), contextlib.nullcontext)
