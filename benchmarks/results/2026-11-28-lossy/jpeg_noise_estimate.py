"""The noise estimate, and what the denoise changes, of one noisy film as PNG and as JPEG.

Film 00870a9c of the training data (rows 0-511, columns 64-575), simulated at 25 % of its
dose with 20,000 quanta (seed 0), rounded to 8 bits, saved losslessly and at JPEG quality
90, 75 and 50; each read back, its noise estimated (sigma, pixel values, and t*) and
denoised at the defaults with the shipped model on the CPU (std of output - input). Run
from the repository root with .venv/bin/python.
"""

import dataclasses
import io
from pathlib import Path

import numpy as np
from PIL import Image

from core.denoise import DenoiseSettings, denoise_image, open_model
from core.io import read_image
from core.noise import LowDoseSettings, simulate_low_dose_image
from core.noise.lossy import lossy_compression

FILM = Path("../shared/data/xray-train/png/00870a9c.png")

base = read_image(FILM, digest=False)
crop = base.pixels[0:512, 64:576]
film = dataclasses.replace(base, pixels=np.ascontiguousarray(crop, np.float32))
noisy = simulate_low_dose_image(film, LowDoseSettings(dose=0.25, photons_per_pixel=20_000, seed=0))
pixels = np.clip(np.round(noisy.pixels), 0, 255).astype(np.uint8)
model = open_model()
print("input            sigma   t*     denoise change (std)   lossy")
for quality in (None, 90, 75, 50):
    buffer = io.BytesIO()
    if quality is None:
        Image.fromarray(pixels).save(buffer, "PNG")
    else:
        Image.fromarray(pixels).save(buffer, "JPEG", quality=quality)
    name = "lossless PNG" if quality is None else f"JPEG q{quality}"
    path = Path("/tmp") / f"lossy_bench_{quality}.{'png' if quality is None else 'jpg'}"
    path.write_bytes(buffer.getvalue())
    image = read_image(path, digest=False)
    result = denoise_image(image, model, DenoiseSettings(device="cpu"))
    change = float(np.std(result.image.pixels.astype(np.float64) - image.pixels))
    print(
        f"{name:15s}  {result.noise_before.sigma:6.3f}  {result.t_start:5.1f}  {change:6.2f}"
        f"                 {lossy_compression(image)}"
    )
