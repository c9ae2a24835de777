#!/usr/bin/env python3
"""The statistical floor of reweighting closure (the floor quoted in Benchmarks/RESULTS.md).

A binned reweighter in one observable at a time (the closure's 20 target-quantile bins), trained on folds 0..3
(event_number % 8) and applied to the held-out folds 4..7, judged with the closure's chi2/ndf (normalised shapes,
sum-of-w^2 errors of both held-out histograms). It learns each bin's ratio exactly up to the training folds'
statistics, so its chi2/ndf above 1 is what finite training statistics alone cost. The bootstrap column repeats it
on Poisson(1) replicas of the training jets (which adds a second fluctuation of the same size: its mean is about
1 + 2 x the cost). The observables are computed as JetTag's JetObservable does (see reweight_hepml.py).

    python3 Benchmarks/reweight_binned_floor.py SOURCE.h5 TARGET.h5 [TRUTH.h5]
"""
import sys

import h5py
import numpy as np


def load(path):
    with h5py.File(path, "r") as f:
        jets = f["jets"][:]; valid = f["constituents"]["valid"][:].astype(bool)
        pt = np.where(valid, f["constituents"]["pt"][:], 0).astype(np.float64)
        eta = f["constituents"]["eta"][:]; phi = f["constituents"]["phi"][:]
    deta = eta - jets["eta"][:, None]; dphi = phi - jets["phi"][:, None]
    dphi = dphi - 2 * np.pi * np.round(dphi / (2 * np.pi)); dr = np.sqrt(deta.astype(np.float64)**2 + dphi**2)
    obs = {"mass": jets["mass"].astype(np.float64), "multiplicity": valid.sum(1).astype(np.float64), "pt": jets["pt"].astype(np.float64),
           "width": (pt * dr).sum(1) / jets["pt"], "ptd": np.sqrt((pt**2).sum(1)) / pt.sum(1)}
    return obs, jets["weight"].astype(np.float64), (jets["event_number"] % 8)
def edges_of(target, source, bins=20):
    s = np.sort(target); lo = min(s[0], source.min()); hi = max(s[-1], source.max())
    e = [lo]
    for k in range(1, bins):
        v = s[k * len(s) // bins]
        if v > e[-1] and v < hi: e.append(v)
    e.append(np.nextafter(hi, np.inf)); return np.array(e)
def hist(x, w, e):
    i = np.clip(np.searchsorted(e, x, side="right") - 1, 0, len(e) - 2)
    return np.bincount(i, w, len(e) - 1), np.bincount(i, w * w, len(e) - 1)
def chi2(a, b):
    (p, p2), (q, q2) = a, b; P, Q = p.sum(), q.sum()
    var = p2 / P**2 + q2 / Q**2; m = var > 0
    return ((p / P - q / Q)[m] ** 2 / var[m]).sum() / (m.sum() - 1)
rng = np.random.default_rng(1)
(src, ws, fs), (tgt, wt, ft) = load(sys.argv[1]), load(sys.argv[2])
truth = load(sys.argv[3]) if len(sys.argv) > 3 else (tgt, wt, ft)
train_s, train_t, held_s = fs < 4, ft < 4, fs >= 4
held_truth = truth[2] >= 4
for name in ["mass", "multiplicity", "pt", "width", "ptd"]:
    e = edges_of(truth[0][name][held_truth], src[name][held_s])
    target_h = hist(truth[0][name][held_truth], truth[1][held_truth], e)
    i = np.clip(np.searchsorted(e, src[name][held_s], side="right") - 1, 0, len(e) - 2)
    def after(ps, pt):
        hs, _ = hist(src[name][train_s], ws[train_s] * ps, e); ht, _ = hist(tgt[name][train_t], wt[train_t] * pt, e)
        ratio = np.where(hs > 0, (ht / ht.sum()) / np.where(hs > 0, hs / hs.sum(), 1), 1)
        return chi2(hist(src[name][held_s], ws[held_s] * ratio[i], e), target_h)
    # Bootstrap (Poisson(1) replicas of the training jets): the spread of the floor over training samples.
    boot = [after(rng.poisson(1, train_s.sum()), rng.poisson(1, train_t.sum())) for _ in range(200)]
    print(f"{name:13s} before {chi2(hist(src[name][held_s], ws[held_s], e), target_h):6.2f}  binned reweighter after {after(1, 1):6.2f}"
          f"  bootstrap over training samples: mean {np.mean(boot):5.2f}, 16-84% {np.percentile(boot, 16):5.2f}-{np.percentile(boot, 84):5.2f}")
