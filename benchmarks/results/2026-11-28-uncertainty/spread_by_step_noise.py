"""Exact spread of the DDPM samples over the posterior's, Gaussian data N(0, C^2), exact eps.

Per C (0.5, 0.018, 0.005) and step-noise weight w (0: posterior variance, 1: beta), at 2, 5, 10,
20 and 40 steps uniform in t from the t* of sigma 0.018. core/denoise/uncertainty.py quotes it."""

import math

import numpy as np

from core.diffusion import NoiseSchedule

S = NoiseSchedule()


def ratio(times, C, w):
    v = 0.0
    for t, s in zip(times[:-1], times[1:], strict=True):
        ab_t, ab_s = S.abar(t), S.abar(s)
        k = math.sqrt(1 - ab_t) / (ab_t * C * C + 1 - ab_t)
        x0c = (1 - math.sqrt(1 - ab_t) * k) / math.sqrt(ab_t)
        beta = 1 - ab_t / ab_s
        c0 = math.sqrt(ab_s) * beta / (1 - ab_t)
        c1 = math.sqrt(ab_t / ab_s) * (1 - ab_s) / (1 - ab_t)
        g = c0 * x0c + c1
        bt = beta * (1 - ab_s) / (1 - ab_t)
        var = bt ** (1 - w) * beta**w if bt > 0 else (beta if w == 1 else 0.0)
        v = g * g * v + var
    sig = S.sigma(times[0])
    return math.sqrt(v) / (C * sig / math.sqrt(C * C + sig * sig))


ts = S.timestep_for_sigma(0.018)
for C in (0.5, 0.018, 0.005):
    for w in (0, 0.5, 1):
        print(
            C,
            w,
            " ".join(
                f"{n}:{ratio(np.linspace(ts, 0, n + 1), C, w):.3f}" for n in (2, 5, 10, 20, 40)
            ),
        )
