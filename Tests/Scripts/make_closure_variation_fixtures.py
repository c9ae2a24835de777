#!/usr/bin/env python3
"""Reference values for the closure's weight-variation spread (Tests/JetMetricsTests/ClosureTests.swift), from numpy.

Regenerate with:  python3 Tests/Scripts/make_closure_variation_fixtures.py
Writes Tests/JetMetricsTests/Fixtures/closure_variations.json. Inputs are float32 (as JetTag reads them), stored
exactly as JSON doubles. Per bin: the normalised weighted histogram of the source under each of the variations'
weights, their standard deviation (ddof=1), and the chi2 of the nominal reweighted shape against the target
with that spread added in quadrature to the sum-of-w^2 errors of both normalised shapes (ndf = bins - 1).
"""
import json
import pathlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent.parent / "JetMetricsTests" / "Fixtures" / "closure_variations.json"


def floats(a):
    return [float(x) for x in np.asarray(a, dtype=np.float64)]


def main():
    rng = np.random.default_rng(20260518)
    source = rng.normal(0, 1, 400).astype(np.float32)
    target = rng.normal(0.3, 1.1, 300).astype(np.float32)
    old = rng.uniform(0.5, 1.5, source.size).astype(np.float32)
    new = (old * np.exp(0.3 * source)).astype(np.float32)
    # Variations: the nominal ratio with a per-variation smooth distortion and jitter.
    variations = [
        (new * np.exp(rng.normal(0, 0.2) * source + rng.normal(0, 0.05, source.size))).astype(np.float32)
        for _ in range(5)
    ]
    target_weights = rng.uniform(0.5, 1.5, target.size).astype(np.float32)
    low = float(min(source.min(), target.min()))
    high = float(np.nextafter(max(source.max(), target.max()), np.inf))
    edges = np.linspace(low, high, 9)

    def shape(values, weights):
        w = weights.astype(np.float64)
        sums, _ = np.histogram(values.astype(np.float64), bins=edges, weights=w)
        squares, _ = np.histogram(values.astype(np.float64), bins=edges, weights=w * w)
        total = sums.sum()
        return sums / total, squares / total ** 2

    shapes = np.array([shape(source, v)[0] for v in variations])
    spread = shapes.std(axis=0, ddof=1)
    p, p2 = shape(source, new)
    q, q2 = shape(target, target_weights)
    variance = p2 + q2 + spread ** 2
    chi2 = float(np.sum((p - q) ** 2 / variance))
    json.dump({
        "generator": f"numpy {np.__version__}",
        "edges": floats(edges), "source": floats(source), "target": floats(target), "old_weights": floats(old),
        "new_weights": floats(new), "variation_weights": [floats(v) for v in variations],
        "target_weights": floats(target_weights),
        "spread": floats(spread), "chi2_after_with_variations": chi2, "ndf": len(edges) - 2,
        "chi2_after": float(np.sum((p - q) ** 2 / (p2 + q2))),
    }, open(OUT, "w"), indent=1)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
