"""``COMMAND --help`` names every option's default, as README.md and docs/command-line.md say.

Before, train's options whose argparse default is None (so that a resumed run keeps its
checkpoint's values: --steps, --batch-size, --seed ...), denoise's --seed and --device, and
phantom's --seed and --photometric said no default at all.
"""

import argparse
from dataclasses import fields

import pytest

from core.cli import build_parser
from core.diffusion.unet import UNetConfig
from core.training.arguments import DEFAULTS, training_parser
from core.training.config import FINE_TUNE_LR_FRACTION, TrainConfig
from core.training.timesteps import TimestepSampler


def _parsers() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    # `train` hands its arguments on: the training parser is the one that lists them.
    return {**sub.choices, "train": training_parser("xray-denoise train")}


def _options_with_values():
    for command, parser in _parsers().items():
        formatter = parser._get_formatter()
        for action in parser._actions:
            if not action.option_strings or action.nargs == 0 or action.required:
                continue  # a positional, a flag (--help, --resume, ...) or a required option
            yield command, action, formatter._expand_help(action) if action.help else ""


@pytest.mark.parametrize(
    ("command", "option", "help_text"),
    [(c, a.option_strings[-1], h) for c, a, h in _options_with_values()],
)
def test_every_option_that_takes_a_value_names_its_default(command, option, help_text):
    assert "default" in help_text, f"{command} {option}: {help_text!r}"


@pytest.mark.parametrize(
    ("command", "option", "said"),
    [
        ("denoise", "--seed", "default 0"),
        ("denoise", "--device", "default auto"),
        ("phantom", "--seed", "default 0"),
        ("phantom", "--photometric", "default MONOCHROME2"),
        ("train", "--steps", f"default {TrainConfig.steps}; --resume keeps the checkpoint's"),
        ("train", "--batch-size", f"default {TrainConfig.batch_size};"),
        ("train", "--patch-size", f"default {TrainConfig.patch_size};"),
        ("train", "--binning", f"default {TrainConfig.binning};"),
        ("train", "--warmup-steps", f"default {TrainConfig.warmup_steps};"),
        ("train", "--seed", f"default {TrainConfig.seed};"),
        ("train", "--checkpoint-every", f"default {TrainConfig.checkpoint_every};"),
        ("train", "--val-every", f"default {TrainConfig.val_every};"),
        ("train", "--log-every", f"default {TrainConfig.log_every};"),
        ("train", "--device", "default auto"),
        ("train", "--threads", "default: torch's choice"),
    ],
)
def test_the_options_that_said_none_name_the_code_s_default(command, option, said):
    found = {(c, a.option_strings[-1]): h for c, a, h in _options_with_values()}
    assert said in " ".join(found[command, option].split())


def test_the_defaults_train_s_help_names_are_the_code_s():
    # arguments.py keeps copies (its help answers without importing torch): they must agree.
    code = {f.name: f.default for f in fields(TrainConfig)}
    code |= {f.name: f.default for f in fields(UNetConfig)}
    code |= {f.name: f.default for f in fields(TimestepSampler)}
    code["fine_tune_lr_fraction"] = FINE_TUNE_LR_FRACTION
    assert {name: code[name] for name in DEFAULTS} == DEFAULTS


@pytest.mark.parametrize(
    "option",
    [
        "--steps",
        "--batch-size",
        "--patch-size",
        "--binning",
        "--lr",
        "--warmup-steps",
        "--seed",
        "--val-fraction",
        "--checkpoint-every",
        "--val-every",
        "--log-every",
        "--val-doses",
        "--val-photons",
        "--val-electronic-noise",
    ],
)
def test_every_option_a_resumed_run_keeps_says_so(option):
    parser = training_parser("xray-denoise train")
    (action,) = [a for a in parser._actions if option in a.option_strings]
    assert "--resume keeps the checkpoint's" in parser._get_formatter()._expand_help(action)
