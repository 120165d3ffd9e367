"""Diffusion denoiser: noise schedule, U-Net noise predictor, model files and samplers.

References
----------
.. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models. NeurIPS 2020.
.. [2] J. Song, C. Meng, S. Ermon. Denoising Diffusion Implicit Models. ICLR 2021.
.. [3] A. Nichol, P. Dhariwal. Improved Denoising Diffusion Probabilistic Models. ICML 2021.
"""

from core.diffusion.model import (
    DiffusionModel,
    ModelCard,
    card_path,
    load_model,
    save_model,
)
from core.diffusion.sampler import (
    StepState,
    ddim_sample,
    ddpm_sample,
    diffusion_start,
    generate,
    q_sample,
    sample,
)
from core.diffusion.schedule import NoiseSchedule
from core.diffusion.unet import UNet, UNetConfig

__all__ = [
    "DiffusionModel",
    "ModelCard",
    "NoiseSchedule",
    "StepState",
    "UNet",
    "UNetConfig",
    "card_path",
    "ddim_sample",
    "ddpm_sample",
    "diffusion_start",
    "generate",
    "load_model",
    "q_sample",
    "sample",
    "save_model",
]
