"""block_signature of each training film (central 1024 px) at three doses and JPEG qualities.

Run from the repository root, in two halves: python films_by_quality.py 0 and ... 1; it
writes /tmp/films_{0,1}.jsonl, which films_by_quality.txt summarises."""

import dataclasses
import io
import json
import os
import sys

import numpy as np
from PIL import Image

from core.io import read_image
from core.noise import LowDoseSettings, simulate_low_dose_image
from core.noise.lossy import block_signature

D = "../shared/data/xray-train/png/"
names = sorted(os.listdir(D))
part = int(sys.argv[1])
names = names[part::2]


def jpg(a, q):
    b = io.BytesIO()
    Image.fromarray(a.astype(np.uint8)).save(b, "JPEG", quality=q)
    return np.array(Image.open(b)).astype(float)


out = open(f"/tmp/films_{part}.jsonl", "w")
for nm in names:
    img = read_image(D + nm, digest=False)
    p = img.pixels
    r0 = max(0, (p.shape[0] - 1024) // 2)
    c0 = max(0, (p.shape[1] - 1024) // 2)
    crop = p[r0 : r0 + 1024, c0 : c0 + 1024].astype(float)
    base = dataclasses.replace(img, pixels=crop.astype(np.float32))
    for dose in (1.0, 0.25, 0.05):
        x = (
            crop
            if dose == 1.0
            else np.clip(
                np.round(
                    simulate_low_dose_image(
                        base, LowDoseSettings(dose=dose, photons_per_pixel=20000, seed=0)
                    ).pixels
                ),
                0,
                255,
            )
        )
        for q in (0, 95, 90, 75, 50):
            y = x if q == 0 else jpg(x, q)
            out.write(
                json.dumps(
                    dict(
                        name=nm,
                        dose=dose,
                        q=q,
                        s=block_signature(y),
                        s_crop=block_signature(y[3:, 5:]),
                        s256=block_signature(y[100:356, 100:356]),
                    )
                )
                + "\n"
            )
            out.flush()
