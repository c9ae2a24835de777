#!/usr/bin/env python3
"""hep_ml's GBReweighter on the reweighting benchmark: the reference side of Benchmarks/reweight.sh.

Reads the source and target files, computes the five closure observables exactly as JetTag's JetObservable does
(mass, multiplicity = real constituents, pt, width = sum pt_i dR_i / pt_jet, pT_D = sqrt(sum pt_i^2) / sum pt_i),
fits GBReweighter on the jets with event_number % 8 in 0..3 (JetTag's training and validation folds), predicts
new weights for every source jet, normalises them so the reweighted source's total equals the target's on those
folds, and writes a copy of the source file with the new weights as the jet field `hepml_weight`, so that
`jettag reweight closure --new-weight-field hepml_weight` judges them with the same held-out folds, binning and
two-sample classifier as JetTag's own weights. Prints one JSON line with the fit and predict wall times.

    python3 Benchmarks/reweight_hepml.py SOURCE.h5 TARGET.h5 OUT.h5
"""
import json
import sys
import time

import h5py
import numpy as np
from hep_ml.reweight import GBReweighter

MODULUS, TRAINING_FOLDS = 8, (0, 1, 2, 3)


def observables(path):
    with h5py.File(path, "r") as f:
        jets = f["jets"][:]
        constituents = f["constituents"][:]
    valid = constituents["valid"].astype(bool)
    pt = np.where(valid, constituents["pt"], 0).astype(np.float64)
    deta = constituents["eta"] - jets["eta"][:, None]
    dphi = constituents["phi"] - jets["phi"][:, None]
    dphi = dphi - 2 * np.pi * np.round(dphi / (2 * np.pi))
    dr = np.sqrt(deta.astype(np.float64) ** 2 + dphi.astype(np.float64) ** 2)
    width = (pt * dr).sum(axis=1) / jets["pt"]
    ptd = np.sqrt((pt**2).sum(axis=1)) / pt.sum(axis=1)
    x = np.stack([jets["mass"], valid.sum(axis=1), jets["pt"], width, ptd], axis=1).astype(np.float64)
    return jets, x


def main(source_path, target_path, out_path):
    source_jets, source_x = observables(source_path)
    target_jets, target_x = observables(target_path)
    in_training = lambda jets: np.isin(jets["event_number"] % MODULUS, TRAINING_FOLDS)
    s, t = in_training(source_jets), in_training(target_jets)
    w_source = source_jets["weight"].astype(np.float64)
    w_target = target_jets["weight"].astype(np.float64)
    reweighter = GBReweighter(n_estimators=200, learning_rate=0.1, max_depth=3, min_samples_leaf=200, gb_args={"subsample": 0.5})
    start = time.perf_counter()
    reweighter.fit(source_x[s], target_x[t], original_weight=w_source[s], target_weight=w_target[t])
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    new = reweighter.predict_weights(source_x, original_weight=w_source)
    predict_seconds = time.perf_counter() - start
    new *= w_target[t].sum() / new[s].sum()

    with h5py.File(source_path, "r") as f, h5py.File(out_path, "w") as out:
        for name, value in f.attrs.items():
            out.attrs[name] = value
        jets = f["jets"][:]
        dtype = np.dtype(jets.dtype.descr + [("hepml_weight", "<f4")])
        copy = np.empty(len(jets), dtype=dtype)
        for name in jets.dtype.names:
            copy[name] = jets[name]
        copy["hepml_weight"] = new.astype(np.float32)
        out.create_dataset("jets", data=copy, chunks=(1000,), compression="gzip", compression_opts=4, shuffle=True)
        out.create_dataset("constituents", data=f["constituents"][:], chunks=(1000, f["constituents"].shape[1]), compression="gzip",
                           compression_opts=4, shuffle=True)
    print(json.dumps({"tool": "hep_ml GBReweighter", "fit_seconds": fit_seconds, "predict_seconds": predict_seconds,
                      "training_jets": int(s.sum() + t.sum())}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
