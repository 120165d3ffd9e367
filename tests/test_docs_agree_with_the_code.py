"""The documents agree with the code: the command-line synopsis names real options, links resolve.

The synopsis in docs/command-line.md is the one list of the commands' main options; an option
renamed or removed in the code must not live on there. Every relative link of README.md and
docs/*.md must reach a file, and its ``#anchor`` a heading of that file (GitHub's slugs).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from core.cli import build_parser
from core.training.arguments import training_parser
from xraygui.__main__ import parse_args

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _synopsis() -> dict[str, set[str]]:
    """Map each command of the synopsis (``denoise``, ``xraygui``) to the options it names."""
    text = (ROOT / "docs" / "command-line.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block, "docs/command-line.md has no synopsis block"
    options: dict[str, set[str]] = {}
    command = ""
    for line in block.group(1).splitlines():
        code = line.split("#", 1)[0]
        start = re.match(r"(xray-denoise (\w+)|xraygui)\b", code)
        if start:
            command = start.group(2) or "xraygui"
            options.setdefault(command, set())
        options[command] |= set(re.findall(r"--[a-z][a-z0-9-]*", code))
    return options


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {flag for action in parser._actions for flag in action.option_strings}


def _subcommand_parsers() -> dict[str, argparse.ArgumentParser]:
    """Each subcommand's parser; ``train`` hands its arguments on to the training parser."""
    parser = build_parser()
    (subparsers,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    parsers = dict(subparsers.choices)
    parsers["train"] = training_parser("xray-denoise train")
    return parsers


def test_the_synopsis_names_every_command():
    assert set(_synopsis()) == {*_subcommand_parsers(), "xraygui"}


@pytest.mark.parametrize("command", sorted(_subcommand_parsers()))
def test_every_option_of_the_synopsis_exists(command):
    known = _options(_subcommand_parsers()[command])
    assert _synopsis()[command] <= known, _synopsis()[command] - known


def test_the_apps_synopsis_names_its_options(capsys):
    # parse_args builds its parser inside; its --help lists the options.
    with pytest.raises(SystemExit):
        parse_args(["--help"])
    help_text = capsys.readouterr().out
    for option in _synopsis()["xraygui"]:
        assert option in help_text


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return {_slug(m.group(1)) for m in re.finditer(r"^#{1,6} (.+)$", text, re.M)}


def _links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return [
        target
        for target in re.findall(r"\]\(([^)\s]+)\)", text)
        if not re.match(r"[a-z]+:", target)
    ]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_relative_links_resolve(document):
    broken = []
    for link in _links(document):
        file_part, _, anchor = link.partition("#")
        target = (document.parent / file_part).resolve() if file_part else document
        if not target.exists():
            broken.append(link)
        elif anchor and target.suffix == ".md" and anchor not in _anchors(target):
            broken.append(link)
    assert not broken, f"{document.name}: {broken}"


def test_the_slug_follows_github():
    assert _slug("GPU, precision and views") == "gpu-precision-and-views"
    assert _slug("simulate, metrics and info") == "simulate-metrics-and-info"
    assert _slug("The `train` command") == "the-train-command"
