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

DEFAULTS: dict[str, object] = {
    "steps": 100_000,
    "batch_size": 16,
    "patch_size": 96,
    "binning": 1,
    "lr": 2e-4,
    "fine_tune_lr_fraction": 0.25,
    "warmup_steps": 500,
    "seed": 0,
    "val_fraction": 0.1,
    "checkpoint_every": 500,
    "val_every": 1000,
    "log_every": 50,
    "val_electronic_noise": 4.0,
    "base_channels": 32,
    "blocks_per_level": 2,
    "mid_blocks": 2,
    "focus_fraction": 0.7,
    "focus_sigma": (0.005, 0.3),
}
"""The defaults that ``--help`` names, by field: of :class:`core.training.config.TrainConfig`
(``fine_tune_lr_fraction``: its ``FINE_TUNE_LR_FRACTION``), of the network
(:class:`core.diffusion.unet.UNetConfig`) and of the noise levels trained
(:class:`core.training.timesteps.TimestepSampler`). Copies, so that ``--help`` answers
without importing torch; a test holds them equal to the code's."""

KEPT = "; --resume keeps the checkpoint's"
"""Said of the options whose value a resumed run takes from its checkpoint when not given."""

OR_START = ", or --init-model's"
"""Said of the network's options, which a fine-tune takes from its starting model."""


def _default(name: str, *, kept: bool = True, also: str = "") -> str:
    """Say an option's default, from :data:`DEFAULTS`, for its help.

    ``also`` follows the value (``", or --init-model's"``); ``kept`` adds :data:`KEPT`.
    """
    value = DEFAULTS[name]
    values = value if isinstance(value, tuple) else (value,)
    shown = " ".join(_number(v) for v in values)
    return f"default {shown}{also}{KEPT if kept else ''}"


def _number(value: object) -> str:
    """Write a number as ``:g`` does, without its exponent's leading zero (5e-5)."""
    return f"{value:g}".replace("e-0", "e-")


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
        "the run stops at its end (default: none, the run goes to --steps). --resume keeps "
        "the checkpoint's budget; with --minutes M it trains M minutes more, the learning "
        "rate going on from where it stopped and decaying over the new time (no jump)",
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
        "model scores lower; default: none, a fresh network)",
    )
    p.add_argument(
        "--architecture",
        choices=ARCHITECTURE_NAMES,
        help="network size of a fresh run (tiny: a few thousand parameters, for tests; "
        f"default {ARCHITECTURE_NAMES[0]}{OR_START}{KEPT})",
    )
    p.add_argument(
        "--base-channels",
        type=int,
        help="channels at the first level of a fresh run (the others are multiples; "
        f"{_default('base_channels')})",
    )
    p.add_argument(
        "--blocks-per-level",
        type=int,
        help="residual blocks per level (more than --init-model's: added as identities; "
        f"{_default('blocks_per_level', also=OR_START)})",
    )
    p.add_argument(
        "--mid-blocks",
        type=int,
        help="residual blocks at the lowest resolution (as --blocks-per-level; "
        f"{_default('mid_blocks', also=OR_START)})",
    )
    p.add_argument(
        "--device", default="auto", help="auto, cpu, cuda, cuda:N or mps (default %(default)s)"
    )
    p.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="auto",
        help="auto (default): bfloat16 autocast on GPUs with it in hardware and on CPUs "
        "with AMX (about twice as fast there), else float32; float32: float32 everywhere",
    )
    p.add_argument(
        "--steps", type=int, help=f"total optimiser steps (LR horizon; {_default('steps')})"
    )
    p.add_argument(
        "--batch-size", type=int, help=f"patches per step per process ({_default('batch_size')})"
    )
    p.add_argument(
        "--patch-size", type=int, help=f"training patch side in pixels ({_default('patch_size')})"
    )
    p.add_argument(
        "--binning",
        type=int,
        help="average N x N pixel blocks of each training image first (2 thins film grain, "
        f"1 keeps them as stored; {_default('binning')})",
    )
    p.add_argument(
        "--normalisation",
        choices=("percentiles", "range"),
        help="how each image's values are mapped to the network's domain: percentiles, as the "
        "denoiser maps an image it is given (its 0.1 and 99.9 percentiles on -0.9 and 0.9), or "
        "range, over the data's range of values, as the shipped model was trained (default "
        f"percentiles{KEPT}; range where the checkpoint names none)",
    )
    p.add_argument(
        "--focus-fraction",
        type=float,
        help="share of patches noised at denoising's levels (--focus-sigma), the rest at "
        f"uniform times ({_default('focus_fraction')})",
    )
    p.add_argument(
        "--focus-sigma",
        type=float,
        nargs=2,
        metavar=("LOW", "HIGH"),
        help="noise std range of denoising, on the model's [-1, 1] scale "
        f"({_default('focus_sigma')})",
    )
    p.add_argument(
        "--lr",
        type=float,
        help=f"peak learning rate ({_default('lr', kept=False)}; with --init-model "
        f"{_number(DEFAULTS['fine_tune_lr_fraction'])} of it, "
        f"{_number(DEFAULTS['lr'] * DEFAULTS['fine_tune_lr_fraction'])}{KEPT})",
    )
    p.add_argument(
        "--warmup-steps",
        type=int,
        help=f"linear learning-rate warm-up steps ({_default('warmup_steps')})",
    )
    p.add_argument(
        "--seed", type=int, help=f"seed of weights and every random draw ({_default('seed')})"
    )
    p.add_argument(
        "--threads",
        type=int,
        help="CPU threads for torch (default: torch's choice, about one per core)",
    )
    p.add_argument(
        "--workers",
        type=int,
        help="processes drawing patches ahead (default: 0 on the CPU, up to 8 on a GPU)",
    )
    p.add_argument(
        "--val-fraction",
        type=float,
        help=f"fraction of patients held out for validation (0: none; {_default('val_fraction')})",
    )
    p.add_argument(
        "--ignore-patient-table",
        action="store_true",
        help="split without the data.csv tables (by DICOM patient, else by file); without "
        "it, a data.csv that cannot be used refuses the run",
    )
    p.add_argument(
        "--checkpoint-every",
        type=int,
        help=f"steps between checkpoints ({_default('checkpoint_every')})",
    )
    p.add_argument(
        "--val-every",
        type=int,
        help=f"steps between validations (0: never; {_default('val_every')})",
    )
    p.add_argument(
        "--val-doses",
        metavar="D,D,D",
        help="also validate at these doses (fractions of the full dose, in (0, 1], comma "
        f"separated; 'none' for none, the default{KEPT}): each held-out crop simulated at each "
        "dose (quantum thinning and electronic noise) and denoised blind, as the app does, "
        "1 view; PSNR/SSIM on [0, 1] of the image's range of values",
    )
    p.add_argument(
        "--val-photons",
        type=str,
        metavar="N",
        help="detected quanta per unattenuated pixel at full dose for --val-doses, or "
        f"'measured' (the default{KEPT}): measured from each held-out image's noise, 50000 "
        "(about "
        "0.8 mm pixels) where that is refused; a number forces it for every image",
    )
    p.add_argument(
        "--val-electronic-noise",
        type=str,
        metavar="S",
        help=f"electronic noise std in quanta for --val-doses ({_default('val_electronic_noise')})",
    )
    p.add_argument(
        "--log-every",
        type=int,
        help=f"steps between loss lines in the metrics ({_default('log_every')})",
    )
    p.add_argument("--log-file", type=Path, help="log file (default <output stem>.log)")
    p.add_argument("--no-progress", action="store_true", help="no tqdm progress bar")
    p.set_defaults(prog=prog)  # for the one-line refusals of core.training.__main__.run
    return p
