"""The About box's text: version, the model chosen, its training data's licence and attribution."""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

from core.code_version import software_version
from core.diffusion import card_path
from core.io.notice import DISCLAIMER
from core.resources import weights_problem


def about_text(model: Path | None) -> str:
    """Return the About box's text: version, model, training data and its attribution, use.

    Parameters
    ----------
    model : Path or None
        The weights file chosen in the Denoise panel; its model card is read beside it
        and its weights' hash compared with the card's (:func:`weights_problem`), so
        that the box describes the files a Denoise loads now, and says when they are
        missing or changed beyond use (a model loaded earlier is reloaded from them).

    Returns
    -------
    str
        Rich text (HTML) that the About box renders: a paragraph a block, each data set's
        licence and attribution a list under it, code in backticks as code, and web
        addresses as links.
    """
    lines = [
        f"xraygui {software_version()}, the desktop app of xray-denoise",
        "",
        "Denoises low-dose X-ray radiographs with a diffusion model.",
        "",
    ]
    if model is None:
        lines.append("Model: none chosen.")
    else:
        try:
            card = json.loads(card_path(model).read_text(encoding="utf-8"))
            sha = str(card.get("weights_sha256", ""))
            problem = weights_problem(Path(model), sha)
            lines.append(
                f"Model: {Path(model).name} (SHA-256 {sha[:12]}"
                + (f"; {problem}, so it cannot be used" if problem else "")
                + f"), code {card.get('code_version', '?')}, saved {card.get('created', '?')}"
            )
            for depth, data in enumerate(_lineage_data(card)):
                lines += _data_lines(data, fine_tuned_from=depth > 0, folder=Path(model).parent)
        except (OSError, ValueError, AttributeError) as error:
            lines.append(f"Model: {Path(model).name} (its model card cannot be read: {error})")
    lines += ["", f"Third-party licences: {_notices()}", "", f"{DISCLAIMER}."]
    return _rich_text(lines)


_CODE = re.compile(r"`([^`]+)`")
_URL = re.compile(r"(\()?(https?://[^\s()<>]*[^\s()<>.,;:])(\))?")


def _inline(line: str) -> str:
    """Escape ``line`` for rich text; backticks become code and web addresses links."""
    text = _CODE.sub(r"<code>\1</code>", html.escape(line, quote=False))

    def link(match: re.Match[str]) -> str:
        opened, url, closed = match.groups()
        if opened and closed:  # the brackets go in the link: "(https://...)" stays whole
            return f'<a href="{url}">({url})</a>'
        return f'{opened or ""}<a href="{url}">{url}</a>{closed or ""}'

    return _URL.sub(link, text)


def _rich_text(lines: list[str]) -> str:
    """Make the About box's lines rich text: the first bold, indented ones a list.

    Blank lines part paragraphs; lines indented by two spaces list what the line above
    them names (wrapped, they stay aligned, as indented plain text does not).
    """
    parts, items = [], []
    for i, line in enumerate(lines):
        if line.startswith("  "):
            items.append(f"<li>{_inline(line.strip())}</li>")
            continue
        if items:
            parts.append(f"<ul style='margin-top: 0px'>{''.join(items)}</ul>")
            items = []
        if line:
            parts.append(f"<p><b>{_inline(line)}</b></p>" if i == 0 else f"<p>{_inline(line)}")
    if items:
        parts.append(f"<ul style='margin-top: 0px'>{''.join(items)}</ul>")
    return "".join(parts)


def _notices() -> str:
    """Say where the licences of what the app is built from are to be read."""
    if getattr(sys, "frozen", False):  # the bundle: written beside the executable at build
        return str(Path(sys.executable).parent / "THIRD-PARTY-NOTICES.txt")
    return "the README's Licences section (a built bundle has THIRD-PARTY-NOTICES.txt)"


def _lineage_data(card: dict) -> list[dict]:
    """Return the training data of a model card and of the models it was fine-tuned from.

    Each data set once (a model's earlier stages often share its data), newest first.
    """
    found, seen = [], set()
    while isinstance(card, dict):
        data = card.get("data")
        key = None if not isinstance(data, dict) else (data.get("name"), data.get("attribution"))
        if key is not None and key not in seen:
            seen.add(key)
            found.append(data)
        card = card.get("training", {}).get("started_from")
    return found


LICENCE_URIS = {"Attribution 3.0": "https://creativecommons.org/licenses/by/3.0/"}
"""Licences that ask for their URI with the work, by a phrase of their name."""


LICENCE_NAMED = "see `LICENSE`"
"""How a data set's attribution names its own licence file, which is not the program's."""


def _data_lines(data: dict, *, fine_tuned_from: bool, folder: Path) -> list[str]:
    """Describe one training data set for the About box: name, size, licence, attribution.

    The attribution is the first paragraph of the data set's own (its heading left
    out): what the images are and whose; later paragraphs are notes for those who train.
    Where the model's `folder` holds the data set's licence as it ships
    (``<name>-LICENSE.txt``, ``xray-train-LICENSE.txt`` beside the shipped model), the
    attribution's ``LICENSE`` is named as that file, with its folder: the program's own
    ``LICENSE`` is another.
    """
    paragraphs = str(data.get("attribution", "")).split("\n\n")
    credit = [p for p in paragraphs if p.strip() and not p.lstrip().startswith("#")]
    attribution = " ".join(line.strip() for line in (credit[:1] or [""])[0].splitlines())
    shipped = folder / f"{data.get('name', '')}-LICENSE.txt"
    if LICENCE_NAMED in attribution and shipped.is_file():
        attribution = attribution.replace(LICENCE_NAMED, f"see `{shipped}`")
    what = "Fine-tuned from a model trained on" if fine_tuned_from else "Trained on"
    licence = data.get("license") or "not stated"
    uri = next((u for phrase, u in LICENCE_URIS.items() if phrase in licence), None)
    return [
        f"{what}: {data.get('name', 'unknown data')}, {_size(data)}",
        f"  Licence of that data: {licence}" + (f" ({uri})" if uri else ""),
        *([f"  Attribution: {attribution}"] if attribution else []),
        *_site_lines(data),
        *([f"  {data['no_terms']}"] if data.get("no_terms") else []),
    ]


def _site_lines(data: dict) -> list[str]:
    """Name the licence and attribution of each site folder of a training data set."""
    sources = data.get("sources")
    if not isinstance(sources, dict):
        return []
    lines = []
    for folder, terms in sorted(sources.items()):
        if not isinstance(terms, dict):
            continue
        for key, label in (("license", "Licence"), ("attribution", "Attribution")):
            text = " ".join(str(terms.get(key) or "").split())
            if text:
                lines.append(f"  {label} of its folder {folder}: {text}")
    return lines


def _size(data: dict) -> str:
    """Say how many images of how many patients trained, and how many were held out."""
    n_val = data.get("n_val_images")
    n_val_patients = data.get("n_val_patients", len(data.get("val_patients") or []) or None)
    if not n_val or n_val_patients is None or "n_train_images" not in data:
        return f"{data.get('n_images', '?')} images of {data.get('n_patients', '?')} patients"
    n_patients = data.get("n_patients", 0)
    return (
        f"{data['n_train_images']} images of {n_patients - n_val_patients} patients "
        f"({n_val} images of {n_val_patients} other patients held out for validation)"
    )
