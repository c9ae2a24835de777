"""Writes a large jet file for Benchmarks/stream.sh: COPIES re-numbered copies of a development file, one after
the other (copy c adds c * 10**12 to every event_number, so the split's hash and the event numbers stay distinct),
with the source's datasets, dtypes, chunking and compression (gzip 4 + shuffle for top_qcd_dev.h5). Not committed.

    python3 Benchmarks/make_stream_file.py ../shared/data/top_qcd_dev.h5 runs/bench-stream/big.h5 --jets 2000000

--jets rounds up to whole copies (2,000,000 -> 67 copies of 30,000 = 2,010,000 jets). Written under a temporary
name and renamed.
"""
import argparse
import os

import h5py

parser = argparse.ArgumentParser()
parser.add_argument("source")
parser.add_argument("output")
parser.add_argument("--jets", type=int, required=True, help="at least this many jets")
args = parser.parse_args()

with h5py.File(args.source, "r") as source:
    jets = source["jets"][...]
    constituents = source["constituents"][...]
    attributes = dict(source.attrs)
    layout = {name: (source[name].chunks, source[name].compression, source[name].compression_opts, source[name].shuffle)
              for name in ("jets", "constituents")}
count = len(jets)
copies = -(-args.jets // count)
temporary = args.output + ".part"
with h5py.File(temporary, "w") as output:
    datasets = {}
    for name, rows in (("jets", jets), ("constituents", constituents)):
        chunks, compression, level, shuffle = layout[name]
        datasets[name] = output.create_dataset(
            name, shape=(copies * count,) + rows.shape[1:], dtype=rows.dtype, chunks=chunks,
            compression=compression, compression_opts=level, shuffle=shuffle)
    for name, value in attributes.items():
        output.attrs[name] = value
    output.attrs["n_jets"] = str(copies * count)
    output.attrs["merge"] = f"{copies} re-numbered copies of {os.path.basename(args.source)} (Benchmarks/make_stream_file.py)"
    for copy in range(copies):
        renumbered = jets.copy()
        renumbered["event_number"] += copy * 10**12
        datasets["jets"][copy * count:(copy + 1) * count] = renumbered
        datasets["constituents"][copy * count:(copy + 1) * count] = constituents
os.replace(temporary, args.output)
print(f"{args.output}: {copies * count} jets ({copies} copies)")
