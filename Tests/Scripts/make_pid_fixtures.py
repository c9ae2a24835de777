"""Writes Tests/JetFeaturesTests/Fixtures/particle_id.json: ParT's particle-ID flags of the shipped sample's
constituents, computed with numpy from h5py's read of `pdg_id` (the definitions of ParT's
utils/convert_qg_datasets.py: charged hadron |pdg| in {211, 321, 2212}, neutral hadron |pdg| in {130, 2112},
photon pdg == 22, electron |pdg| == 11, muon |pdg| == 13), which JetTag's isChargedHadron ... isMuon must
reproduce. For the hardest 128 constituents of every jet: per flag the number of flagged constituents per jet and
the sum of their indices (0-based, pT order) per jet, and the charge sum per jet.

Run from the package root: python3 Tests/Scripts/make_pid_fixtures.py   (needs h5py, numpy)
"""
import json
import os

import h5py
import numpy as np

root = os.path.join(os.path.dirname(__file__), "..", "..")
slots = 128
with h5py.File(os.path.join(root, "Datasets", "top_qcd_sample.h5"), "r") as f:
    constituents = f["constituents"][:, :slots]
valid = constituents["valid"].astype(bool)
pdg = constituents["pdg_id"].astype(np.int64)
code = np.abs(pdg)
flags = {
    "isChargedHadron": np.isin(code, [211, 321, 2212]),
    "isNeutralHadron": np.isin(code, [130, 2112]),
    "isPhoton": pdg == 22,
    "isElectron": code == 11,
    "isMuon": code == 13,
}
index = np.broadcast_to(np.arange(slots), valid.shape)
out = {"maxConstituents": slots, "jets": int(valid.shape[0]), "flags": {}}
for name, flag in flags.items():
    flag = flag & valid
    out["flags"][name] = {
        "counts": flag.sum(axis=1).astype(int).tolist(),
        "indexSums": np.where(flag, index, 0).sum(axis=1).astype(int).tolist(),
    }
out["chargeSums"] = np.where(valid, constituents["charge"].astype(np.int64), 0).sum(axis=1).astype(int).tolist()
path = os.path.join(root, "Tests", "JetFeaturesTests", "Fixtures", "particle_id.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print(path, {k: int(sum(v["counts"])) for k, v in out["flags"].items()})
