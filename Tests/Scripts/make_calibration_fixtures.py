"""Writes Tests/JetMetricsTests/Fixtures/calibration_reference.json: numpy references for
ReliabilityDiagram (weighted reliability bins, binomial errors from effective counts, ECE) and
TemperatureScaling (the T where the derivative of the weighted NLL vanishes, found by bisection; an
independent method from JetTag's grid + golden-section search).

Run: python3 Tests/Scripts/make_calibration_fixtures.py (numpy only; seeded, so the file is reproducible).
"""
import json
import pathlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parents[1] / "JetMetricsTests" / "Fixtures" / "calibration_reference.json"
BINS = 10


def reliability(prob, labels, weights, c):
    p = prob[:, c].astype(np.float64)
    w = weights.astype(np.float64)
    b = np.minimum(np.maximum((p * BINS).astype(int), 0), BINS - 1)
    bins = []
    filled = []
    for k in range(BINS):
        sel = b == k
        sw, sw2 = w[sel].sum(), (w[sel] ** 2).sum()
        if sw > 0:
            pred = (w[sel] * p[sel]).sum() / sw
            obs = (w[sel] * (labels[sel] == c)).sum() / sw
            neff = sw * sw / sw2
            err = np.sqrt(max(obs * (1 - obs), 0) / neff)
            filled.append((sw, obs, pred))
        else:
            pred = obs = err = None
        bins.append({"jets": int(sel.sum()), "sum_weights": sw, "mean_predicted": pred, "observed_fraction": obs,
                     "observed_fraction_error": err})
    total = sum(f[0] for f in filled)
    ece = sum(f[0] / total * abs(f[1] - f[2]) for f in filled)
    return {"bins": bins, "ece": ece}


def log_probability(z, labels, t):
    z = z.astype(np.float64) / t
    if z.shape[1] == 1:
        x = np.where(labels == 1, z[:, 0], -z[:, 0])
        return -np.logaddexp(0, -x)
    m = z.max(axis=1, keepdims=True)
    return z[np.arange(len(labels)), labels] - m[:, 0] - np.log(np.exp(z - m).sum(axis=1))


def nll(z, labels, w, t):
    w = w.astype(np.float64)
    return -(w * log_probability(z, labels, t)).sum() / w.sum()


def gradient(z, labels, w, t):
    """d NLL / d T = sum w (z_y - E_p[z]) / T^2 / sum w for softmax; the sigmoid case as two classes [0, z]."""
    z = z.astype(np.float64)
    if z.shape[1] == 1:
        z = np.concatenate([np.zeros_like(z), z], axis=1)
    q = z / t
    p = np.exp(q - q.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    w = w.astype(np.float64)
    return (w * (z[np.arange(len(labels)), labels] - (p * z).sum(axis=1))).sum() / t ** 2 / w.sum()


def fitted_temperature(z, labels, w):
    lo, hi = 0.01, 100.0
    assert gradient(z, labels, w, lo) < 0 < gradient(z, labels, w, hi)
    for _ in range(200):
        mid = np.sqrt(lo * hi)
        if gradient(z, labels, w, mid) < 0:
            lo = mid
        else:
            hi = mid
    return np.sqrt(lo * hi)


def case(rng, jets, classes, scale, negative):
    labels = rng.integers(0, classes, size=jets)
    logit_count = 1 if classes == 2 else classes
    if logit_count == 1:
        z = (scale * (2 * labels - 1) + rng.normal(0, 2.0, size=jets))[:, None]
    else:
        z = rng.normal(0, 1.5, size=(jets, classes))
        z[np.arange(jets), labels] += scale
    z = z.astype(np.float32)
    w = rng.uniform(0.5, 1.5, size=jets)
    w[rng.uniform(size=jets) < negative] *= -0.3
    w = w.astype(np.float32)
    zd = z.astype(np.float64)
    if logit_count == 1:
        p1 = 1 / (1 + np.exp(-zd[:, 0]))
        prob = np.stack([1 - p1, p1], axis=1)
    else:
        e = np.exp(zd - zd.max(axis=1, keepdims=True))
        prob = e / e.sum(axis=1, keepdims=True)
    prob = prob.astype(np.float32)
    t = fitted_temperature(z, labels, w)
    return {
        "logit_count": logit_count, "logits": z.ravel().tolist(), "probabilities": prob.ravel().tolist(),
        "labels": labels.tolist(), "weights": w.tolist(),
        "reliability": [reliability(prob, labels, w, c) for c in range(classes)],
        "temperature": t, "nll_at_1": nll(z, labels, w, 1.0), "nll_at_t": nll(z, labels, w, t),
    }


def main():
    rng = np.random.default_rng(18)
    fixture = {
        "binary": case(rng, 500, 2, 3.0, 0.1),
        "multiclass": case(rng, 400, 3, 2.5, 0.05),
    }
    OUT.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {OUT}: T binary {fixture['binary']['temperature']:.6f}, 3-class {fixture['multiclass']['temperature']:.6f}")


if __name__ == "__main__":
    main()
