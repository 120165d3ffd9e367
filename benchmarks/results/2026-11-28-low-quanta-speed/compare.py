"""The low-quanta warning before and after its summed-area tables: same shares, less time.

Run from the repository root with the module as it was before (commit d211f7e)::

    git show d211f7e:core/denoise/low_quanta.py > /tmp/low_quanta_before.py
    B=benchmarks/results/2026-11-28-low-quanta-speed
    .venv/bin/python $B/compare.py /tmp/low_quanta_before.py

Part 1 compares ``_share_clipped`` (the warning's share clipped often) and ``_share_nearby``
(``clipped_nearby``) of both on SYNTHETIC phantoms (2 sizes x 6 doses x 4 electronic noises x
2 seeds). Part 2 times the whole warning, median of 3, on 2048 x 2048 phantoms.
"""

import importlib.util
import statistics
import sys
import time

import numpy as np

sys.path[:0] = ["benchmarks", "."]
from low_quanta_readings import image_of  # noqa: E402

from core.denoise import low_quanta as after  # noqa: E402
from core.denoise.domain import estimate_image_noise  # noqa: E402
from core.noise import phantom_image  # noqa: E402

spec = importlib.util.spec_from_file_location("low_quanta_before", sys.argv[1])
before = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = before  # its dataclasses look their module up
spec.loader.exec_module(before)


def median_seconds(call, *args):
    times = []
    for _ in range(3):
        start = time.perf_counter()
        call(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


cases = same = 0
worst = 0.0
for shape in ((512, 549), (300, 337)):
    for photons in (100, 200, 500, 1000, 2000, 20000):
        for electronic in (0.5, 4, 8, 16):
            for seed in (0, 1):
                image = image_of(
                    phantom_image(
                        shape, photons_per_pixel=photons, electronic_noise=electronic, seed=seed
                    )
                )
                detectors = after.quanta_detectors(image, estimate_image_noise(image))
                if not detectors:
                    continue
                counted = after.counted_pixels(image)
                rising = detectors[0].value_per_attenuation > 0
                clipped = after._clipped(image, counted, rising=rising)
                cases += 1
                same += before._share_clipped(image, counted, detectors) == after._share_clipped(
                    image, counted, detectors
                )
                worst = max(
                    worst,
                    float(
                        np.max(
                            np.abs(
                                before._share_nearby(clipped, counted)
                                - after._share_nearby(clipped, counted)
                            )
                        )
                    ),
                )
print(
    f"{cases} phantoms with a log detector: share clipped often identical in {same}; "
    f"largest difference of clipped_nearby {worst:.1e}"
)
print("\n| 2048 x 2048 phantom | before (s) | after (s) |\n|---|---:|---:|")
for photons in (200, 500, 2000):
    image = image_of(phantom_image((2048, 2048), photons_per_pixel=photons, seed=0))
    detectors = after.quanta_detectors(image, estimate_image_noise(image))
    row = [
        median_seconds(module.low_quanta_warning, image, image, detectors)
        for module in (before, after)
    ]
    print(f"| {photons:g} quanta, low_quanta_warning | {row[0]:.3f} | {row[1]:.3f} |")
