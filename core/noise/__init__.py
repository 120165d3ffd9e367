"""Noise physics of X-ray radiographs: low-dose simulation, noise estimation, stabilisation.

Pure numpy/scipy; no Qt and no torch.

- :mod:`core.noise.dose`: physical low-dose simulation (thinning of detected
  quanta plus electronic noise through a log detector).
- :mod:`core.noise.estimate`: the noise-level function and a global noise std
  from a single image.
- :mod:`core.noise.image_noise`: all of that for one image, as the denoiser uses it
  (:class:`NoiseEstimate`).
- :mod:`core.noise.logdetector`: a log detector's noise recognised in a
  noise-level function, and the counts behind its pixels.
- :mod:`core.noise.value_range`: the range of values an image's data can take
  (12-bit data in a 16-bit container included), which a detector spans.
- :mod:`core.noise.correlation`: noise correlated between neighbouring pixels
  (a detector's blur), which hides quanta from a measurement.
- :mod:`core.noise.noise_free`: whether an image holds the noise of the quanta a
  simulation is given, or looks noise-free.
- :mod:`core.noise.stabilize`: variance-stabilising transforms (generalised
  Anscombe, of a log detector's counts, and one built from a noise-level
  function) with unbiased inverses.
- :mod:`core.noise.phantom`: a synthetic PA chest radiograph for tests and
  benchmarks (label its output SYNTHETIC).
"""

from core.noise.dose import (
    DEFAULT_ELECTRONIC_NOISE,
    DEFAULT_MAX_ATTENUATION,
    DEFAULT_PHOTONS_PER_PIXEL,
    DetectorModel,
    LowDoseSettings,
    describe_simulation,
    simulate_counts,
    simulate_low_dose,
    simulate_low_dose_image,
)
from core.noise.estimate import (
    NoiseLevelFunction,
    bin_count_for,
    estimate_noise_level_function,
    estimate_noise_sigma,
)
from core.noise.image_noise import NoiseEstimate
from core.noise.logdetector import LogDetectorFit, fit_log_detector, log_detector_of
from core.noise.phantom import chest_phantom, phantom_image
from core.noise.stabilize import (
    GeneralizedAnscombe,
    LogDetectorStabilizer,
    NoiseLevelStabilizer,
    VarianceStabilizer,
)

__all__ = [
    "DEFAULT_ELECTRONIC_NOISE",
    "DEFAULT_MAX_ATTENUATION",
    "DEFAULT_PHOTONS_PER_PIXEL",
    "DetectorModel",
    "GeneralizedAnscombe",
    "LogDetectorFit",
    "LogDetectorStabilizer",
    "LowDoseSettings",
    "NoiseEstimate",
    "NoiseLevelFunction",
    "NoiseLevelStabilizer",
    "VarianceStabilizer",
    "bin_count_for",
    "chest_phantom",
    "describe_simulation",
    "estimate_noise_level_function",
    "estimate_noise_sigma",
    "fit_log_detector",
    "log_detector_of",
    "phantom_image",
    "simulate_counts",
    "simulate_low_dose",
    "simulate_low_dose_image",
]
