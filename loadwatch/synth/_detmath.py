"""Bit-for-bit reproducible numerics for the synthetic activities.

The committed sample files are compared byte for byte with a fresh run of the
generator, so every number that ends up in a file must come out the same on any
x86/ARM machine. numpy's ``sin``/``cos``/``exp`` may dispatch to SIMD
approximations that differ in the last bit between CPUs, and one flipped bit can
change a rounded coordinate. Here only IEEE basic arithmetic (each numpy ufunc
call rounds once, so nothing can be fused), ``rint`` and sequential ``cumsum``
are used; randomness is uniform doubles from PCG64, which are exact.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

# pi/2 split in two so that k * _PIO2_HI is exact for the small k we meet (Cody-Waite).
_PIO2_HI = 1.5707963267341256e00
_PIO2_LO = 6.0771005065061922e-11
_TWO_OVER_PI = 0.6366197723675814

# Taylor coefficients; on |r| <= pi/4 the truncation error is below 1e-16.
_SIN_C = (
    -1.0 / 6,
    1.0 / 120,
    -1.0 / 5040,
    1.0 / 362880,
    -1.0 / 39916800,
    1.0 / 6227020800,
    -1.0 / 1307674368000,
)
_COS_C = (
    -1.0 / 2,
    1.0 / 24,
    -1.0 / 720,
    1.0 / 40320,
    -1.0 / 3628800,
    1.0 / 479001600,
    -1.0 / 87178291200,
)


def _poly(z: FloatArray, coeffs: tuple[float, ...]) -> FloatArray:
    """Horner evaluation of 1 + c0 z + c1 z^2 + ... with one rounding per operation."""
    acc = np.full_like(z, coeffs[-1])
    for c in coeffs[-2::-1]:
        acc = np.add(np.multiply(acc, z), c)
    return np.add(np.multiply(acc, z), 1.0)


def sincos(x: FloatArray | float) -> tuple[FloatArray, FloatArray]:
    """(sin x, cos x) for angles in radians, |x| < 1e6, accurate to ~1e-15."""
    xa = np.asarray(x, dtype=np.float64)
    k = np.rint(np.multiply(xa, _TWO_OVER_PI))
    r = np.subtract(np.subtract(xa, np.multiply(k, _PIO2_HI)), np.multiply(k, _PIO2_LO))
    r2 = np.multiply(r, r)
    s = np.multiply(r, _poly(r2, _SIN_C))
    c = _poly(r2, _COS_C)
    q = np.mod(k, 4.0)
    sin_x = np.where(q == 0, s, np.where(q == 1, c, np.where(q == 2, -s, -c)))
    cos_x = np.where(q == 0, c, np.where(q == 1, -s, np.where(q == 2, -c, s)))
    return sin_x, cos_x


def sin(x: FloatArray | float) -> FloatArray:
    """Reproducible sine (radians)."""
    return sincos(x)[0]


def cos(x: FloatArray | float) -> FloatArray:
    """Reproducible cosine (radians)."""
    return sincos(x)[1]


def smooth_noise(rng: np.random.Generator, n: int, width: int) -> FloatArray:
    """``n`` values of zero-mean, unit-variance noise, correlated over ``width`` samples.

    A moving average of uniform noise (a box filter through ``cumsum``); the
    result varies slowly, like GPS wander or a runner's pace, instead of
    jumping from sample to sample.
    """
    w = max(1, int(width))
    u = rng.random(n + w) - 0.5
    c = np.cumsum(u)
    box = (c[w:] - c[:-w]) / w
    # the mean of w independent U(-1/2, 1/2) has variance 1 / (12 w)
    return box * np.sqrt(12.0 * w)
