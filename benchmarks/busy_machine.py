"""Denoising time on a machine whose cores are busy with other work, by OpenMP spin count.

A radiologist's workstation runs other programs, and the app's window thread shares the
cores with the denoise. torch's CPU kernels run on GNU OpenMP threads, which spin before
they sleep while waiting for each other; a spinning thread whose partner has lost its core
wastes its own. This script times ``xray-denoise denoise`` on the bundled sample in fresh
processes, with ``--busy`` processes spinning beside it (0: an idle machine), for each
``GOMP_SPINCOUNT`` asked (``default`` leaves the project's own, :data:`core.OPENMP_SPIN_COUNT`;
GNU OpenMP's is 300000), and prints a markdown table of the denoise's seconds (as the
command reports them) and the command's wall seconds, medians of ``--repeats``::

    .venv/bin/python benchmarks/busy_machine.py --busy 0,2 --spin 300000,default --repeats 3
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from core import OPENMP_SPIN_COUNT
from core.resources import sample_image_path

REPORTED = re.compile(r"\((\d+(?:\.\d+)?) s\)\s*$", re.MULTILINE)


def _spin_forever() -> None:
    """Keep one core busy until killed."""
    while True:
        pass


def _denoise_once(spin: str, threads: int) -> tuple[float, float]:
    """Run the command once; return its reported denoise seconds and its wall seconds."""
    env = dict(os.environ)
    env.pop("GOMP_SPINCOUNT", None)
    if spin != "default":
        env["GOMP_SPINCOUNT"] = spin
    command = Path(sys.executable).with_name("xray-denoise")
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        done = subprocess.run(
            [str(command), "denoise", str(sample_image_path()), "--output-dir", out,
             "--threads", str(threads)],
            capture_output=True, text=True, env=env, check=True,
        )  # fmt: skip
        wall = time.perf_counter() - started
    match = REPORTED.search(done.stdout)
    if match is None:
        raise RuntimeError(f"no time in the command's output: {done.stdout!r}")
    return float(match.group(1)), wall


def main(argv: list[str] | None = None) -> int:
    """Time the sample's denoise per number of busy processes and spin count; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", default="0,2", help="busy processes beside, comma-separated")
    parser.add_argument("--spin", default="300000,default", help="GOMP_SPINCOUNT values")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"sample {sample_image_path().name}; --threads {args.threads}; {os.cpu_count()} CPUs; ")
    print(f"medians of {args.repeats}; `default` is the project's spin count {OPENMP_SPIN_COUNT}\n")
    print("| busy processes | GOMP_SPINCOUNT | denoise s | command wall s |")
    print("|---:|---|---:|---:|")
    for busy in (int(b) for b in args.busy.split(",")):
        spinners = [multiprocessing.Process(target=_spin_forever, daemon=True) for _ in range(busy)]
        for process in spinners:
            process.start()
        try:
            for spin in args.spin.split(","):
                runs = [_denoise_once(spin, args.threads) for _ in range(args.repeats)]
                denoise = statistics.median(r[0] for r in runs)
                wall = statistics.median(r[1] for r in runs)
                print(f"| {busy} | {spin} | {denoise:.1f} | {wall:.1f} |", flush=True)
        finally:
            for process in spinners:
                process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
