"""Writes the JetDataTests fixtures: small HDF5 files of every input layout and numeric type, and
expected.json with the values (as float32, computed here with numpy) the Swift readers must return.

Run from the package root: python3 Tests/Scripts/make_data_fixtures.py
Needs h5py, numpy, pandas, tables (for the genuine pandas to_hdf "fixed" frame).
"""
import json
import os

import h5py
import numpy as np
import pandas as pd

OUT = os.path.join(os.path.dirname(__file__), "..", "JetDataTests", "Fixtures")
rng = np.random.default_rng(20261121)
expected = {}


def constituents_like(n, m):
    """Real constituents a prefix of random length 1..m, pt sorted descending; padding zero."""
    counts = rng.integers(1, m + 1, size=n)
    valid = np.arange(m)[None, :] < counts[:, None]
    pt = np.sort(rng.exponential(20.0, size=(n, m)), axis=1)[:, ::-1] * valid
    eta = rng.normal(0, 1, size=(n, m)) * valid
    phi = rng.uniform(-np.pi, np.pi, size=(n, m)) * valid
    return counts, valid, pt, eta, phi


def record(name, rows, jet_fields, constituent_fields, multiplicities, event_numbers):
    """Expected values at `rows`: jet fields (row values), constituent fields ([rows, P] flattened)."""
    rows = list(rows)
    expected[name] = {
        "rows": rows,
        "jetFields": {k: [float(np.float32(v[r])) for r in rows] for k, v in jet_fields.items()},
        "constituentFields": {
            k: [float(np.float32(x)) for r in rows for x in np.asarray(v[r]).ravel()]
            for k, v in constituent_fields.items()
        },
        "multiplicities": [int(multiplicities[r]) for r in rows],
        "eventNumbers": [int(event_numbers[r]) for r in rows],
    }


def compound(path, n=70, m=12, chunk=16):
    """ATLAS-style compound file like the development samples, chunked with an edge chunk, gzip + shuffle."""
    counts, valid, pt, eta, phi = constituents_like(n, m)
    jets = np.zeros(n, dtype=[("pt", "f4"), ("eta", "f4"), ("phi", "f4"), ("mass", "f4"), ("energy", "f4"),
                              ("n_constituents", "i4"), ("label", "i4"), ("weight", "f4"), ("event_number", "i8")])
    jets["pt"] = rng.uniform(500, 700, n)
    jets["eta"] = rng.uniform(-2, 2, n)
    jets["phi"] = rng.uniform(-np.pi, np.pi, n)
    jets["mass"] = rng.uniform(10, 250, n)
    jets["energy"] = jets["pt"] * np.cosh(jets["eta"])
    jets["n_constituents"] = counts
    jets["label"] = rng.integers(0, 2, n)
    jets["weight"] = rng.normal(1, 0.5, n)
    jets["event_number"] = 10_000_000_000 + np.arange(n) // 2 * 7
    cons = np.zeros((n, m), dtype=[("pt", "f4"), ("eta", "f4"), ("phi", "f4"), ("energy", "f4"), ("charge", "i1"),
                                   ("pdg_id", "i4"), ("valid", "?")])
    cons["pt"], cons["eta"], cons["phi"] = pt, eta, phi
    cons["energy"] = pt * np.cosh(eta)
    cons["charge"] = rng.integers(-1, 2, (n, m)) * valid
    cons["pdg_id"] = rng.choice([211, -211, 22, 130], (n, m)) * valid
    cons["valid"] = valid
    with h5py.File(os.path.join(OUT, path), "w") as f:
        f.create_dataset("jets", data=jets, chunks=(chunk,), compression="gzip", compression_opts=4, shuffle=True)
        f.create_dataset("constituents", data=cons, chunks=(chunk, m), compression="gzip", compression_opts=4,
                         shuffle=True)
        f.attrs["label_names"] = "qcd,top"
    record(path, [0, 1, 15, 16, 33, n - 1],
           {k: jets[k] for k in ["pt", "eta", "phi", "mass", "energy", "n_constituents", "label", "weight"]},
           {k: cons[k] for k in ["pt", "eta", "phi", "energy", "charge", "pdg_id"]}, counts, jets["event_number"])
    return jets, cons


TYPES = ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8", ">i2", ">i4", ">i8", ">u4", ">f4", ">f8"]


def type_name(code):
    return ("be_" if code.startswith(">") else "") + np.dtype(code).name


def all_types(path, n=25, m=5):
    """Compound file whose jet and constituent fields cover every numeric type, both byte orders, and bool.
    Stored contiguously (no chunks), so reads go through H5Dread."""
    jet_dtype = [(type_name(t), t) for t in TYPES] + [("flag", "?")]
    jets = np.zeros(n, dtype=jet_dtype)
    for t in TYPES:
        info = np.iinfo(t) if np.dtype(t).kind in "iu" else None
        if info is not None:
            lo, hi = max(info.min, -100000), min(info.max, 100000)
            values = rng.integers(lo, hi, n, endpoint=True).astype(np.dtype(t).newbyteorder("="))
            values[0], values[1] = info.min, info.max
        else:
            values = rng.normal(0, 1000, n)
            values[0] = 65504.0 if np.dtype(t).itemsize == 2 else 1e30
        jets[type_name(t)] = values
    jets["flag"] = rng.integers(0, 2, n).astype(bool)
    counts, valid, pt, eta, phi = constituents_like(n, m)
    cons = np.zeros((n, m), dtype=[("pt_f2", "f2"), ("eta_be_f8", ">f8"), ("phi_i2", "i2"), ("q_u1", "u1"),
                                   ("valid", "?")])
    cons["pt_f2"] = pt
    cons["eta_be_f8"] = eta
    cons["phi_i2"] = np.round(phi * 1000) * valid
    cons["q_u1"] = rng.integers(0, 255, (n, m)) * valid
    cons["valid"] = valid
    with h5py.File(os.path.join(OUT, path), "w") as f:
        f.create_dataset("jets", data=jets)
        f.create_dataset("constituents", data=cons)
    record(path, range(n), {name: jets[name].astype(np.float32) for name, _ in jet_dtype},
           {k: cons[k].astype(np.float32) for k in ["pt_f2", "eta_be_f8", "phi_i2", "q_u1"]}, counts, np.arange(n))


def tracks_with_gaps(path, n=20, m=8):
    """Compound layout named `tracks`, valid entries NOT a prefix (readers must move them first), no
    event_number or count field (row index used), contiguous storage."""
    valid = rng.random((n, m)) < 0.6
    valid[:, 0] |= ~valid.any(axis=1)
    d0 = rng.normal(0, 1, (n, m)) * valid
    jets = np.zeros(n, dtype=[("pt", "f8"), ("label", "u1")])
    jets["pt"] = rng.uniform(20, 200, n)
    tracks = np.zeros((n, m), dtype=[("d0", "f4"), ("valid", "?")])
    tracks["d0"], tracks["valid"] = d0, valid
    with h5py.File(os.path.join(OUT, path), "w") as f:
        f.create_dataset("jets", data=jets)
        f.create_dataset("tracks", data=tracks)
    compacted = np.zeros((n, m), dtype=np.float32)
    for i in range(n):
        real = d0[i][valid[i]]
        compacted[i, :len(real)] = real
    record(path, range(n), {"pt": jets["pt"], "label": jets["label"]}, {"d0": compacted}, valid.sum(1), np.arange(n))


def columns(path, n=50, m=10, use_mask=True):
    """weaver style: jet_* (N) and part_* (N, M) datasets; a mask dataset or a count dataset."""
    counts, valid, pt, eta, phi = constituents_like(n, m)
    jet_pt = rng.uniform(300, 900, n)
    jet_eta = rng.uniform(-2.4, 2.4, n).astype(np.float16 if not use_mask else np.float32)
    event_number = rng.permutation(n * 3)[:n].astype(np.int64)
    kw = dict(compression="gzip", compression_opts=2, shuffle=True, chunks=True)
    with h5py.File(os.path.join(OUT, path), "w") as f:
        f.create_dataset("jet_pt", data=jet_pt.astype(np.float64), **kw)
        f.create_dataset("jet_eta", data=jet_eta, **kw)
        f.create_dataset("jet_label", data=rng.integers(0, 3, n).astype(np.int16), **kw)
        f.create_dataset("part_pt", data=pt.astype(np.float32), **kw)
        f.create_dataset("part_deta", data=(eta * valid).astype(">f8"), **kw)  # big-endian, shuffled
        f.create_dataset("part_charge", data=(rng.integers(-1, 2, (n, m)) * valid).astype(np.int8), **kw)
        if use_mask:
            f.create_dataset("part_mask", data=valid, **kw)
            f.create_dataset("event_number", data=event_number, **kw)
        else:
            f.create_dataset("jet_nparticles", data=counts.astype(np.int32), **kw)
        jl = f["jet_label"][:]
        charge = f["part_charge"][:]
    record(path, [0, 3, n - 1], {"pt": jet_pt, "eta": jet_eta, "label": jl},
           {"pt": pt, "deta": eta * valid, "charge": charge}, counts, event_number if use_mask else np.arange(n))


def dense(path, n=30, m=15, named=True):
    """JetNet style: particle_features (N, M, F), jet_features (N, K)."""
    counts, valid, pt, eta, phi = constituents_like(n, m)
    ptrel = pt / 600.0
    names = ["etarel", "phirel", "ptrel", "mask"] if named else ["etarel", "phirel", "ptrel"]
    parts = np.stack([eta, phi, ptrel] + ([valid.astype(np.float32)] if named else []), axis=-1).astype(np.float32)
    jet_names = ["type", "pt", "eta", "mass", "num_particles"]
    jetf = np.stack([rng.integers(0, 5, n), rng.uniform(500, 1500, n), rng.uniform(-2, 2, n),
                     rng.uniform(10, 200, n), counts], axis=-1).astype(np.float32)
    with h5py.File(os.path.join(OUT, path), "w") as f:
        p = f.create_dataset("particle_features", data=parts, compression="gzip", chunks=(8, m, parts.shape[2]))
        j = f.create_dataset("jet_features", data=jetf)
        if named:
            p.attrs["feature_names"] = names
            j.attrs["feature_names"] = ",".join(jet_names)
    record(path, [0, 9, n - 1], {k: jetf[:, i] for i, k in enumerate(jet_names)},
           {"etarel": eta, "phirel": phi, "ptrel": ptrel}, counts, np.arange(n))


def pandas_fixed(path, n=40, m=200):
    """A genuine pandas to_hdf(format="fixed") frame with the Top Tagging columns."""
    counts = rng.integers(5, 60, n)
    data = {}
    e = np.zeros((n, m)); px = np.zeros((n, m)); py = np.zeros((n, m)); pz = np.zeros((n, m))
    for i in range(n):
        k = counts[i]
        pt = np.sort(rng.exponential(30, k))[::-1]
        eta = rng.normal(0.3, 0.4, k)
        phi = rng.normal(1.0, 0.4, k)
        px[i, :k], py[i, :k], pz[i, :k] = pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)
        e[i, :k] = pt * np.cosh(eta)
    for j in range(m):
        data[f"E_{j}"], data[f"PX_{j}"], data[f"PY_{j}"], data[f"PZ_{j}"] = e[:, j], px[:, j], py[:, j], pz[:, j]
    frame = pd.DataFrame(data).astype(np.float32)
    frame["truthE"] = rng.uniform(500, 900, n).astype(np.float32)
    frame["ttv"] = rng.integers(0, 3, n)
    frame["is_signal_new"] = rng.integers(0, 2, n)
    frame.to_hdf(os.path.join(OUT, path), key="table", mode="w", format="fixed", complevel=4, complib="zlib")
    # expected values from the float32 four-vectors as stored
    e32, px32, py32, pz32 = (np.stack([frame[f"{c}_{j}"].to_numpy(np.float64) for j in range(m)], 1)
                             for c in ["E", "PX", "PY", "PZ"])
    valid = e32 > 0
    cpt = np.hypot(px32, py32)
    ceta = np.where(valid, np.arcsinh(np.divide(pz32, cpt, out=np.zeros_like(cpt), where=cpt > 0)), 0)
    cphi = np.where(valid, np.arctan2(py32, px32), 0)
    sx, sy, sz, se = (np.where(valid, a, 0).sum(1) for a in (px32, py32, pz32, e32))
    jpt = np.hypot(sx, sy)
    record(path, [0, 17, n - 1],
           {"pt": jpt, "eta": np.arcsinh(sz / jpt), "phi": np.arctan2(sy, sx),
            "mass": np.sqrt(np.maximum(se**2 - sx**2 - sy**2 - sz**2, 0)), "energy": se,
            "label": frame["is_signal_new"].to_numpy(), "ttv": frame["ttv"].to_numpy(),
            "truthE": frame["truthE"].to_numpy()},
           {"pt": cpt * valid, "eta": ceta, "phi": cphi, "energy": e32 * valid}, valid.sum(1), np.arange(n))


def bad_inputs(jets, cons):
    """Small compound files each with one defect; the tests expect errors naming file, dataset, field, row."""
    def write(path, jets_data, cons_data):
        with h5py.File(os.path.join(OUT, path), "w") as f:
            if jets_data is not None:
                f.create_dataset("jets", data=jets_data)
            if cons_data is not None:
                f.create_dataset("constituents", data=cons_data)

    jets, cons = jets[:20].copy(), cons[:20].copy()
    write("bad_missing_dataset.h5", jets, None)
    no_valid = np.zeros(cons.shape, dtype=[("pt", "f4"), ("eta", "f4")])
    no_valid["pt"], no_valid["eta"] = cons["pt"], cons["eta"]
    write("bad_missing_field.h5", jets, no_valid)
    write("bad_shape_mismatch.h5", jets, np.concatenate([cons, cons[:3]]))
    write("bad_rank.h5", jets, cons[:, 0])
    nan = jets.copy()
    nan["weight"][7] = np.nan
    inf = cons.copy()
    inf["pt"][11, 0] = np.inf
    write("bad_nonfinite.h5", nan, inf)
    count = jets.copy()
    count["n_constituents"][5] += 1
    write("bad_valid_count.h5", count, cons)
    write("bad_empty.h5", jets[:0], cons[:0])


def main():
    os.makedirs(OUT, exist_ok=True)
    jets, cons = compound("compound.h5")
    labels, counts = np.unique(jets["label"], return_counts=True)
    weights = jets["weight"].astype(np.float64)
    inspection = {
        "jets": len(jets), "constituentSlots": cons.shape[1],
        "labelCounts": {str(k): int(v) for k, v in zip(labels, counts)},
        "weightSum": weights.sum(), "weightMin": float(weights.min()), "weightMax": float(weights.max()),
        "negativeFraction": float((weights < 0).mean()),
        "multiplicityMean": float(cons["valid"].sum(1).mean()), "multiplicityMax": int(cons["valid"].sum(1).max()),
    }
    with open(os.path.join(OUT, "expected_inspection.json"), "w") as f:
        json.dump(inspection, f, indent=1, sort_keys=True)
    bad_inputs(jets, cons)
    all_types("types.h5")
    tracks_with_gaps("tracks_gaps.h5")
    columns("columns_mask.h5", use_mask=True)
    columns("columns_count.h5", use_mask=False)
    dense("dense.h5", named=True)
    dense("dense_unnamed.h5", named=False)
    pandas_fixed("pandas_fixed.h5")
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
