"""Denoising benchmark: the project against BM3D, non-local means, TV and wavelets.

Clean images (a folder read with ``core.io.read_image``, or the SYNTHETIC chest
phantom) get three lower doses from the project's physical simulator in
clean-input mode (``core.noise.simulate_low_dose(..., input_is_noisy=False)``:
``Poisson(d lambda) + N(0, s^2)`` detected quanta through the log detector). By
default each level is a target noisy PSNR of 43, 36 and 30 dB on a ``[0, 1]``
scale, the targets' levels, reached by choosing the dose per image; ``--doses``
fixes the doses instead (0.25, 0.06 and 0.025 give those PSNRs on the 512 px
phantom but 3 to 8 dB less on the 8-bit training PNGs, which are bright, i.e.
attenuating, over most of their area). The measured noisy PSNR and mean dose of
every level are in the table.

Methods (all but the oracles see only the noisy image):

- ``project``: ``core.denoise.denoise_image`` at default settings;
  ``project-1step``: the same with one reverse step (the posterior mean).
- ``bm3d-gat-oracle``: BM3D [1]_ on the generalised Anscombe transform [2]_ with
  the true noise parameters. Why in the count domain: in pixel units the noise
  of a log detector is not Poisson-Gaussian (its variance goes as
  ``1/(d lambda) + s^2/(d lambda)^2`` times the slope squared, and it is skewed),
  so no affine noise-level function is "true" there. Inverting the detector,
  ``M = d N0 exp(-L)``, gives back the simulated counts, which are exactly
  ``Poisson(d lambda) + N(0, s^2)`` with known ``d``, ``N0`` and ``s``. The GAT
  with gain 1 and ``sigma = s`` stabilises them to unit variance, BM3D runs with
  ``sigma = 1``, the exact unbiased inverse (``core.noise.GeneralizedAnscombe``)
  estimates ``E[M] = d lambda``, and ``-ln(E[M] / (d N0))`` is the clean line
  integral, mapped back to pixels. Nothing is estimated, and BM3D runs at its
  nominal sigma: the reference the targets are set against.
- ``bm3d-gat-oracle-tuned``: the same with ``sigma_psd`` scaled by
  ``benchlib.ORACLE_TUNED_SIGMA_SCALE``, chosen on held-out images outside the
  README's table as the project's defaults were (``--oracle-sweep``).
- ``bm3d-project-stabiliser``: blind BM3D behind the project's own front end (its
  noise estimate, its stabiliser, ``sigma = 1``, the stabiliser's unbiased
  inverse): what the network adds over BM3D.
- ``bm3d-blind``: BM3D with one sigma from ``core.noise.estimate_noise_sigma`` on
  the noisy image scaled to ``[0, 1]``.
- ``nlm``: ``skimage.restoration.denoise_nl_means`` [3]_, fast mode, 5 x 5 patches,
  13 x 13 search, ``sigma`` estimated and ``h = 0.8 sigma`` (scikit-image's
  starting point for fast mode with ``sigma`` given).
- ``tv``: ``denoise_tv_chambolle`` [4]_ with the weight from the estimated sigma
  by the discrepancy principle: the weight whose residual RMS equals sigma,
  found by bisection on ``log(weight)`` (Chambolle 2004, Sec. 4).
- ``wavelet``: ``denoise_wavelet`` [5]_, BayesShrink, soft, estimated sigma.

Scores: ``core.metrics.compare`` against the clean image, ``data_range`` the
storable range (255 for 8-bit PNG: a ``[0, 1]`` scale), outputs clipped to it
(and with ``--quantize`` every output rounded onto the stored grid, as the
project rounds its result of such an input);
seconds per image of the method alone (``time.perf_counter``; the project's
model is loaded once beforehand and run once untimed on the first case).

Usage (from the repository root)::

    .venv/bin/python benchmarks/denoise_bench.py /work/shared/data/xray-train/png \\
        --limit 20 --crop 512 --threads 1 --output results.md --json results.json
    .venv/bin/python benchmarks/denoise_bench.py FOLDER --steps-sweep 1,2,4,10,25
    .venv/bin/python benchmarks/denoise_bench.py FOLDER --oracle-sweep 1,1.1,1.2,1.3,1.4
    .venv/bin/python benchmarks/denoise_bench.py --time-full [IMAGE]

``bm3d`` (non-commercial licence) and PyWavelets are the benchmark-only extra:
``pip install -e .[bench]``.

References
----------
.. [1] K. Dabov, A. Foi, V. Katkovnik, K. Egiazarian, "Image denoising by sparse
   3-D transform-domain collaborative filtering", IEEE TIP 16(8), 2080-2095, 2007.
.. [2] M. Makitalo, A. Foi, "Optimal inversion of the generalized Anscombe
   transformation for Poisson-Gaussian noise", IEEE TIP 22(1), 91-103, 2013.
.. [3] A. Buades, B. Coll, J.-M. Morel, "A non-local algorithm for image
   denoising", CVPR 2005.
.. [4] A. Chambolle, "An algorithm for total variation minimization and
   applications", J. Math. Imaging Vis. 20, 89-97, 2004.
.. [5] S. G. Chang, B. Yu, M. Vetterli, "Adaptive wavelet thresholding for image
   denoising and compression", IEEE TIP 9(9), 1532-1546, 2000.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
OWN_NOISE_STREAM = 1000
"""Third seed word of the references' own noise (the simulated noise uses the level's index)."""


def _floats(text: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated numbers, got {text!r}"
        ) from None
    if not values:
        raise argparse.ArgumentTypeError("expected at least one number")
    return values


def _scales(text: str) -> list[float]:
    values = _floats(text)
    if not all(v > 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected numbers > 0, got {text!r}")
    return values


def _ints(text: str) -> list[int]:
    values = _floats(text)
    if any(v != int(v) or v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return [int(v) for v in values]


def _methods(text: str) -> list[str]:
    from benchlib import METHOD_KEYS

    keys = [k.strip() for k in text.split(",") if k.strip()]
    unknown = sorted(set(keys) - set(METHOD_KEYS))
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown method(s) {', '.join(unknown)}; choose from {', '.join(METHOD_KEYS)}"
        )
    return keys


def case_parser(description: str) -> argparse.ArgumentParser:
    """A parser of the options that choose the images, the noise and the project.

    This benchmark and the scripts that simulate exactly as it does
    (``strength_bound.py``, ``error_by_counts.py``) share them; check them with
    :func:`check_case_args`.

    Parameters
    ----------
    description : str
        The script's own description, for ``--help``.

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("folder", type=Path, nargs="?", help="folder of clean images")
    parser.add_argument("--synthetic", type=int, metavar="N", help="use N SYNTHETIC phantoms")
    parser.add_argument("--synthetic-size", type=int, default=512, metavar="SIDE")
    parser.add_argument("--limit", type=int, metavar="N", help="at most N images")
    parser.add_argument("--crop", type=int, metavar="SIZE", help="centred square crop")
    parser.add_argument(
        "--downscale",
        type=int,
        default=1,
        metavar="F",
        help="average F x F blocks of the clean images first (less of their own noise)",
    )
    parser.add_argument(
        "--upscale",
        type=float,
        default=1.0,
        metavar="U",
        help="then zoom them by U (cubic spline): smooth at the pixel scale like full resolution",
    )
    parser.add_argument(
        "--own-noise",
        type=float,
        default=0.0,
        metavar="STD",
        help="then give them Gaussian noise of their own, std on the [0, 1] scale, as "
        "references (like a full-resolution radiograph's)",
    )
    parser.add_argument(
        "--own-noise-blur",
        type=float,
        default=0.0,
        metavar="PX",
        help="correlate that noise with a Gaussian of this sigma in pixels (default: white)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the simulated noise")
    levels = parser.add_mutually_exclusive_group()
    levels.add_argument(
        "--noisy-psnr",
        type=_floats,
        metavar="DB,...",
        help="target noisy PSNRs, dose chosen per image (default 43,36,30)",
    )
    levels.add_argument("--doses", type=_floats, metavar="D,...", help="fixed doses instead")
    parser.add_argument("--photons", type=float, help="N0, quanta per unattenuated pixel")
    parser.add_argument("--electronic-noise", type=float, help="electronic noise, quanta rms")
    parser.add_argument(
        "--quantize", action="store_true", help="round noisy values onto the stored grid"
    )
    parser.add_argument("--model", type=Path, help="model weights (default: the shipped model)")
    parser.add_argument("--device", help="device for the project (default: its settings')")
    parser.add_argument("--threads", type=int, help="torch, OpenMP and BLAS threads")
    parser.add_argument(
        "--views",
        type=int,
        help="the project's DenoiseSettings.views (1, 2, 4, 8; default: the product's auto, "
        "4 where the network runs in float16 or bfloat16, 2 in float32)",
    )
    parser.add_argument(
        "--precision",
        choices=("auto", "float32"),
        help="the project's DenoiseSettings.precision (default auto)",
    )
    return parser


def check_case_args(
    parser: argparse.ArgumentParser, args: argparse.Namespace, *, need_images: bool = True
) -> None:
    """Refuse (``parser.error``) values of :func:`case_parser`'s options that cannot run.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The parser, for its error message and exit status 2.
    args : argparse.Namespace
        The parsed options.
    need_images : bool
        Whether a FOLDER or ``--synthetic N`` must be given.
    """
    if need_images and args.folder is None and args.synthetic is None:
        parser.error("give a FOLDER of clean images or --synthetic N")
    if args.threads is not None and args.threads < 1:
        parser.error("--threads must be >= 1")
    if args.downscale < 1 or not args.upscale >= 1:
        parser.error("--downscale and --upscale must be >= 1")
    if not (args.own_noise >= 0 and args.own_noise_blur >= 0):
        parser.error("--own-noise and --own-noise-blur must be >= 0")
    for option, value in (
        ("--limit", args.limit),
        ("--crop", args.crop),
        ("--synthetic-size", args.synthetic_size),
    ):
        if value is not None and value < 1:
            parser.error(f"{option} must be >= 1")
    if args.views is not None and args.views not in (1, 2, 4, 8):
        parser.error(f"--views must be 1, 2, 4 or 8, got {args.views}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    argparse.Namespace
    """
    parser = case_parser(
        "Benchmark the project's denoiser against classical methods on "
        "physically simulated low-dose images (PSNR, SSIM, seconds per image)."
    )
    parser.add_argument("--methods", type=_methods, help="comma-separated subset")
    parser.add_argument(
        "--steps-sweep", type=_ints, metavar="N,...", help="project step counts to measure"
    )
    parser.add_argument(
        "--oracle-sweep",
        type=_scales,
        metavar="S,...",
        help="scales of the BM3D + GAT oracle's sigma_psd to measure (1: as it is)",
    )
    parser.add_argument(
        "--patients",
        type=Path,
        metavar="DATA_FOLDER",
        help="a folder whose data.csv names each image's patient: wins per patient too",
    )
    parser.add_argument("--output", type=Path, help="markdown results file")
    parser.add_argument("--json", type=Path, help="per-image raw results")
    parser.add_argument(
        "--time-full",
        nargs="?",
        const="synthetic",
        metavar="IMAGE",
        help="time a default denoise of one large image against BM3D "
        "(default: a SYNTHETIC 1955 x 1841 CR phantom)",
    )
    parser.add_argument(
        "--memory-side",
        type=int,
        default=3000,
        metavar="SIDE",
        help="with --time-full: peak memory of a SIDE x SIDE denoise (0: skip)",
    )
    args = parser.parse_args(argv)
    if args.folder is None and args.synthetic is None and args.time_full is None:
        parser.error("give a FOLDER of clean images, --synthetic N or --time-full")
    check_case_args(parser, args, need_images=False)
    return args


def limit_threads(threads: int | None) -> None:
    """Set OpenMP and BLAS thread counts (before numpy, torch or bm3d load them)."""
    if threads is not None:
        for name in THREAD_VARIABLES:
            os.environ[name] = str(threads)


def log(message: str) -> None:
    """Progress on stderr."""
    print(message, file=sys.stderr, flush=True)


def chosen_levels(args: argparse.Namespace) -> list[Any]:
    """The noise levels of the run."""
    from benchlib import DEFAULT_NOISY_PSNR, Level

    if args.doses:
        return [Level.fixed(d) for d in args.doses]
    return [Level.psnr(db) for db in (args.noisy_psnr or DEFAULT_NOISY_PSNR)]


def chosen_physics(args: argparse.Namespace) -> Any:
    """Detector settings from the options."""
    from benchlib import Physics

    defaults = Physics()
    return Physics(
        photons_per_pixel=args.photons or defaults.photons_per_pixel,
        electronic_noise=(
            defaults.electronic_noise if args.electronic_noise is None else args.electronic_noise
        ),
        quantize=args.quantize,
    )


def load_sources(args: argparse.Namespace) -> list[Any]:
    """The clean images, prepared (downscaled, cropped)."""
    from benchlib import phantom_source, prepare, read_sources, with_own_noise

    if args.synthetic is not None:
        side = args.synthetic_size
        raw = [phantom_source((side, side), seed=i) for i in range(args.synthetic)]
    else:
        raw = list(read_sources(args.folder, limit=args.limit, log=log))
    sources = [
        prepare(s, crop=args.crop, downscale=args.downscale, upscale=args.upscale) for s in raw
    ]
    if args.own_noise > 0:
        sources = [
            with_own_noise(
                s, args.own_noise, blur=args.own_noise_blur, seed=[args.seed, i, OWN_NOISE_STREAM]
            )
            for i, s in enumerate(sources)
        ]
    if not sources:
        from benchlib import BenchError

        raise BenchError(f"no readable image in {args.folder}")
    return sources


def load_project(args: argparse.Namespace) -> Any:
    """Load the project's model with the options' device, threads, views and precision."""
    from benchlib import Project, set_threads

    set_threads(args.threads)
    project = Project.load(
        args.model, device=args.device, views=args.views, precision=args.precision
    )
    log(f"project: {project.describe()}")
    return project


def project_and_sources(
    args: argparse.Namespace, extras: Sequence[str] = ()
) -> tuple[Any, list[Any]] | None:
    """Check the extras, load the project and the clean images of a case benchmark.

    Returns None after printing why not (one line on stderr): an extra, the model or the
    images missing.
    """
    from benchlib import BenchError, check_extras

    try:
        if extras:
            check_extras(list(extras))
        return load_project(args), load_sources(args)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return None


def own_noise(args: argparse.Namespace) -> str:
    """How the references were given noise of their own (``--own-noise``), in words."""
    if args.own_noise <= 0:
        return "no noise added to the references"
    kind = (
        f"correlated by a Gaussian of sigma {args.own_noise_blur:g} px"
        if args.own_noise_blur > 0
        else "white"
    )
    return (
        f"references given Gaussian noise of std {args.own_noise:g} ({kind}; "
        f"default_rng([seed, image, {OWN_NOISE_STREAM}]))"
    )


def header(args: argparse.Namespace, sources: Sequence[Any], project: Any, physics: Any) -> str:
    """The line under the table's title: date, machine, data, levels, seed."""
    from benchlib import machine_line, now, reference_noise_line

    device = (project.device_used or project.settings.device) if project else "cpu"
    source = f"SYNTHETIC phantoms ({args.synthetic_size} px)" if args.synthetic else args.folder
    crop = f"centre crop {args.crop}" if args.crop else "no crop"
    lines = [
        f"{now()}; machine: {machine_line(device, args.threads)}",
        f"{len(sources)} image{'s' if len(sources) != 1 else ''} from {source}, {crop}, "
        f"downscale {args.downscale}, "
        f"upscale {args.upscale:g}; {own_noise(args)}; "
        f"seed {args.seed} (noise from default_rng([seed, image, level]))",
        f"simulator: clean-input, N0 {physics.photons_per_pixel:g} quanta/pixel, "
        f"electronic noise {physics.electronic_noise:g} quanta rms, "
        f"{'rounded to the stored grid' if physics.quantize else 'float values'}",
        reference_noise_line(sources),
    ]
    if project is not None:
        lines.append(f"project: {project.describe()}")
    return "\n".join(f"- {line}" for line in lines)


def run_benchmark(args: argparse.Namespace) -> dict[str, Any]:
    """Simulate, denoise and score every image at every level; return tables and scores."""
    from benchlib import (
        METHOD_KEYS,
        ORACLE_KEY,
        build_methods,
        check_extras,
        make_case,
        read_patients,
        run_case,
    )

    sweeps = bool(args.steps_sweep or args.oracle_sweep)
    keys = args.methods or ([] if sweeps else list(METHOD_KEYS))
    check_extras([*keys, *([ORACLE_KEY] if args.oracle_sweep else [])])
    levels, physics = chosen_levels(args), chosen_physics(args)
    wants_project = bool(args.steps_sweep) or any(k.startswith("project") for k in keys)
    project = load_project(args) if wants_project else None
    methods = build_methods(
        keys,
        project=project,
        sweep=args.steps_sweep or (),
        oracle_sweep=args.oracle_sweep or (),
    )
    sources = load_sources(args)
    patients = read_patients(args.patients, [s.name for s in sources]) if args.patients else None
    scores, warmed, totals = [], set(), {m.key: 0.0 for m in methods}
    for i, source in enumerate(sources):
        for j, level in enumerate(levels):
            case = make_case(source, level, physics=physics, seed=[args.seed, i, j])
            case_scores = run_case(case, methods, warmed=warmed)
            scores += case_scores
            noisy_db = case_scores[0].psnr
            if level.target_db is not None and abs(noisy_db - level.target_db) > 0.5:
                log(f"note: {source.name} reaches {noisy_db:.2f} dB at dose {case.dose:.3g}")
            for s in case_scores[1:]:
                totals[s.method] += s.seconds
            log(
                f"{source.name} {level.label} (dose {case.dose:.4g}): "
                + ", ".join(f"{s.method} {s.psnr:.2f} dB {s.seconds:.2f} s" for s in case_scores)
            )
    return {
        "header": header(args, sources, project, physics),
        "levels": [lv.label for lv in levels],
        "methods": [(m.key, m.label) for m in methods],
        "scores": scores,
        "seconds_total": totals,
        "patients": patients,
    }


def header_machine(args: argparse.Namespace) -> str:
    """Date and machine, for a run without the quality benchmark."""
    from benchlib import machine_line, now

    return f"- {now()}; machine: {machine_line(args.device or 'default', args.threads)}"


def render(args: argparse.Namespace, result: dict[str, Any], full: dict[str, Any] | None) -> str:
    """The markdown results file."""
    from benchlib import (
        BM3D_PROJECT_KEY,
        CLASSICAL,
        ORACLE_KEY,
        ORACLE_TUNED_KEY,
        gain_table,
        results_table,
    )
    from fulltime import full_report

    parts = ["# Denoising benchmark", ""]
    if not result:
        parts.append(header_machine(args))
    if result:
        parts += [result["header"], "", "PSNR (dB) / SSIM, mean over images:", ""]
        parts.append(
            results_table(result["scores"], methods=result["methods"], levels=result["levels"])
        )
        wins = "wins / images" + (", wins / patients" if result.get("patients") else "")
        references = (
            (ORACLE_KEY, "BM3D+GAT oracle"),
            (ORACLE_TUNED_KEY, "BM3D+GAT tuned oracle"),
            (BM3D_PROJECT_KEY, "BM3D, project's stabiliser"),
        )
        for key, name in references:
            gains = gain_table(
                result["scores"],
                keys=result["methods"],
                levels=result["levels"],
                reference=(key, name),
                patients=result.get("patients"),
            )
            if gains:
                parts += ["", f"Paired difference from the {CLASSICAL[key][0]} ({wins}):", ""]
                parts.append(gains)
    if full:
        parts += ["", full_report(full)]
    return "\n".join(parts) + "\n"


def run_time_full(args: argparse.Namespace) -> dict[str, Any]:
    """The ``--time-full`` measurements."""
    from benchlib import check_extras
    from fulltime import RunOptions, check_image, time_full

    image = None if args.time_full == "synthetic" else Path(args.time_full)
    if image is not None:
        check_image(image)
    check_extras(["bm3d-gat-oracle"])
    levels = chosen_levels(args)
    level = levels[len(levels) // 2]
    options = RunOptions(
        model_path=args.model,
        device=args.device,
        threads=args.threads,
        views=args.views,
        precision=args.precision,
    )
    return time_full(
        image,
        level=level,
        physics=chosen_physics(args),
        options=options,
        memory_side=args.memory_side,
        seed=args.seed,
        log=log,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; 2 with a one-line message on a problem with the request."""
    args = parse_args(argv)
    limit_threads(args.threads)
    from benchlib import BenchError, as_json

    start = time.perf_counter()
    try:
        result = run_benchmark(args) if (args.folder or args.synthetic) else {}
        full = run_time_full(args) if args.time_full else None
    except BenchError as error:
        log(f"error: {error}")
        return 2
    text = render(args, result, full)
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    if args.json:
        payload = {**result, "time_full": full, "options": vars(args)}
        args.json.write_text(json.dumps(as_json(payload), indent=1) + "\n", encoding="utf-8")
    log(f"done in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
