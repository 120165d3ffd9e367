"""A trained model's card says what the model is for: not for diagnostic use.

The card travels with the model, beyond the app's windows and images that say so.
Needs ``ModelCard.intended_use`` in core/diffusion/model.py.
"""

import json
from dataclasses import replace

from core.diffusion.model import ModelCard, card_path, load_model
from core.io.notice import DISCLAIMER
from core.training.loop import train


def test_a_trained_models_card_says_it_is_not_for_diagnostic_use(tiny_config):
    config = replace(tiny_config, steps=2)
    train(config)
    card = json.loads(card_path(config.output).read_text("utf-8"))
    assert card["intended_use"].startswith(f"{DISCLAIMER}:")
    assert load_model(config.output).card.intended_use == card["intended_use"]
    shipped = json.loads(card_path("resources/models/xray-diffusion.safetensors").read_text())
    assert ModelCard.from_json(shipped).intended_use == ""  # saved before it was recorded
