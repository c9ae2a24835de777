#!/usr/bin/env python3
"""Reference values for Tests/JetMetricsTests from scikit-learn, numpy, scipy and hep_ml (positive weights only).

Regenerate with:  python3 Tests/Scripts/make_metrics_fixtures.py
Writes Tests/JetMetricsTests/Fixtures/metrics_reference.json. Inputs are float32 (as JetTag reads them),
stored exactly as JSON doubles; every reference is computed from those float32 values.
"""
import json
import pathlib

import hep_ml
import numpy as np
import scipy
import sklearn
from hep_ml.metrics_utils import ks_2samp_weighted
from scipy.stats import ks_2samp
from sklearn.metrics import (confusion_matrix, precision_recall_fscore_support, roc_auc_score,
                             roc_curve)

OUT = pathlib.Path(__file__).resolve().parent.parent / "JetMetricsTests" / "Fixtures" / "metrics_reference.json"


def floats(a):
    return [float(x) for x in np.asarray(a, dtype=np.float64)]


def main():
    rng = np.random.default_rng(20261121)
    n = 300
    # Binary: scores rounded to 2 decimals so that many ties occur; positive weights.
    is_signal = rng.random(n) < 0.4
    scores = np.round(rng.normal(0.6, 0.2, n) * is_signal + rng.normal(0.4, 0.2, n) * ~is_signal, 2)
    scores = scores.astype(np.float32)
    weights = rng.uniform(0.2, 2.0, n).astype(np.float32)
    fpr, tpr, thresholds = roc_curve(is_signal, scores, sample_weight=weights, drop_intermediate=False)
    auc = roc_auc_score(is_signal, scores, sample_weight=weights)
    threshold = np.float32(0.5)
    predicted = (scores >= threshold).astype(int)
    binary_cm = confusion_matrix(is_signal.astype(int), predicted, sample_weight=weights)
    bp, br, bf, _ = precision_recall_fscore_support(is_signal.astype(int), predicted, sample_weight=weights,
                                                    average="binary", pos_label=1)

    # Three classes: argmax confusion matrix, per-class precision/recall/F1, class 1 vs rest ROC AUC.
    classes = rng.integers(0, 3, n)
    logits = rng.normal(0, 1, (n, 3)) + 1.5 * np.eye(3)[classes]
    probabilities = (np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)).astype(np.float32)
    multi_cm = confusion_matrix(classes, probabilities.argmax(axis=1), labels=[0, 1, 2], sample_weight=weights)
    mp, mr, mf, ms = precision_recall_fscore_support(classes, probabilities.argmax(axis=1), labels=[0, 1, 2],
                                                     sample_weight=weights, average=None)
    auc_1_vs_rest = roc_auc_score(classes == 1, probabilities[:, 1], sample_weight=weights)
    keep = classes != 2
    auc_1_vs_0 = roc_auc_score(classes[keep] == 1, probabilities[keep, 1], sample_weight=weights[keep])

    # Histograms: values include the edges themselves and points outside the range.
    values = np.concatenate([rng.normal(0, 1.5, n - 6), [-3.0, 3.0, 0.0, -3.5, 4.0, 1.5]]).astype(np.float32)
    uniform_edges = np.linspace(-3.0, 3.0, 13)
    variable_edges = np.array([-3.0, -1.0, -0.25, 0.0, 0.5, 2.0, 3.0])
    histograms = {}
    for name, edges in [("uniform", uniform_edges), ("variable", variable_edges)]:
        v64 = values.astype(np.float64)
        w64 = weights.astype(np.float64)
        sumw, _ = np.histogram(v64, bins=edges, weights=w64)
        sumw2, _ = np.histogram(v64, bins=edges, weights=w64 ** 2)
        histograms[name] = {
            "edges": floats(edges), "sum_weights": floats(sumw), "sum_weights_squared": floats(sumw2),
            "underflow": float(w64[v64 < edges[0]].sum()), "overflow": float(w64[v64 > edges[-1]].sum()),
        }
    probabilities_q = [0.0, 0.1, 0.16, 0.5, 0.84, 0.9, 1.0]
    v64 = values.astype(np.float64)
    w64 = weights.astype(np.float64)
    summary = {
        "mean": float(np.average(v64, weights=w64)),
        "std": float(np.sqrt(np.average((v64 - np.average(v64, weights=w64)) ** 2, weights=w64))),
        "quantile_probabilities": probabilities_q,
        "quantiles": floats(np.quantile(v64, probabilities_q, weights=w64, method="inverted_cdf")),
        "effective_sample_size": float(w64.sum() ** 2 / (w64 ** 2).sum()),
    }

    # Two-sample Kolmogorov-Smirnov: values rounded to share ties within and across the samples.
    first = np.round(rng.normal(0, 1, 250), 1).astype(np.float32)
    second = np.round(rng.normal(0.3, 1.2, 180), 1).astype(np.float32)
    first_weights = rng.uniform(0.1, 3.0, 250).astype(np.float32)
    second_weights = rng.uniform(0.1, 3.0, 180).astype(np.float32)
    grid = np.unique(np.concatenate([first, second]))

    def cdf(values, weights):
        sums = np.bincount(np.searchsorted(grid, values), weights=weights.astype(np.float64), minlength=len(grid))
        return np.cumsum(sums) / sums.sum()

    ks = {
        "first": floats(first), "second": floats(second),
        "first_weights": floats(first_weights), "second_weights": floats(second_weights),
        "unweighted_scipy": float(ks_2samp(first, second).statistic),
        "weighted": float(np.max(np.abs(cdf(first, first_weights) - cdf(second, second_weights)))),
        "weighted_symmetrized_hep_ml": float(ks_2samp_weighted(
            first, second, first_weights.astype(np.float64), second_weights.astype(np.float64))),
    }

    fixture = {
        "generator": f"Tests/Scripts/make_metrics_fixtures.py (scikit-learn {sklearn.__version__}, "
                     f"numpy {np.__version__}, scipy {scipy.__version__}, hep_ml {hep_ml.__version__})",
        "binary": {
            "scores": floats(scores), "is_signal": [bool(x) for x in is_signal], "weights": floats(weights),
            "roc_auc": float(auc), "fpr": floats(fpr), "tpr": floats(tpr),
            "thresholds": [float(t) if np.isfinite(t) else "inf" for t in thresholds],
            "threshold": float(threshold), "confusion_matrix": binary_cm.tolist(),
            "precision": float(bp), "recall": float(br), "f1": float(bf),
        },
        "multiclass": {
            "labels": classes.tolist(), "probabilities": floats(probabilities.ravel()), "weights": floats(weights),
            "confusion_matrix": multi_cm.tolist(), "precision": floats(mp), "recall": floats(mr), "f1": floats(mf),
            "support": floats(ms), "roc_auc_1_vs_rest": float(auc_1_vs_rest), "roc_auc_1_vs_0": float(auc_1_vs_0),
        },
        "histograms": {"values": floats(values), "weights": floats(weights), **histograms},
        "summary": summary,
        "kolmogorov_smirnov": ks,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
