"""Training of the diffusion denoiser: data, augmentation, loop, checkpoints, validation.

Entry points: :func:`train` with a :class:`TrainConfig`, and ``python -m core.training``.
The names below are imported on first use, so that the command line's options
(:mod:`core.training.arguments`) are read without importing torch.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "TrainConfig": "core.training.config",
    "TrainState": "core.training.loop",
    "train": "core.training.loop",
    "LevelScore": "core.training.validation",
    "ValidationResult": "core.training.validation",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    """Import a public name from its module when it is first asked for (PEP 562)."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
