"""Writes a large jet file for Benchmarks/stream.sh and Benchmarks/reweight-stream.sh: COPIES re-numbered copies of a development file, one after
the other (copy c adds c * 10**12 to every event_number, so the split's hash and the event numbers stay distinct),
with the source's datasets, dtypes, chunking and compression (gzip 4 + shuffle for top_qcd_dev.h5). Not committed.
The constituents' compressed chunks are copied as they are (`read_direct_chunk` / `write_direct_chunk`) when the
source's jet count is a whole number of chunks, so only the small jets dataset is compressed again: 10 M jets of
qcd_nominal_dev.h5 (11.5 GB) take minutes, not an hour.

    python3 Benchmarks/make_stream_file.py ../shared/data/top_qcd_dev.h5 runs/bench-stream/big.h5 --jets 2000000

    python3 Benchmarks/make_stream_file.py ../shared/data/qcd_nominal_dev.h5 runs/bench-reweight-stream/nominal-1000000.h5 --jets 1000000

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
    chunk_rows = layout["constituents"][0][0] if layout["constituents"][0] else 0
    raw_chunks = []
    if chunk_rows and count % chunk_rows == 0:
        with h5py.File(args.source, "r") as source:
            raw_chunks = [source["constituents"].id.read_direct_chunk((row, 0)) for row in range(0, count, chunk_rows)]
    for copy in range(copies):
        renumbered = jets.copy()
        renumbered["event_number"] += copy * 10**12
        datasets["jets"][copy * count:(copy + 1) * count] = renumbered
        if raw_chunks:
            for index, (filter_mask, data) in enumerate(raw_chunks):
                datasets["constituents"].id.write_direct_chunk((copy * count + index * chunk_rows, 0), data, filter_mask)
        else:
            datasets["constituents"][copy * count:(copy + 1) * count] = constituents
        if copy % 50 == 49:
            print(f"{(copy + 1) * count} jets written", flush=True)
os.replace(temporary, args.output)
print(f"{args.output}: {copies * count} jets ({copies} copies)")
