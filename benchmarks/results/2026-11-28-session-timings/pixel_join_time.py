"""Seconds that hashing each image's pixels and joining copies add to loading training data.

From the repository root::

    .venv/bin/python benchmarks/results/2026-11-28-session-timings/pixel_join_time.py [FOLDER]

FOLDER defaults to ``../shared/data/xray-train``. :func:`core.training.data.load_images` runs
three times with :func:`~core.training.data.pixel_identity` and
:func:`~core.training.data.join_copies` timed inside it.
"""

import sys
import time
from pathlib import Path

import core.training.data as data

folder = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/xray-train").resolve()
spent = {"identity": 0.0, "join": 0.0}
identity, join = data.pixel_identity, data.join_copies


def timed_identity(pixels):
    start = time.perf_counter()
    out = identity(pixels)
    spent["identity"] += time.perf_counter() - start
    return out


def timed_join(images):
    start = time.perf_counter()
    out = join(images)
    spent["join"] += time.perf_counter() - start
    return out


data.pixel_identity, data.join_copies = timed_identity, timed_join
records = data.assign_patients(folder, data.find_images(folder))
for run in range(3):
    spent.update(identity=0.0, join=0.0)
    joined: list[Path] = []
    start = time.perf_counter()
    images, _ = data.load_images(records, joined=joined)
    total = time.perf_counter() - start
    pixels = sum(im.facts.shape[0] * im.facts.shape[1] for im in images)
    print(
        f"run {run}: {len(images)} images ({pixels / 1e6:.0f} Mpx), load_images {total:.2f} s, "
        f"hashing {spent['identity'] * 1e3:.0f} ms, join {spent['join'] * 1e3:.1f} ms, "
        f"files joined {len(joined)}, patients {len({im.record.patient_id for im in images})}"
    )
