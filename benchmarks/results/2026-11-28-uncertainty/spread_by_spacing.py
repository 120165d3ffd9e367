"""Exact spread of DDPM (posterior-variance) samples, Gaussian data N(0, 0.5^2), by step spacing."""

import math

import numpy as np

from core.diffusion import NoiseSchedule

S = NoiseSchedule()
C = 0.5


def ratio(times, C=C):
    v = 0.0
    for t, s in zip(times[:-1], times[1:], strict=True):
        ab_t, ab_s = S.abar(t), S.abar(s)
        k = math.sqrt(1 - ab_t) / (ab_t * C * C + 1 - ab_t)  # eps = k x_t
        x0c = (1 - math.sqrt(1 - ab_t) * k) / math.sqrt(ab_t)  # x0 = x0c x_t
        var = (1 - ab_s) / (1 - ab_t) * (1 - ab_t / ab_s)
        g = math.sqrt(ab_s) * x0c + math.sqrt(max(1 - ab_s - var, 0)) * k
        v = g * g * v + var
    sig = S.sigma(times[0])
    return math.sqrt(v) / (C * sig / math.sqrt(C * C + sig * sig))


def uniform(ts, n):
    return np.linspace(ts, 0, n + 1)


def logsig(ts, n, f):
    s0 = S.sigma(ts)
    sig = np.exp(np.linspace(math.log(s0), math.log(s0 * f), n))
    return np.append(S.timestep_for_sigma(sig), 0.0)


def karras(ts, n, f, rho=7):
    s0 = S.sigma(ts)
    s1 = s0 * f
    sig = (s0 ** (1 / rho) + np.linspace(0, 1, n) * (s1 ** (1 / rho) - s0 ** (1 / rho))) ** rho
    return np.append(S.timestep_for_sigma(sig), 0.0)


for sig in (0.018, 0.1, 0.005):
    ts = S.timestep_for_sigma(sig)
    print(f"sigma* {sig}  t* {ts:.3f}")
    print(
        " uniform   ", " ".join(f"{n}:{ratio(uniform(ts, n)):.3f}" for n in (2, 5, 10, 20, 40, 200))
    )
    for f in (0.3, 0.2, 0.1, 0.05, 0.02, 0.01):
        print(
            f" logsig {f:<4}",
            " ".join(f"{n}:{ratio(logsig(ts, n, f)):.3f}" for n in (2, 5, 10, 20, 40, 200)),
        )
    for f in (0.1, 0.05, 0.02, 0.01):
        print(
            f" karras {f:<4}",
            " ".join(f"{n}:{ratio(karras(ts, n, f)):.3f}" for n in (2, 5, 10, 20, 40, 200)),
        )
