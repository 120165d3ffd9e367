"""Where a warm 2048 x 2048 default denoise spends its time (a scratch profile, kept as run).

From the repository root, on a machine with the project's dependencies::

    python benchmarks/results/2026-11-28-gpu-deeper/where_time.py [DEVICE [SIDE]]

Denoises a SYNTHETIC CR at noisy 36 dB twice to warm up, times three warm calls, then profiles
one with Python's profiler (cumulative and own time) and one with PyTorch's (device time).
"""

import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path[:0] = ["benchmarks", "."]
from benchlib import Level, Physics, Project  # noqa: E402
from fulltime import noisy_file, synthetic_dicom  # noqa: E402

from core.io import read_image  # noqa: E402

device = sys.argv[1] if len(sys.argv) > 1 else "cuda"
side = int(sys.argv[2]) if len(sys.argv) > 2 else 2048
project = Project.load(None, device=device, views=None)
print(project.settings)
with tempfile.TemporaryDirectory() as tmp:
    source = synthetic_dicom((side, side), Path(tmp))
    path, case = noisy_file(source, Level.psnr(36.0), Physics(), Path(tmp), seed=0)
    image = read_image(path)

    def call() -> object:
        return project.denoise(image, project.model, project.settings)

    call()
    call()
    for _ in range(3):
        start = time.perf_counter()
        call()
        print("warm", time.perf_counter() - start)
    profile = cProfile.Profile()
    profile.enable()
    call()
    profile.disable()
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    activities = [torch.profiler.ProfilerActivity.CPU]
    if device == "cuda":
        activities.append(torch.profiler.ProfilerActivity.CUDA)
    with torch.profiler.profile(activities=activities) as profiled:
        call()
    averages = profiled.key_averages()
    key = "cuda_time_total" if device == "cuda" else "cpu_time_total"
    print(averages.table(sort_by=key, row_limit=25, max_name_column_width=50))
    print(averages.table(sort_by="self_cpu_time_total", row_limit=20, max_name_column_width=50))
