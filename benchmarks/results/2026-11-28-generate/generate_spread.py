"""Mean and spread of images generated from pure noise, the demo's way and the raw sampler's.

The shipped model, 128 x 128, DDIM, on the CPU: the demo (core.denoise.explain.generate_demo,
x0 at t = T taken as one level) at 10, 25 and 50 steps for seeds 0-2, and at 25 steps the
raw sampler (core.diffusion.sampler.generate, the network's x0 at t = T clipped to [-1, 1],
as the demo ran before ee42912). Model domain, -1 to 1. Run from the repository root.
"""

import numpy as np

from core.denoise import open_model
from core.denoise.explain import generate_demo
from core.diffusion.sampler import generate, seeded_generator

model = open_model()
for steps in (10, 25, 50):
    for seed in range(3):
        *_, last = generate_demo(model, (128, 128), n_steps=steps, seed=seed)
        image = np.asarray(last.x0_pred)
        print(f"demo {steps:2d} steps seed {seed}: mean {image.mean():+.2f} std {image.std():.2f}")
for seed in range(3):
    states = generate(model, (1, 1, 128, 128), n_steps=25, generator=seeded_generator(seed))
    *_, last = states
    image = np.asarray(last.x0_pred[0, 0])
    print(f"raw  25 steps seed {seed}: mean {image.mean():+.2f} std {image.std():.2f}")
