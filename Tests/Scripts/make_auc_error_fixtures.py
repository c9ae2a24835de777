"""Writes Tests/JetMetricsTests/Fixtures/auc_error_reference.json: numpy references for ROCCurve.aucError.

The AUC's standard error by DeLong, DeLong and Clarke-Pearson (1988), computed from the definition with the full
signal x background comparison matrix psi(s, b) = 1 if s > b, 1/2 if s == b, 0 otherwise (O(n^2), independent of
JetTag's merged sorted curve):
- "unit": unit weights, DeLong's textbook form sqrt(S10 / m + S01 / n) with S10, S01 the variances (ddof=1) of the
  placement values V10_i = mean_j psi(s_i, b_j) and V01_j = mean_i psi(s_i, b_j);
- "weighted": signed weights w, the weighted placements V10_i = sum_j v_j psi / W_B, V01_j = sum_i u_i psi / W_S and
  sigma^2 = sum_i u_i^2 (V10_i - A)^2 / (W_S^2 - sum u^2) + sum_j v_j^2 (V01_j - A)^2 / (W_B^2 - sum v^2),
  which is the unit form for unit weights.
Scores are float32 rounded to 0.02 so that ties occur.

Run: python3 Tests/Scripts/make_auc_error_fixtures.py (numpy only; seeded, so the file is reproducible).
"""
import json
import pathlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parents[1] / "JetMetricsTests" / "Fixtures" / "auc_error_reference.json"


def sample(rng, signal, background, signed):
    scores = np.concatenate([rng.normal(1.0, 1.0, signal), rng.normal(0.0, 1.0, background)])
    scores = (np.round(scores / 0.02) * 0.02).astype(np.float32)
    is_signal = np.concatenate([np.ones(signal, bool), np.zeros(background, bool)])
    if signed:
        weights = rng.uniform(0.2, 2.0, signal + background)
        weights[rng.random(signal + background) < 0.1] *= -1
    else:
        weights = np.ones(signal + background)
    order = rng.permutation(signal + background)
    return scores[order], is_signal[order], weights.astype(np.float32)[order]


def delong(scores, is_signal, weights):
    s, b = scores[is_signal].astype(np.float64), scores[~is_signal].astype(np.float64)
    u, v = weights[is_signal].astype(np.float64), weights[~is_signal].astype(np.float64)
    psi = (s[:, None] > b[None, :]) + 0.5 * (s[:, None] == b[None, :])
    v10 = psi @ v / v.sum()
    v01 = u @ psi / u.sum()
    auc = u @ v10 / u.sum()
    variance = (u**2 @ (v10 - auc) ** 2) / (u.sum() ** 2 - (u**2).sum()) + (v**2 @ (v01 - auc) ** 2) / (
        v.sum() ** 2 - (v**2).sum())
    textbook = np.var(v10, ddof=1) / len(s) + np.var(v01, ddof=1) / len(b)
    return float(auc), float(np.sqrt(variance)), float(np.sqrt(textbook))


def case(rng, signal, background, signed):
    scores, is_signal, weights = sample(rng, signal, background, signed)
    auc, error, textbook = delong(scores, is_signal, weights)
    if not signed:
        assert abs(error - textbook) < 1e-12, "the weighted form must reduce to DeLong's for unit weights"
    return {"scores": scores.tolist(), "is_signal": is_signal.tolist(), "weights": weights.tolist(), "auc": auc,
            "auc_error": error}


def main():
    rng = np.random.default_rng(20261204)
    reference = {"generator": f"numpy {np.__version__}", "unit": case(rng, 300, 400, False),
                 "weighted": case(rng, 350, 450, True)}
    OUT.write_text(json.dumps(reference) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
