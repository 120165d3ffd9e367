"""The documents name the report's CSV columns, the example's networks and the exit statuses right.

The user guide's list of the CSV's added columns left out ``data_range_warning`` and called
the uncertainty statistics the CSV's "last two columns" after ``warnings`` was added behind
them; docs/development.md said that leaving ``architecture`` out trains the shipped model's
network (it gives the 32-channel default, not the shipped 48-channel one); docs/training.md
gave exit 3 to every refusal that needs the images read, where only changed images get it.
"""

import json
import re
from dataclasses import fields
from pathlib import Path

from core.diffusion import ModelCard, UNetConfig
from core.resources import default_model_path
from core.training import TrainConfig
from core.training.control import DATA_CHANGED_STATUS
from xraygui.reports import CSV_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _flat(path: Path) -> str:
    """The document's text with every run of white space one space."""
    return " ".join(path.read_text(encoding="utf-8").split())


def test_the_guide_lists_the_csv_columns_added_at_its_end_in_their_order():
    guide = _flat(DOCS / "user-guide.md")
    listed = guide.split("adds columns at its end only", 1)[1].split("byte-order mark", 1)[0]
    names = [n for n in re.findall(r"`([^`]+)`", listed) if re.fullmatch(r"[a-z0-9_*]+", n)]
    expanded = []
    for name in names:
        pattern = re.compile(re.escape(name).replace(r"\*", ".+") + "$")
        expanded += [column for column in CSV_COLUMNS if pattern.match(column)]
    assert expanded == list(CSV_COLUMNS[CSV_COLUMNS.index("precision") :])


def test_the_guide_names_the_csv_columns_of_the_uncertainty_statistics():
    guide = _flat(DOCS / "user-guide.md")
    if re.search(r"CSV's last two columns", guide):
        assert CSV_COLUMNS[-2:] == ("uncertainty_std_median", "uncertainty_std_p99_5")
    said = guide.split("std's median and 99.5th percentile (padding left out)", 1)[1][:300]
    for column in ("uncertainty_std_median", "uncertainty_std_p99_5"):
        assert f"`{column}`" in said and column in CSV_COLUMNS


def test_the_training_example_names_the_networks_it_could_train():
    text = (DOCS / "development.md").read_text(encoding="utf-8")
    comment = " ".join(re.findall(r"^ *# (.*)$", text.split("config = TrainConfig(", 1)[1], re.M))
    default = re.search(r"Left out: (UNetConfig\(\)), (\d+) base channels", comment)
    shipped = re.search(r"the shipped model's is (UNetConfig\([^)]*\))", comment)
    assert default and shipped, comment
    (architecture,) = (f for f in fields(TrainConfig) if f.name == "architecture")
    assert architecture.default_factory() == UNetConfig()
    assert int(default.group(2)) == UNetConfig().base_channels
    card = json.loads(default_model_path().with_suffix(".json").read_text(encoding="utf-8"))
    sizes = {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", shipped.group(1))}
    assert UNetConfig(**sizes) == ModelCard.from_json(card).architecture


def test_training_gives_each_refusal_that_reads_the_images_its_own_exit_status():
    training = _flat(DOCS / "training.md")
    assert "none large enough for a patch (exit 2)" in training
    assert f"images changed since the checkpoint (exit {DATA_CHANGED_STATUS})" in training
    assert "none large enough for a patch, images changed" not in training
