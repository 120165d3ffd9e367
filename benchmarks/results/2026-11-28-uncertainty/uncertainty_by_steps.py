"""Median of the uncertainty map by its step count, with each rule of step noise.

The shipped model on a 128 x 128 12-bit chest phantom at 20,000 quanta (seed 0), 1 view,
6 samples, on the CPU: "beta" (the samples' step noise since 735d5fc) and "posterior"
(before). Run from the repository root: .venv/bin/python <this file> RULE
"""

import sys

import numpy as np

import core.denoise.pipeline as pipeline
from core.denoise import DenoiseSettings, denoise_image, open_model
from core.image import StoredMapping, Window, XrayImage
from core.noise import phantom_image

rule = sys.argv[1]
pipeline.SAMPLE_VARIANCE = rule  # the samples' step noise (core.denoise.uncertainty)
model = open_model()
noisy = phantom_image((128, 128), bits_stored=12, photons_per_pixel=20_000, seed=0)
image = XrayImage(noisy.astype(np.float32), StoredMapping(bits_stored=12), Window(2048, 4096))
for steps in (2, 5, 10, 40):
    settings = DenoiseSettings(
        device="cpu", views=1, n_uncertainty_samples=6, uncertainty_steps=steps
    )
    result = denoise_image(image, model, settings)
    print(
        f"{rule:9s} steps {steps:2d}: median std {np.median(result.uncertainty):.2f} px", flush=True
    )
