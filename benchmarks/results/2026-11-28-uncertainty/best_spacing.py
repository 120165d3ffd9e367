"""Flat-prior limit: the best spread any spacing of n posterior-variance steps can give."""

import numpy as np
from scipy.optimize import minimize


def F(u):
    u = np.concatenate([[1.0], u])
    return np.sum(u[1:] * (1 - u[1:] / u[:-1]))


for n in (2, 3, 5, 10, 20, 40):
    m = n - 1
    x0 = np.log(np.linspace(1, 0, n + 1)[1:-1])
    res = minimize(
        lambda z: -F(np.exp(z)),
        x0,
        method="Nelder-Mead" if m < 3 else "BFGS",
        options={"maxiter": 20000},
    )
    u = np.exp(res.x)
    print(
        n,
        "best var share",
        round(-res.fun, 4),
        "std ratio",
        round(np.sqrt(-res.fun), 4),
        "u",
        np.round(u, 3)[:6],
        "... last",
        round(u[-1], 4) if m else None,
    )
