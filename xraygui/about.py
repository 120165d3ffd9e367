"""The About box's text: version, the model chosen, its training data's licence and attribution."""

from __future__ import annotations

import json
from pathlib import Path

from core import __version__
from core.diffusion import card_path
from core.io.notice import DISCLAIMER


def about_text(model: Path | None) -> str:
    """Return the About box's text: version, model, training data and its attribution, use.

    Parameters
    ----------
    model : Path or None
        The weights file chosen in the Denoise panel; its model card is read beside it.

    Returns
    -------
    str
    """
    lines = [
        f"xray-denoise {__version__}",
        "",
        "Denoises low-dose X-ray radiographs with a diffusion model.",
        "",
    ]
    if model is None:
        lines.append("Model: none chosen.")
    else:
        try:
            card = json.loads(card_path(model).read_text(encoding="utf-8"))
            lines.append(
                f"Model: {Path(model).name} (SHA-256 {str(card.get('weights_sha256', ''))[:12]}), "
                f"code {card.get('code_version', '?')}, saved {card.get('created', '?')}"
            )
            for depth, data in enumerate(_lineage_data(card)):
                lines += _data_lines(data, fine_tuned_from=depth > 0)
        except (OSError, ValueError, AttributeError) as error:
            lines.append(f"Model: {Path(model).name} (its model card cannot be read: {error})")
    lines += ["", f"{DISCLAIMER}."]
    return "\n".join(lines)


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


def _data_lines(data: dict, *, fine_tuned_from: bool) -> list[str]:
    """Describe one training data set for the About box: name, size, licence, attribution."""
    attribution = " ".join(
        line.strip()
        for line in str(data.get("attribution", "")).splitlines()
        if line.strip() and not line.startswith("#")
    )
    what = "Fine-tuned from a model trained on" if fine_tuned_from else "Trained on"
    lines = [
        f"{what}: {data.get('name', 'unknown data')}, "
        f"{data.get('n_images', '?')} images of {data.get('n_patients', '?')} patients",
        f"  Licence of that data: {data.get('license') or 'not stated'}",
    ]
    if attribution:
        lines.append(f"  Attribution: {attribution}")
    return lines
