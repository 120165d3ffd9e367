"""SSIMs computed by different methods are not put side by side.

Validation SSIM became Wang et al. 2004's (11 x 11 Gaussian window; records name it in
``ssim``) where it was scikit-image's 7 x 7 window (records without ``ssim``): the same
crops read lower. A run resumed across that change showed its start's old SSIM beside its
new one, and joined them in one curve, as if the model had got worse.
"""

import json
import math
from pathlib import Path

import pytest

from core.training.validation import SSIM_METHOD
from xraygui.wizard.result_page import ResultPage
from xraygui.wizard.run_page import RunPage
from xraygui.wizard.runs import RunSpec

pytestmark = pytest.mark.gui


def _validation(step: int, ssim: float, method: str | None) -> dict:
    level = {"noisy_psnr_db": 43.0, "sigma": 0.01, "scale": 1.0}
    record = {"step": step, "n_images": 3, "crop_sides": {"64": 3},
              "scores": [{**level, "noisy_psnr": 43.0, "psnr": 44.0, "ssim": ssim}]}  # fmt: skip
    return record if method is None else {**record, "ssim": method}


def _spec(tmp_path: Path, records: list[dict]) -> RunSpec:
    folder = tmp_path / "run"
    folder.mkdir(exist_ok=True)
    spec = RunSpec(data=tmp_path, folder=folder, steps=6, minutes=None, batch_size=2,
                   patch_size=16, init_model=Path("start.safetensors"))  # fmt: skip
    lines = [json.dumps({"step": r["step"], "validation": r}) + "\n" for r in records]
    spec.config.metrics_path.write_text("".join(lines))
    return spec


def _row(page: ResultPage) -> list[str]:
    return [page.table.item(0, j).text() for j in range(page.table.columnCount())]


@pytest.mark.parametrize(
    ("start", "shown"), [(None, "-"), (SSIM_METHOD, "0.9286")], ids=["old start", "same"]
)
def test_the_start_ssim_is_shown_only_where_computed_as_the_new_one(qtbot, tmp_path, start, shown):
    records = [_validation(0, 0.9286, start), _validation(6, 0.9247, SSIM_METHOD)]
    page = ResultPage(tmp_path / "models")
    qtbot.addWidget(page)
    page.show_run(_spec(tmp_path, records))
    assert _row(page) == ["x1, 43 dB", "43.00", "44.00", shown, "44.00", "0.9247"]
    assert ("SSIM was computed another way" in page.message.text()) == (start is None)


def test_the_run_pages_ssim_curve_breaks_where_the_method_changes(qtbot, tmp_path):
    records = [_validation(0, 0.93, None), _validation(2, 0.94, None)]
    records += [_validation(4, 0.92, SSIM_METHOD), _validation(6, 0.93, SSIM_METHOD)]
    spec = _spec(tmp_path, records)
    page = RunPage()
    qtbot.addWidget(page)
    for _ in range(2):  # followed again from the start: the same curve
        page._reset(spec)
        page.poll()
        steps, ssim = page.ssim_curve.getData()
        assert list(steps) == [0, 2, 4, 4, 6]
        assert ssim[:2].tolist() == [0.93, 0.94] and math.isnan(ssim[2])
        assert ssim[3:].tolist() == [0.92, 0.93]
        assert list(page.psnr_curve.getData()[0]) == [0, 2, 4, 6]  # PSNR did not change
    assert "step 4: the validation SSIM is computed another way" in page.log.toPlainText()
