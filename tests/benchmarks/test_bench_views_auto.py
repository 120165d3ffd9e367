"""The benchmarks' --views: None is the product's auto, and every header and table names the
count used, never "None" or "auto"."""

import benchlib
import fulltime
import pytest
from benchlib import Level, Physics

from core.device import cpu_has_amx


@pytest.mark.parametrize(("precision", "used"), [(None, 4 if cpu_has_amx() else 2), ("float32", 2)])
def test_auto_views_are_chosen_when_the_project_loads(precision, used):
    project = benchlib.Project.load(None, device="cpu", precision=precision)
    assert project.settings.views == used
    assert project.method().label == f"project, default (DDIM, 1 step, strength 1, {used} views)"
    assert f"views={used}," in project.describe()
    assert benchlib.Project.load(None, device="cpu", views=8).settings.views == 8


def test_the_whole_job_table_names_the_views_the_job_used(tmp_path):
    source = fulltime.synthetic_dicom((64, 64), tmp_path)
    path, case = fulltime.noisy_file(source, Level.psnr(36.0), Physics(), tmp_path, seed=0)
    job = fulltime.project_job(str(path), str(tmp_path), fulltime.RunOptions(precision="float32"))
    assert job["views"] == 2 and "views=2," in job["settings"]
    report = {"image": source.name, "shape": [64, 64], "dose": case.dose, "level": "noisy 36 dB"}
    table = fulltime.full_report({**report, "project": job, "cli": None})
    assert "| project, default settings (2 views): whole job |" in table
