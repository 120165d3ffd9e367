"""Training of the diffusion denoiser: data, augmentation, loop, checkpoints, validation.

Entry points: :func:`train` with a :class:`TrainConfig`, and ``python -m core.training``.
"""

from core.training.config import TrainConfig
from core.training.loop import TrainState, train
from core.training.validation import LevelScore, ValidationResult

__all__ = ["LevelScore", "TrainConfig", "TrainState", "ValidationResult", "train"]
