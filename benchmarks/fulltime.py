"""Whole-process time and peak memory of a default denoise, against BM3D, for the targets.

Issue 3 asks for a default denoise of a 1955 x 1841 CR DICOM, whole process, in at
most a quarter of BM3D's time on the same 2-core CPU, and a peak memory under 4 GB
for a 3000 x 3000 image. Each measured job runs in a fresh spawned interpreter, so
its peak resident set size (``ru_maxrss``) is its own: the project's job imports
the denoiser, loads the model, reads the noisy file, denoises it and writes the
result; the BM3D job reads the file and runs BM3D + GAT with the oracle noise
parameters (:func:`benchlib.bm3d_gat_oracle`, the reference of the targets). When
the ``xray-denoise denoise`` command exists it is timed too, as a subprocess
(interpreter start included).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchlib import (
    BenchError,
    Case,
    Level,
    Physics,
    Project,
    Source,
    bm3d_gat_oracle,
    make_case,
    peak_rss_bytes,
    run_isolated,
    set_threads,
    value_range,
)

from core.display import auto_window
from core.io import read_image, write_image, write_new_dicom
from core.noise import DetectorModel, phantom_image

TARGET_SHAPE = (1955, 1841)
"""The CR of the targets, rows x cols."""

MEMORY_SIDE = 3000
"""Side of the square image of the peak-memory target."""

MEMORY_LIMIT_BYTES = 4e9
"""The 4 GB of the target (decimal gigabytes)."""

SUFFIXES = {"dicom": ".dcm", "png": ".png", "tiff": ".tif", "npy": ".npy"}

GB = 1e9


@dataclass(frozen=True)
class RunOptions:
    """How the project's jobs run.

    Parameters
    ----------
    model_path : Path or None
        Weights file; None: the shipped model.
    device : str or None
        Overrides the default settings' device.
    threads : int or None
        torch threads (OMP and BLAS are set by the script's environment).
    views : int or None
        Overrides ``DenoiseSettings.views``; None: the product's auto.
    precision : str or None
        Overrides ``DenoiseSettings.precision`` ("auto" or "float32").
    """

    model_path: Path | None = None
    device: str | None = None
    threads: int | None = None
    views: int | None = None
    precision: str | None = None


def _stage(stages: dict[str, float], name: str, start: float) -> float:
    now = time.perf_counter()
    stages[name] = now - start
    return now


def project_job(noisy_path: str, out_dir: str, options: RunOptions) -> dict[str, Any]:
    """Import, load the model, read, denoise at default settings and write (in a fresh process).

    Parameters
    ----------
    noisy_path : str
        The noisy file.
    out_dir : str
        Where the result is written.
    options : RunOptions
        Model, device, threads.

    Returns
    -------
    dict
        ``stages`` (seconds per stage), ``total_s``, ``peak_rss_bytes``, ``shape``,
        ``settings`` and ``views`` (the number the denoise used).
    """
    stages: dict[str, float] = {}
    start = t = time.perf_counter()
    import torch  # noqa: F401  (timed on its own: the denoiser needs it)

    set_threads(options.threads)
    t = _stage(stages, "import torch", t)
    project = Project.load(
        options.model_path, device=options.device, views=options.views, precision=options.precision
    )
    t = _stage(stages, "import denoiser, load model", t)
    image = read_image(noisy_path)
    t = _stage(stages, "read", t)
    result = project.denoise(image, project.model, project.settings)
    t = _stage(stages, "denoise", t)
    out = Path(out_dir) / ("denoised" + Path(noisy_path).suffix)
    write_image(result.image, out, description="benchmark: default denoise", overwrite=True)
    _stage(stages, "write", t)
    return {
        "stages": stages,
        "total_s": time.perf_counter() - start,
        "peak_rss_bytes": peak_rss_bytes(),
        "shape": list(image.shape),
        "settings": str(project.settings),
        "views": result.settings.views,
    }


def bm3d_job(noisy_path: str, dose: float, detector: DetectorModel) -> dict[str, Any]:
    """Read the noisy file and run BM3D + GAT with the oracle parameters (in a fresh process).

    Parameters
    ----------
    noisy_path : str
        The noisy file.
    dose : float
        The dose it was simulated at.
    detector : DetectorModel
        The detector of the simulation.

    Returns
    -------
    dict
        ``stages``, ``total_s``, ``peak_rss_bytes``.
    """
    stages: dict[str, float] = {}
    start = time.perf_counter()
    image = read_image(noisy_path)
    t = _stage(stages, "read", start)
    low, high = value_range(image)
    case = Case("noisy", "", image, image, dose, detector, low, high)
    bm3d_gat_oracle(case)
    _stage(stages, "denoise", t)
    return {
        "stages": stages,
        "total_s": time.perf_counter() - start,
        "peak_rss_bytes": peak_rss_bytes(),
    }


def cli_available() -> bool:
    """Whether ``python -m core.cli denoise`` exists."""
    result = subprocess.run(
        [sys.executable, "-m", "core.cli", "denoise", "--help"],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def cli_job(noisy_path: Path, out_dir: Path, options: RunOptions) -> dict[str, Any]:
    """Time ``xray-denoise denoise`` on the noisy file as a subprocess, with its peak RSS.

    Parameters
    ----------
    noisy_path : Path
        The noisy file.
    out_dir : Path
        Output folder.
    options : RunOptions
        Model and device.

    Returns
    -------
    dict
        ``total_s``, ``peak_rss_bytes``, ``returncode``, ``command``.
    """
    command = [sys.executable, "-m", "core.cli", "denoise", str(noisy_path)]
    command += ["--output-dir", str(out_dir)]
    if options.model_path is not None:
        command += ["--model", str(options.model_path)]
    if options.device is not None:
        command += ["--device", options.device]
    if options.views is not None:
        command += ["--views", str(options.views)]
    if options.precision is not None:
        command += ["--precision", options.precision]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    return {
        "total_s": seconds,
        "peak_rss_bytes": int(usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)),
        "returncode": process.returncode,
        "command": " ".join(command),
        "stderr_tail": stderr[-500:],
    }


def synthetic_dicom(shape: tuple[int, int], folder: Path, *, seed: int = 0) -> Source:
    """Write the clean chest phantom as a 12-bit CR DICOM (SYNTHETIC) and read it back.

    Parameters
    ----------
    shape : tuple of int
        (rows, cols).
    folder : Path
        Where to write it.
    seed : int
        Anatomy seed.

    Returns
    -------
    Source
    """
    stored = phantom_image(shape, bits_stored=12, seed=seed)
    path = write_new_dicom(
        stored,
        folder / f"phantom-{shape[0]}x{shape[1]}.dcm",
        bits_stored=12,
        pixel_spacing=(0.15, 0.15),
        patient_name="SYNTHETIC^PHANTOM",
        patient_id="SYNTHETIC",
        description="SYNTHETIC chest phantom for benchmarks",
        window=auto_window(stored.astype("float32")),
        overwrite=True,
    )
    return Source(f"SYNTHETIC phantom {shape[0]} x {shape[1]} CR DICOM", read_image(path))


def noisy_file(
    source: Source, level: Level, physics: Physics, folder: Path, *, seed: int
) -> tuple[Path, Case]:
    """Simulate ``level`` from a clean image and write it in the source's format.

    Parameters
    ----------
    source : Source
        The clean image.
    level : Level
        Dose or target noisy PSNR.
    physics : Physics
        Detector settings (values are rounded onto the stored grid by the writer).
    folder : Path
        Where to write.
    seed : int
        Noise seed.

    Returns
    -------
    path : Path
    case : Case
    """
    case = make_case(source, level, physics=physics, seed=[seed, 0, 0])
    suffix = SUFFIXES.get(source.image.source_format, ".npy")
    path = folder / f"noisy{suffix}"
    write_image(
        case.noisy,
        path,
        description=f"benchmark: simulated dose {case.dose:.4g}",
        operation=f"simulated {case.dose * 100:.3g} % dose",
        dose=case.dose,
    )
    return path, case


def _gb(value: float) -> str:
    return f"{value / GB:.2f} GB"


def time_full(
    image_path: Path | None,
    *,
    level: Level,
    physics: Physics,
    options: RunOptions,
    memory_side: int = MEMORY_SIDE,
    with_bm3d: bool = True,
    seed: int = 0,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Time a default denoise of one large image against BM3D, and check peak memory.

    Parameters
    ----------
    image_path : Path or None
        A clean image; None: the SYNTHETIC phantom at :data:`TARGET_SHAPE`.
    level : Level
        Noise level of the simulated input.
    physics : Physics
        Detector settings.
    options : RunOptions
        Model, device, threads for the project's jobs.
    memory_side : int
        Side of the square phantom for the peak-memory check; 0 skips it.
    with_bm3d : bool
        Time BM3D too.
    seed : int
        Noise seed.
    log : callable
        Progress lines.

    Returns
    -------
    dict
        All measurements; :func:`full_report` renders them.
    """
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="xray-bench-") as tmp:
        folder = Path(tmp)
        if image_path is None:
            source = synthetic_dicom(TARGET_SHAPE, folder)
        else:
            source = Source(image_path.name, read_image(image_path))
        path, case = noisy_file(source, level, physics, folder, seed=seed)
        report.update(image=source.name, shape=list(case.clean.shape), dose=case.dose)
        report["level"] = level.label
        log(f"time-full: {source.name}, {case.clean.shape}, dose {case.dose:.4g}: project job")
        report["project"] = run_isolated(project_job, str(path), tmp, options)
        if with_bm3d:
            log("time-full: BM3D + GAT (oracle) job")
            report["bm3d"] = run_isolated(bm3d_job, str(path), case.dose, case.detector)
        report["cli"] = None
        if cli_available():
            log("time-full: xray-denoise denoise (CLI) job")
            report["cli"] = cli_job(path, folder / "cli", options)
        if memory_side:
            report["memory"] = memory_check(memory_side, level, physics, options, folder, seed)
    return report


def memory_check(
    side: int, level: Level, physics: Physics, options: RunOptions, folder: Path, seed: int
) -> dict[str, Any]:
    """Peak RSS of the project's whole process on a ``side`` x ``side`` SYNTHETIC DICOM.

    Parameters
    ----------
    side : int
        Image side.
    level : Level
        Noise level.
    physics : Physics
        Detector settings.
    options : RunOptions
        Model, device, threads.
    folder : Path
        Scratch folder.
    seed : int
        Noise seed.

    Returns
    -------
    dict
        The project job's result plus ``side``.
    """
    sub = folder / f"memory-{side}"
    sub.mkdir()
    source = synthetic_dicom((side, side), sub)
    path, _ = noisy_file(source, level, physics, sub, seed=seed)
    result = run_isolated(project_job, str(path), str(sub), options)
    return {**result, "side": side}


def full_report(report: dict[str, Any]) -> str:
    """Render :func:`time_full`'s measurements as a markdown section.

    Parameters
    ----------
    report : dict
        From :func:`time_full`.

    Returns
    -------
    str
    """
    rows, cols = report["shape"]
    project = report["project"]
    lines = [
        "## Whole-process time and peak memory",
        "",
        f"Image: {report['image']} ({rows} x {cols}), {report['level']} "
        f"(dose {report['dose']:.4g}). Each job in a fresh process; peak RSS = ru_maxrss.",
        "",
        "| job | seconds | peak RSS |",
        "|---|---:|---:|",
        f"| project, default settings ({project['views']} views): whole job | "
        f"{project['total_s']:.1f} | "
        f"{_gb(project['peak_rss_bytes'])} |",
    ]
    for name, seconds in project["stages"].items():
        lines.append(f"| &nbsp;&nbsp;{name} | {seconds:.2f} | |")
    bm3d = report.get("bm3d")
    if bm3d:
        lines.append(
            f"| BM3D + GAT (oracle): read + denoise | {bm3d['total_s']:.1f} | "
            f"{_gb(bm3d['peak_rss_bytes'])} |"
        )
    cli = report.get("cli")
    if cli is None:
        lines.append("| `xray-denoise denoise`: not available in this version, not timed | | |")
    else:
        status = "" if cli["returncode"] == 0 else f" (exit {cli['returncode']})"
        lines.append(
            f"| `xray-denoise denoise` (wall, interpreter start included){status} | "
            f"{cli['total_s']:.1f} | {_gb(cli['peak_rss_bytes'])} |"
        )
    if bm3d:
        bm3d_s = bm3d["total_s"]
        lines += [
            "",
            f"Project whole job / BM3D: {project['total_s'] / bm3d_s:.3f} "
            f"(denoise alone: {project['stages']['denoise'] / bm3d['stages']['denoise']:.3f}); "
            "target <= 0.25.",
        ]
        if cli and cli["returncode"] == 0:
            lines[-1] += f" CLI / BM3D: {cli['total_s'] / bm3d_s:.3f}."
    memory = report.get("memory")
    if memory:
        verdict = "under" if memory["peak_rss_bytes"] < MEMORY_LIMIT_BYTES else "OVER"
        lines += [
            "",
            f"{memory['side']} x {memory['side']} SYNTHETIC DICOM, default denoise whole job: "
            f"peak RSS {_gb(memory['peak_rss_bytes'])} ({verdict} the 4 GB target), "
            f"{memory['total_s']:.1f} s.",
        ]
    return "\n".join(lines)


def check_image(path: Path) -> None:
    """Fail early on a ``--time-full`` image that is missing."""
    if not path.is_file():
        raise BenchError(f"{path}: no such file for --time-full")
