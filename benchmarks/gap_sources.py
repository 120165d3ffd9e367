"""Where the project loses to an ideal front end: its blind detector fit and its noise's shape.

Two oracle experiments on the images and noise of ``denoise_bench.py`` (same options,
same seeds), each per noise level and image:

1. **Detector.** The project at its defaults, blind, and again with the simulation's
   own log detector (true slope, quanta and electronic noise) put in place of the one
   it fits to the image's noise-level function. The PSNR gained is what a perfect
   blind detector fit could add.
2. **Noise shape.** In the model domain, the one-step denoise (the defaults' views and
   precision) of the image's own stabilised noise is compared with that of white
   Gaussian noise on the same stabilised clean image, ``E[f(z)]`` (the mean of
   ``--draws`` independent simulations of the same dose). Its mean squared error
   against ``E[f(z)]`` is given in dB relative to the real noise's: Gaussian noise of
   the model's noise std ``s`` (what training used), Gaussian noise of the real
   noise's own pooled std (with ``t*`` set to it), and Gaussian noise with the real
   noise's per-pixel variance. The first two gain over the real noise by what its
   shape and the stabiliser's unevenness cost; the third keeps the unevenness, so
   what it gains is the cost of the shape alone. The Monte Carlo error of ``E[f(z)]``
   (its variance, ``var / draws``) is subtracted from every mean squared error; the
   Gaussian inputs also carry that error as if it were signal, which only counts
   against them. Also printed: the real noise's variance over ``s^2`` in the tenths
   of the pixels by stabilised clean value (lowest and highest tenth's mean).

Needs no extra package::

    python benchmarks/gap_sources.py HELD_OUT_FOLDER --limit 8 --crop 512 \\
        --downscale 4 --upscale 3 --threads 2
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from unittest import mock

import numpy as np
from benchlib import Case, make_case, simulate
from denoise_bench import (
    case_parser,
    check_case_args,
    chosen_levels,
    chosen_physics,
    project_and_sources,
)

DRAWS = 64
"""Simulations averaged into ``E[f(z)]`` (its Monte Carlo std is ``1/8`` of the noise's)."""


@dataclass(frozen=True)
class GapRow:
    """One image at one noise level.

    Parameters
    ----------
    name : str
        The image.
    psnr_blind, psnr_true_detector : float
        The project's PSNR (dB, ``[0, 1]`` scale) blind and with the true detector.
    gaussian_db, gaussian_true_std_db, per_pixel_db : float
        Mean squared error of the real noise's one-step denoise over that of each
        Gaussian stand-in, in dB (positive: the stand-in is denoised better).
    variance_low, variance_high : float
        Real noise variance over ``s^2`` in the lowest and highest tenth of the pixels
        by stabilised clean value.
    """

    name: str
    psnr_blind: float
    psnr_true_detector: float
    gaussian_db: float
    gaussian_true_std_db: float
    per_pixel_db: float
    variance_low: float
    variance_high: float


def true_detector(case: Case) -> object:
    """The simulation's log detector as a :class:`core.noise.LogDetectorFit`.

    ``Var(p) = A u + B u^2`` with the reference at zero attenuation: ``A = v^2 / lambda0``
    and ``B = (s v / lambda0)^2`` for ``lambda0`` quanta per unattenuated pixel at the
    case's dose and electronic noise ``s``.
    """
    from core.noise import LogDetectorFit

    detector = case.detector
    slope = detector.value_per_attenuation
    quanta = case.dose * detector.photons_per_pixel
    return LogDetectorFit(
        value_per_attenuation=slope,
        reference=detector.value_at_zero_attenuation,
        quantum_variance=slope * slope / quanta,
        electronic_variance=(detector.electronic_noise * slope / quanta) ** 2,
        rms_error=0.0,
        standard_error=0.0,
    )


@contextmanager
def detector_given(detector: object) -> Iterator[None]:
    """Make the project's denoise use ``detector`` in place of the one it fits."""
    from core.denoise import pipeline

    blind = pipeline.estimate_image_noise

    def with_detector(image: object) -> object:
        return replace(blind(image), detector=detector)

    with mock.patch.object(pipeline, "estimate_image_noise", with_detector):
        yield


class OneStep:
    """The default denoise's one reverse step, in the model domain, on any input."""

    def __init__(self, project: object) -> None:
        from core.denoise.tiling import TiledEvaluator, auto_tiling
        from core.denoise.views import ViewEnsemble, views
        from core.device import inference_dtype, select_device

        settings = project.settings
        device = select_device(settings.device)
        dtype = inference_dtype(device, settings.precision)
        tile, batch = auto_tiling(project.model, device, overlap=settings.tile_overlap, dtype=dtype)
        tiled = TiledEvaluator(
            project.model, tile=tile, overlap=settings.tile_overlap, batch=batch, dtype=dtype
        )
        self.model = project.model
        self.ensemble = ViewEnsemble(tiled, views(settings.with_views_for(dtype).views))

    def __call__(self, noisy: np.ndarray, sigma: float) -> np.ndarray:
        """Return ``x_0`` of one DDIM step from the time whose noise level is ``sigma``."""
        import torch

        from core.diffusion.sampler import diffusion_start, reverse_step

        with torch.inference_mode():
            y = torch.as_tensor(noisy, dtype=torch.float32)[None, None]
            x, t = diffusion_start(self.model.schedule, y, sigma=sigma)
            evaluation = self.ensemble.evaluate(x, t, lambda done, total: None)
            try:
                while True:
                    next(evaluation)
            except StopIteration as finished:
                eps = finished.value
            _, x0 = reverse_step(self.model, x, eps, t=t, s=0.0, eta=0.0, generator=None)
        return x0[0, 0].numpy().astype(np.float64)


def noise_shape(
    case: Case, one_step: OneStep, *, quantize: bool, draws: int, seed: Sequence[int]
) -> tuple[float, float, float, float, float]:
    """Experiment 2 on one case: three dB ratios and the lowest and highest tenth's variance."""
    from core.denoise.domain import ModelDomain, estimate_image_noise

    domain = ModelDomain.from_image(case.noisy, estimate_image_noise(case.noisy))
    s = domain.noise_std
    rng = np.random.default_rng([*seed, 1])
    total = np.zeros(case.clean.shape)
    squares = np.zeros(case.clean.shape)
    for _ in range(draws):
        noisy = simulate(
            case.clean, dose=case.dose, detector=case.detector, rng=rng, quantize=quantize
        )
        stabilised = domain.to_model(noisy).astype(np.float64)
        total += stabilised
        squares += stabilised * stabilised
    clean = total / draws
    variance = np.maximum(squares / draws - clean * clean, 0.0)
    pooled = math.sqrt(float(variance.mean()))
    monte_carlo = float(variance.mean()) / draws

    def error(denoised: np.ndarray) -> float:
        return float(np.mean((denoised - clean) ** 2)) - monte_carlo

    white = np.random.default_rng([*seed, 2]).standard_normal(clean.shape)
    real = error(one_step(domain.to_model(case.noisy.pixels).astype(np.float64), s))
    gaussian = error(one_step(clean + s * white, s))
    gaussian_true_std = error(one_step(clean + pooled * white, pooled))
    per_pixel = error(one_step(clean + np.sqrt(variance) * white, s))
    tenths = np.quantile(clean, [0.1, 0.9])
    low = float(variance[clean <= tenths[0]].mean()) / s**2
    high = float(variance[clean >= tenths[1]].mean()) / s**2

    def db(other: float) -> float:
        return 10.0 * math.log10(real / other)

    return db(gaussian), db(gaussian_true_std), db(per_pixel), low, high


def psnr(case: Case, pixels: np.ndarray) -> float:
    """PSNR (dB) on the ``[0, 1]`` scale of the case's storable range."""
    mse = float(np.mean((case.to_unit(pixels) - case.to_unit(case.clean.pixels)) ** 2))
    return -10.0 * math.log10(mse)


def main(argv: Sequence[str] | None = None) -> int:
    """Print, per noise level, one row per image and the means.

    Returns 0, or 2 with a one-line message when the images or the model are missing.
    """
    parser = case_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--draws", type=int, default=DRAWS, help="simulations in E[f(z)]")
    args = parser.parse_args(argv)
    check_case_args(parser, args)
    loaded = project_and_sources(args)
    if loaded is None:
        return 2
    project, sources = loaded
    denoise, physics, one_step = project.method().run, chosen_physics(args), OneStep(project)
    print(project.describe())
    for j, level in enumerate(chosen_levels(args)):
        rows = []
        for i, source in enumerate(sources):
            case = make_case(source, level, physics=physics, seed=[args.seed, i, j])
            blind = psnr(case, denoise(case))
            with detector_given(true_detector(case)):
                given = psnr(case, denoise(case))
            shape = noise_shape(
                case, one_step, quantize=physics.quantize, draws=args.draws, seed=[args.seed, i, j]
            )
            rows.append(GapRow(case.name, blind, given, *shape))
        print(f"\n{level.label}\n")
        print(
            "| image | project blind | true detector | gain | Gaussian, std s | "
            "Gaussian, true std | per-pixel variance | var / s^2, lowest tenth | highest tenth |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for row in [*rows, mean_row(rows)]:
            print(
                f"| {row.name} | {row.psnr_blind:.3f} | {row.psnr_true_detector:.3f} | "
                f"{row.psnr_true_detector - row.psnr_blind:+.3f} | {row.gaussian_db:+.3f} | "
                f"{row.gaussian_true_std_db:+.3f} | {row.per_pixel_db:+.3f} | "
                f"{row.variance_low:.3f} | {row.variance_high:.3f} |"
            )
    return 0


def mean_row(rows: Sequence[GapRow]) -> GapRow:
    """The means over images, as a row named ``mean``."""
    fields = [
        float(np.mean([getattr(row, name) for row in rows]))
        for name in GapRow.__dataclass_fields__
        if name != "name"
    ]
    return GapRow("**mean**", *fields)


if __name__ == "__main__":
    sys.exit(main())
