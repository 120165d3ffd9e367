"""The training command line's options, without torch: ``--help`` and usage errors are quick."""

from __future__ import annotations

import argparse
from pathlib import Path

ARCHITECTURE_NAMES = ("standard", "tiny")
"""Networks a fresh run can train (``--architecture``)."""

PRECISIONS = ("auto", "float32")
"""``--precision``'s choices: :data:`core.device.PRECISION_CHOICES`, named here without
importing torch."""

EXIT_STATUSES = (
    "exit status: 0 finished; 2 bad input, or the run refused (one line says why); "
    "3 --resume refused because the data folder changed since the checkpoint; "
    "130 Ctrl-C, 143 SIGTERM or the stop file, 129 SIGHUP: stopped after "
    "its step with a checkpoint and the model exported, go on with --resume; 1 an "
    "unexpected error (a bug)."
)
"""The epilog of the training command line's help."""


def training_parser(prog: str) -> argparse.ArgumentParser:
    """Return the parser of the training command line (``--help`` lists every option).

    Parameters
    ----------
    prog : str
        Program name for usage and help.

    Returns
    -------
    argparse.ArgumentParser
    """
    p = argparse.ArgumentParser(
        prog=prog,
        description="Train a diffusion denoiser on a folder of radiographs.",
        epilog=EXIT_STATUSES,
    )
    p.add_argument("folder", type=Path, help="folder of PNG/TIFF/JPEG/DICOM images (recursive)")
    p.add_argument("--output", type=Path, required=True, help="model file, MODEL.safetensors")
    p.add_argument(
        "--minutes",
        type=float,
        help="time budget of the run: the learning rate warms up and decays within it, and "
        "the run stops at its end. --resume keeps the checkpoint's budget; with --minutes M "
        "it trains M minutes more, the learning rate going on from where it stopped and "
        "decaying over the new time (no jump)",
    )
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint")
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="start afresh over an existing model, checkpoint and metrics of --output",
    )
    p.add_argument(
        "--init-model",
        type=Path,
        help="fine-tune: start from this model (its card sets architecture and schedule; "
        "its held-out scores at step 0 go in the new card, with a warning where the new "
        "model scores lower)",
    )
    p.add_argument(
        "--architecture",
        choices=ARCHITECTURE_NAMES,
        help="network size of a fresh run (tiny: a few thousand parameters, for tests)",
    )
    p.add_argument(
        "--base-channels",
        type=int,
        help="channels at the first level of a fresh run (default 32; the others are multiples)",
    )
    p.add_argument(
        "--blocks-per-level",
        type=int,
        help="residual blocks per level (more than --init-model's: added as identities)",
    )
    p.add_argument(
        "--mid-blocks",
        type=int,
        help="residual blocks at the lowest resolution (as --blocks-per-level)",
    )
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    p.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="auto",
        help="auto (default): bfloat16 autocast on GPUs with it in hardware and on CPUs "
        "with AMX (about twice as fast there), else float32; float32: float32 everywhere",
    )
    p.add_argument("--steps", type=int, help="total optimiser steps (LR horizon)")
    p.add_argument("--batch-size", type=int, help="patches per step per process")
    p.add_argument("--patch-size", type=int, help="training patch side in pixels")
    p.add_argument(
        "--binning",
        type=int,
        help="average N x N pixel blocks of each training image first (2 thins film grain)",
    )
    p.add_argument(
        "--focus-fraction",
        type=float,
        help="share of patches noised at denoising's levels (--focus-sigma; default 0.7), "
        "the rest at uniform times",
    )
    p.add_argument(
        "--focus-sigma",
        type=float,
        nargs=2,
        metavar=("LOW", "HIGH"),
        help="noise std range of denoising, on the model's [-1, 1] scale (default 0.005 0.3)",
    )
    p.add_argument(
        "--lr",
        type=float,
        help="peak learning rate (default 2e-4; with --init-model a quarter of it, 5e-5)",
    )
    p.add_argument("--warmup-steps", type=int, help="linear learning-rate warm-up steps")
    p.add_argument("--seed", type=int, help="seed of weights and every random draw")
    p.add_argument("--threads", type=int, help="CPU threads for torch")
    p.add_argument(
        "--workers",
        type=int,
        help="processes drawing patches ahead (default: 0 on the CPU, up to 8 on a GPU)",
    )
    p.add_argument(
        "--val-fraction",
        type=float,
        help="fraction of patients held out for validation (default 0.1; 0: none)",
    )
    p.add_argument(
        "--ignore-patient-table",
        action="store_true",
        help="split without the data.csv tables (by DICOM patient, else by file); without "
        "it, a data.csv that cannot be used refuses the run",
    )
    p.add_argument("--checkpoint-every", type=int, help="steps between checkpoints")
    p.add_argument("--val-every", type=int, help="steps between validations (0: never)")
    p.add_argument(
        "--val-doses",
        metavar="D,D,D",
        help="also validate at these doses (fractions of the full dose, in (0, 1], comma "
        "separated; 'none' for none, the default): each held-out crop simulated at each "
        "dose (quantum thinning and electronic noise) and denoised blind, as the app does, "
        "1 view; PSNR/SSIM on [0, 1] of the image's range of values",
    )
    p.add_argument(
        "--val-photons",
        type=str,
        metavar="N",
        help="detected quanta per unattenuated pixel at full dose for --val-doses, or "
        "'measured' (the default): measured from each held-out image's noise, 50000 (about "
        "0.8 mm pixels) where that is refused; a number forces it for every image",
    )
    p.add_argument(
        "--val-electronic-noise",
        type=str,
        metavar="S",
        help="electronic noise std in quanta for --val-doses (default 4)",
    )
    p.add_argument("--log-every", type=int, help="steps between loss lines in the metrics")
    p.add_argument("--log-file", type=Path, help="log file (default <output stem>.log)")
    p.add_argument("--no-progress", action="store_true", help="no tqdm progress bar")
    p.set_defaults(prog=prog)  # for the one-line refusals of core.training.__main__.run
    return p
