"""Two models' outputs blended against more views of one (a scratch try, kept as run).

From this folder, with the held-out films linked under /tmp/s20/held8 and the previous
model extracted to /tmp/s20/models (see README.md)::

    python ensemble.py VIEWS FIRST,SECOND

Denoises the 8 zoomed held-out films at noisy 43, 36 and 30 dB (the seeds of
``denoise_bench.py``) with both models and scores ``w * FIRST + (1 - w) * SECOND``.
"""

import json
import sys
from pathlib import Path

import numpy as np

sys.path[:0] = ["/work/main/benchmarks", "/work/main"]
from benchlib import (  # noqa: E402
    Level,
    Physics,
    Project,
    make_case,
    prepare,
    read_sources,
    score,
    set_threads,
)

set_threads(2)
models = {
    "shipped": None,
    "prev32": Path("/tmp/s20/models/b04db3d.safetensors"),
    "stage1": Path("/tmp/s20/models/d3769c5.safetensors"),
}
views = int(sys.argv[1]) if len(sys.argv) > 1 else 2
which = sys.argv[2].split(",") if len(sys.argv) > 2 else ["shipped", "prev32"]
projects = {k: Project.load(models[k], views=views, precision="float32") for k in which}
films = read_sources(Path("/tmp/s20/held8"), limit=8, log=print)
sources = [prepare(s, crop=512, downscale=4, upscale=3) for s in films]
levels = [Level.psnr(43.0), Level.psnr(36.0), Level.psnr(30.0)]
physics = Physics()
rows = []
for i, source in enumerate(sources):
    for j, level in enumerate(levels):
        case = make_case(source, level, physics=physics, seed=[0, i, j])
        outs = {}
        for k, p in projects.items():
            result = p.denoise(case.noisy, p.model, p.settings)
            outs[k] = np.asarray(result.image.pixels, np.float64)
        row = {"image": source.name, "level": j}
        for k, o in outs.items():
            row[k] = score(case, k, o, 0).psnr
        a, b = which[0], which[1]
        for w in (0.5, 0.6, 0.7, 0.8):
            row[f"mix{w}"] = score(case, "m", w * outs[a] + (1 - w) * outs[b], 0).psnr
        rows.append(row)
        print(json.dumps(row), flush=True)
keys = [k for k in rows[0] if k not in ("image", "level")]
for j in range(3):
    sel = [r for r in rows if r["level"] == j]
    print(["43", "36", "30"][j], {k: round(np.mean([r[k] for r in sel]), 3) for k in keys})
