"""``xray-denoise train FOLDER --output MODEL.safetensors [options]``: train a model.

The options are those of ``python -m core.training``, which this subcommand runs: its
parser is the one list of them (``xray-denoise train --help`` prints it). The training
code, and torch with it, is imported only when the subcommand runs.
"""

from __future__ import annotations

import argparse

PROG = "xray-denoise train"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``train`` subcommand, which hands its arguments to ``core.training``."""
    parser = subparsers.add_parser(
        "train",
        help="train a diffusion denoiser on a folder of radiographs",
        description="Train a diffusion denoiser on a folder of radiographs "
        f"(options: {PROG} --help).",
        usage=f"{PROG} FOLDER --output MODEL.safetensors [--minutes N] [--resume] "
        "[--device D] [options]",
        add_help=False,
        # No prefix character: every argument, --help included, reaches the training parser.
        prefix_chars="\0",
    )
    parser.add_argument("arguments", nargs=argparse.REMAINDER)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Train with ``core.training``'s command line; return its exit status.

    The arguments are parsed before torch is imported, so ``--help`` and usage errors
    answer at once.
    """
    from core.training.arguments import training_parser

    parsed = training_parser(PROG).parse_args(args.arguments)
    from core.training.__main__ import run as train

    return train(parsed)
