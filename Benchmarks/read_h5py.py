"""h5py reference for `jettag-bench read`: reads the same fields of a compound-layout file in row
batches into float32 numpy arrays and prints the same line format (fastest of --repeats passes)."""
import argparse
import resource
import time

import h5py
import numpy as np

JET_FIELDS = ["pt", "eta", "phi", "mass", "energy", "n_constituents", "label", "weight"]
CONSTITUENT_FIELDS = ["pt", "eta", "phi", "energy"]


def read_pass(path, batch_size):
    checksum = 0.0
    with h5py.File(path, "r") as f:
        jets, constituents = f["jets"], f["constituents"]
        for start in range(0, jets.shape[0], batch_size):
            stop = min(start + batch_size, jets.shape[0])
            j = jets[start:stop]
            c = constituents[start:stop]
            columns = {name: j[name].astype(np.float32) for name in JET_FIELDS}
            event_numbers = j["event_number"].astype(np.int64)
            fields = {name: c[name].astype(np.float32) for name in CONSTITUENT_FIELDS}
            mask = c["valid"].astype(np.float32)
            multiplicities = mask.sum(axis=1)
            checksum += float(fields["pt"][0, 0]) + float(multiplicities[-1]) + 0 * event_numbers[0] + 0 * columns["pt"][0]
    return checksum


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with h5py.File(args.file, "r") as f:
        jets = f["jets"].shape[0]
        size = sum(f[name].size * f[name].dtype.itemsize for name in ["jets", "constituents"])
    best = float("inf")
    for _ in range(args.repeats):
        start = time.perf_counter()
        checksum = read_pass(args.file, args.batch_size)
        best = min(best, time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"h5py batch={args.batch_size} threads=1 jets={jets} seconds={best:.4f} jets_per_s={jets / best:.0f} "
          f"MB_per_s={size / best / 1e6:.1f} peak_rss_MB={peak:.1f} checksum={checksum:.3f}")


if __name__ == "__main__":
    main()
