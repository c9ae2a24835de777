"""Writes a JetTag-layout file (compound `jets` + `constituents`) as weaver-core's parquet input: jagged part_*
branches with the 7 features of Configs/top-deepsets.yaml (the hardest 128 constituents), label_qcd / label_top,
jet_pt and event_number; OUT/train.parquet holds event_number % 5 != 0, OUT/val.parquet == 0 (JetTag's
data.split.modulus=5, validationFolds [0]).   Usage: python to_parquet.py IN.h5 OUT/"""
import os
import sys

import awkward as ak
import h5py
import numpy as np


def write(jets, constituents, path):
    valid = constituents["valid"].astype(bool)
    counts = valid.sum(1)
    pt, eta, phi, energy = (constituents[k].astype(np.float32) for k in ("pt", "eta", "phi", "energy"))
    deta = eta - jets["eta"][:, None]
    dphi = (phi - jets["phi"][:, None] + np.pi) % (2 * np.pi) - np.pi
    with np.errstate(divide="ignore", invalid="ignore"):
        features = {"part_deta": deta, "part_dphi": dphi, "part_deltaR": np.hypot(deta, dphi),
                    "part_logpt": np.log(pt), "part_loge": np.log(energy),
                    "part_logptrel": np.log(pt / jets["pt"][:, None]),
                    "part_logerel": np.log(energy / jets["energy"][:, None])}
    columns = {k: ak.unflatten(v[valid].astype(np.float32), counts) for k, v in features.items()}
    columns["part_mask"] = ak.unflatten(np.ones(int(counts.sum()), np.float32), counts)
    columns["label_top"] = np.ascontiguousarray(jets["label"] == 1)
    columns["label_qcd"] = np.ascontiguousarray(jets["label"] == 0)
    columns["jet_pt"] = np.ascontiguousarray(jets["pt"], np.float32)
    columns["event_number"] = np.ascontiguousarray(jets["event_number"], np.int64)
    ak.to_parquet(ak.Array(columns), path)
    print(path, len(jets))


source, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
with h5py.File(source) as f:
    jets, constituents = f["jets"][:], f["constituents"][:, :128]
validation = jets["event_number"] % 5 == 0
write(jets[~validation], constituents[~validation], os.path.join(out, "train.parquet"))
write(jets[validation], constituents[validation], os.path.join(out, "val.parquet"))
