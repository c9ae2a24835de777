"""Writes Tests/JetFeaturesTests/Fixtures/percentiles.json: heavy-tailed float32 samples and numpy's percentiles
(the default linear interpolation) and weaver-core's "auto" standardisation of them (median centre, scale
1 / max(p84 - p50, p50 - p16)), which QuantileSample and the robust StandardizationFitter must reproduce.

Run from the package root: python3 Tests/Scripts/make_features_fixtures.py   (needs numpy)
"""
import json
import os

import numpy as np

rng = np.random.default_rng(20261202)
samples = {
    "lognormal": rng.lognormal(0.0, 1.5, size=2001).astype(np.float32),
    "student_t": rng.standard_t(2.0, size=999).astype(np.float32),
    "ties": rng.integers(0, 4, size=50).astype(np.float32),
}
out = {}
for name, values in samples.items():
    x = values.astype(np.float64)
    low, centre, high = np.percentile(x, [16, 50, 84])
    width = max(high - centre, centre - low)
    out[name] = {
        "values": values.tolist(),
        "percentiles": {str(q): float(np.percentile(x, q)) for q in (0, 5, 16, 50, 84, 95, 100)},
        "centre": float(centre),
        "scale": float(1 / width if width > 0 else 1),
    }
path = os.path.join(os.path.dirname(__file__), "..", "JetFeaturesTests", "Fixtures", "percentiles.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path)
