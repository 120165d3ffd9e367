"""The run's data from the PNGs (--binning 2) against an unpacked pack (--binning 1).

python check_staging.py UNPACKED_FOLDER, from the repository root, after
``benchmarks/stage_binned.py pack ../shared/data/xray-train P`` and ``unpack P UNPACKED_FOLDER``.
"""

import sys
from pathlib import Path

import numpy as np

from core.training.config import TrainConfig
from core.training.loop import _prepare_data


def prepared(data: Path, binning: int):
    """The run's training images, validator and card for `data` at `binning`."""
    output = Path("/tmp") / f"check-staging-{binning}.safetensors"
    return _prepare_data(TrainConfig(data=data, output=output, binning=binning, patch_size=192))


original = prepared(Path("../shared/data/xray-train"), 2)
staged = prepared(Path(sys.argv[1]), 1)
pairs = list(zip(original.sampler.images, staged.sampler.images, strict=True))
print("training images:", len(original.sampler.images), len(staged.sampler.images))
print("same shapes:", all(a.shape == b.shape for a, b in pairs))
print("largest |difference| of training pixels:", max(float(np.abs(a - b).max()) for a, b in pairs))
cases = list(zip(original.validator.cases, staged.validator.cases, strict=True))
same = all(np.array_equal(a[3], b[3]) and np.array_equal(a[4], b[4]) for a, b in cases)
print("validation crops (clean and noisy) identical:", same)
print("held-out images:", [r.path.name for r in original.selection.val])
print("held-out images (staged):", [r.path.name for r in staged.selection.val])
print("card data identical:", original.card == staged.card)
