"""The card's ``data.kinds`` describes the images that trained and validated, no others.

An image too small for a patch is skipped (:meth:`SelectionRule.too_small`) and counted
under ``data.skipped.too_small`` only: its format, bits and size are not in ``data.kinds``,
whose counts add up to ``data.n_images``, as the card's other counts do.
"""

from dataclasses import replace

import numpy as np
import tifffile
from PIL import Image


def test_kinds_leave_out_the_images_too_small_for_a_patch(tmp_path, tiny_config):
    from core.training.loop import _prepare_data

    folder = tmp_path / "with-thumbnails"
    folder.mkdir()
    rng = np.random.default_rng(2)
    for name in ("a", "b", "c"):
        Image.fromarray((rng.random((40, 40)) * 255).astype(np.uint8)).save(folder / f"{name}.png")
    # 16 px patches magnified at most 4x need 4 px across binned 2 x 2: these have 1 and 2.
    Image.fromarray((rng.random((3, 6)) * 255).astype(np.uint8)).save(folder / "thumb.png")
    tifffile.imwrite(folder / "small.tif", (rng.random((5, 7)) * 4095).astype(np.uint16))
    card = _prepare_data(replace(tiny_config, data=folder, binning=2)).card
    assert card["skipped"] == {"unreadable": 0, "too_small": 2, "constant": 0, "not_images": 0}
    kinds = card["kinds"]
    assert kinds == {
        "formats": {"PNG": 3},
        "bits_stored": {"8": 3},
        "rows": [40, 40],
        "cols": [40, 40],
    }
    assert sum(kinds["formats"].values()) == card["n_images"] == 3
    assert card["n_train_images"] + card["n_val_images"] == card["n_images"]
