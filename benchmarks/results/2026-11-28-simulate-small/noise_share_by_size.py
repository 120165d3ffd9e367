"""Measure what tells noise-free from noisy phantoms at small sizes."""

import sys

import numpy as np

from core.image import StoredMapping, Window, XrayImage
from core.noise import LowDoseSettings, NoiseEstimate, phantom_image
from core.noise.dose import NoiseFreeInputError
from core.noise.noise_free import noise_free_problem, noise_share
from core.noise.value_range import value_range

PHOTONS = [
    None if p == "none" else float(p)
    for p in (sys.argv[5] if len(sys.argv) > 5 else "none,5000,20000,100000").split(",")
]
sizes = [int(s) for s in sys.argv[1].split(",")]
seeds = range(int(sys.argv[2]))
bits = int(sys.argv[3]) if len(sys.argv) > 3 else 12
photo = sys.argv[4] if len(sys.argv) > 4 else "MONOCHROME2"
for size in sizes:
    for photons in PHOTONS:
        rows = []
        for seed in seeds:
            st = phantom_image(
                (size, size),
                photons_per_pixel=photons,
                seed=seed,
                bits_stored=bits,
                photometric=photo,
            )
            img = XrayImage(
                st.astype(np.float32),
                StoredMapping(bits),
                Window(2 ** (bits - 1), 2**bits),
                photometric=photo,
            )
            values = value_range(img)
            try:
                noise = None if photo == "MONOCHROME1" else NoiseEstimate.of_image(img)
                LowDoseSettings.measured_from(img, 0.25, noise=noise, values=values)
                out = "ok"
            except NoiseFreeInputError:
                out = "NF"
            except ValueError as e:
                out = str(e)[:14]
            try:
                n = NoiseEstimate.of_image(img)
                sig = n.sigma
            except ValueError:
                n = None
                sig = float("nan")
            d = LowDoseSettings(dose=0.25)
            sh = noise_share(img, d, noise=n, values=values) if n is not None else None
            p = noise_free_problem(img, d, noise=n, values=values) if n is not None else None
            rows.append((seed, out, sig, sh, None if p is None else p.looks_noise_free))
        shares = [r[3] for r in rows if r[3] is not None]
        print(
            size,
            photons,
            "outs",
            sorted(set(r[1] for r in rows)),
            f"sigma {min(r[2] for r in rows):.2f}-{max(r[2] for r in rows):.2f}",
            f"share {min(shares):.3g}-{max(shares):.3g}" if shares else "share none",
            "looksNF",
            sum(bool(r[4]) for r in rows),
            "/",
            len(rows),
            flush=True,
        )
