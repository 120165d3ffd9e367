"""Spread of block_signature by size: lossless phantoms and film crops vs JPEG q75/q50."""

import glob
import io
import sys

import numpy as np
from PIL import Image

from core.noise import phantom_image
from core.noise.lossy import block_signature

sizes = [int(s) for s in sys.argv[1].split(",")]
seeds = int(sys.argv[2])
films = [
    np.asarray(Image.open(f)) for f in sorted(glob.glob("../shared/data/xray-train/png/*.png"))
]
films = [f if f.ndim == 2 else f[..., 0] for f in films]


def jpeg(a, q):
    buf = io.BytesIO()
    Image.fromarray(a.astype(np.uint8)).save(buf, "JPEG", quality=q)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())))


rng = np.random.default_rng(0)
for size in sizes:
    lossless, q75, q50 = {}, {}, {}
    for bits in (12, 8, 16):
        for photons in (None, 2000.0, 5000.0, 20000.0, 100000.0):
            key = f"ph{bits}/{photons}"
            for seed in range(seeds):
                p = phantom_image(
                    (size, size), bits_stored=bits, photons_per_pixel=photons, seed=seed
                )
                lossless.setdefault(key, []).append(block_signature(p.astype(np.float32)))
                if bits == 8:
                    c = (3, 5) if seed % 2 else (0, 0)
                    big = phantom_image(
                        (size + 8, size + 8), bits_stored=8, photons_per_pixel=photons, seed=seed
                    )
                    for q, d in ((75, q75), (50, q50)):
                        j = jpeg(big, q)[c[0] : c[0] + size, c[1] : c[1] + size]
                        d.setdefault(key, []).append(block_signature(j))
    for i, f in enumerate(films):
        if min(f.shape) < size + 8:
            continue
        r = rng.integers(0, f.shape[0] - size - 8 + 1)
        c = rng.integers(0, f.shape[1] - size - 8 + 1)
        crop = f[r : r + size + 8, c : c + size + 8]
        lossless.setdefault("film", []).append(block_signature(crop[:size, :size]))
        o = (i % 8, (3 * i) % 8)
        for q, d in ((75, q75), (50, q50)):
            d.setdefault("film", []).append(
                block_signature(jpeg(crop, q)[o[0] : o[0] + size, o[1] : o[1] + size])
            )

    def summary(d):
        allv = np.concatenate([np.asarray(v) for v in d.values()])
        parts = " ".join(f"{k}:{min(v):.3f}-{max(v):.3f}" for k, v in d.items())
        return allv, parts

    L, lp = summary(lossless)
    A, ap = summary(q75)
    B, bp = summary(q50)
    print(
        f"size {size}: lossless n={L.size} min {L.min():.4f} p1 {np.percentile(L, 1):.4f} "
        f"med {np.median(L):.4f} | q75 n={A.size} max {A.max():.4f} "
        f"p99 {np.percentile(A, 99):.4f} med {np.median(A):.4f} | "
        f"q50 n={B.size} max {B.max():.4f}",
        flush=True,
    )
    print("   lossless", lp)
    print("   q75", ap)
    print("   q50", bp, flush=True)
