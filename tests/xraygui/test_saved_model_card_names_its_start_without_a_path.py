"""The wizard's saved card names its starting model without a path; a worse model is said."""

import json

from core.diffusion import card_path
from xraygui.wizard.result_page import ResultPage, save_model_copy
from xraygui.wizard.runs import RunSpec


def _finished_fine_tune(tmp_path, model_path, started_from):
    spec = RunSpec(data=tmp_path, folder=tmp_path / "run", steps=2, minutes=None,
                   batch_size=2, patch_size=16, init_model=model_path)  # fmt: skip
    spec.folder.mkdir()
    card = json.loads(card_path(model_path).read_text())
    card["training"] = {"steps_done": 2, "started_from": started_from}
    spec.output.write_bytes(model_path.read_bytes())
    card_path(spec.output).write_text(json.dumps(card))
    return spec


def test_a_saved_fine_tune_names_its_start_by_stem_never_by_path(tmp_path, tiny_model_path):
    older = {"weights_sha256": "ab" * 32}  # a run's card from before it named its start
    spec = _finished_fine_tune(tmp_path, tiny_model_path, older)
    saved = save_model_copy(spec, tmp_path / "models", "mine")
    text = card_path(saved).read_text()
    assert json.loads(text)["training"]["started_from"] == {**older, "name": "tiny"}
    assert str(tiny_model_path.parent) not in text and "tiny.safetensors" not in text


def _validation(step, *psnrs):
    scores = [
        {
            "noisy_psnr_db": 43.0,
            "sigma": 0.01,
            "scale": s,
            "noisy_psnr": 43.0,
            "psnr": p,
            "ssim": 0.9,
        }
        for s, p in zip((1.0, 2.0), psnrs, strict=True)
    ]
    return {"step": step, "n_images": 1, "crop_sides": {"32": 1}, "scores": scores}


def test_the_result_page_says_the_new_model_scores_below_its_start(
    qtbot, tmp_path, tiny_model_path
):
    spec = _finished_fine_tune(tmp_path, tiny_model_path, {"name": "tiny"})
    records = [{"step": 0, "validation": _validation(0, 40.0, 45.0)}]
    records.append({"step": 2, "validation": _validation(2, 40.5, 43.75)})
    spec.config.metrics_path.write_text("".join(json.dumps(r) + "\n" for r in records))
    page = ResultPage(tmp_path / "models")
    qtbot.addWidget(page)
    page.show_run(spec)
    said = page.message.text()
    assert "scores below the starting model at 1 level" in said and "x2 43 dB: -1.25 dB" in said
