"""Blind denoising of radiographs with the diffusion model.

:func:`denoise_steps` (a generator of progress events and, last, the result) and
:func:`denoise_image` (the blocking form) run the pipeline of
:mod:`core.denoise.pipeline`; :func:`forward_process` and :func:`generate_demo` show
what the model does.

References
----------
.. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models. NeurIPS 2020.
.. [2] J. Song, C. Meng, S. Ermon. Denoising Diffusion Implicit Models. ICLR 2021.
.. [3] A. Foi, M. Trimeche, V. Katkovnik, K. Egiazarian, "Practical Poissonian-Gaussian
   noise modeling and fitting for single-image raw-data", IEEE TIP 17(10), 2008.
.. [4] M. Makitalo, A. Foi, "Optimal inversion of the generalized Anscombe transformation
   for Poisson-Gaussian noise", IEEE TIP 22(1), 2013.
"""

from core.denoise.domain import ModelDomain, NoiseEstimate, estimate_image_noise
from core.denoise.events import DenoiseEvent, DenoiseResult, DenoiseStep, TileProgress
from core.denoise.explain import forward_process, generate_demo
from core.denoise.models import default_model_path, open_model
from core.denoise.pipeline import denoise_image, denoise_steps, model_name
from core.denoise.settings import DenoiseSettings
from core.denoise.views import VIEW_COUNTS, auto_views

__all__ = [
    "VIEW_COUNTS",
    "DenoiseEvent",
    "DenoiseResult",
    "DenoiseSettings",
    "DenoiseStep",
    "ModelDomain",
    "NoiseEstimate",
    "TileProgress",
    "auto_views",
    "default_model_path",
    "denoise_image",
    "denoise_steps",
    "estimate_image_noise",
    "forward_process",
    "generate_demo",
    "model_name",
    "open_model",
]
