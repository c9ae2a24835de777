#!/usr/bin/env python3
"""PyTorch side of the `nn` benchmark (Benchmarks/nn.sh runs everything; see there).

Subcommands:
  export CACHE   reads ../shared/data/top_qcd_dev.h5 and writes the benchmark batches to CACHE (raw float32,
                 layout below): weaver's 7 particle features, standardised over valid constituents, for the
                 first JETS jets truncated to 128 constituents, with their real multiplicities. With
                 --config Configs/top-<model>.yaml: that config's constituentVariables instead, computed and
                 standardised as Benchmarks/train_torch.py does (fitted on the exported jets), e.g. the
                 transformer's unstandardised deta, dphi, pt_log columns its pair features read.
  run CACHE      times the PyTorch PFN and 1D CNN on those batches; with --config, the config's model instead
                 (the transformer and ParticleNet of Tests/Scripts/torch_models.py, built by train_torch.py
                 from the same keys jettag reads); prints one JSON object per line.
  table FILE...  reads the JSON lines of both sides and prints the comparison table with ratios.

The cache exists because the Swift HDF5 reader is written concurrently by another helper; once it lands the
Swift side can read the h5 file itself. Cache layout (little endian):
  magic "JTNNB001", int32 jets, int32 slots (128), int32 features (7),
  int32 multiplicities[jets], float32 labels[jets], float32 features[jets, slots, features] (zero padding).
"""

import argparse
import json
import math
import struct
import sys
import time

import numpy as np

MAGIC = b"JTNNB001"
FEATURES = ["pt_log", "e_log", "logptrel", "logerel", "deltaR", "deta", "dphi"]
TORCH_VERSION = "2.13.0"


# ---------------------------------------------------------------------------------------------------------
# export


def export(args):
    if args.config:
        return export_config(args)
    import h5py

    with h5py.File(args.input, "r") as f:
        jets = f["jets"][: args.jets]
        constituents = f["constituents"][: args.jets, : args.slots]
    n = np.minimum(jets["n_constituents"], args.slots).astype(np.int32)
    valid = constituents["valid"].astype(bool)
    if not np.array_equal(valid.sum(1), n):
        sys.exit("export: the valid flags do not match n_constituents (truncated to the slot count)")
    with np.errstate(divide="ignore", invalid="ignore"):
        pt, energy = constituents["pt"].astype(np.float64), constituents["energy"].astype(np.float64)
        deta = constituents["eta"] - jets["eta"][:, None]
        dphi = np.mod(constituents["phi"] - jets["phi"][:, None] + math.pi, 2 * math.pi) - math.pi
        columns = [
            np.log(pt), np.log(energy), np.log(pt / jets["pt"][:, None]), np.log(energy / jets["energy"][:, None]),
            np.hypot(deta, dphi), deta, dphi,
        ]
    x = np.zeros(valid.shape + (len(FEATURES),), dtype=np.float32)
    for i, column in enumerate(columns):
        values = column[valid]
        x[..., i][valid] = (values - values.mean()) / values.std()
    write_cache(args.cache, n, jets["label"], x)
    print(f"exported {len(n)} jets x {args.slots} slots x {len(FEATURES)} features (mean multiplicity "
          f"{n.mean():.1f}) to {args.cache}")


def export_config(args):
    """The cache of the config's constituent variables (train_torch.py's features, fitted on these jets)."""
    import train_torch

    tree = train_torch.load_config(args.config, [])
    features = train_torch.section(tree, "features")
    specs = [train_torch.variable_spec(v, i) for i, v in enumerate(features.get("constituentVariables") or [])]
    x, mask, labels, _, _ = train_torch.load(args.input, args.slots, [s["name"] for s in specs])
    x, mask, labels = x[: args.jets], mask[: args.jets], labels[: args.jets]
    x, _ = train_torch.standardise(x, mask, np.ones(len(x), dtype=bool), specs, features.get("standardization", "meanStd"))
    write_cache(args.cache, mask.sum(1).astype(np.int32), labels, x)
    print(f"exported {len(x)} jets x {args.slots} slots x {len(specs)} features of {args.config} (mean multiplicity "
          f"{mask.sum(1).mean():.1f}) to {args.cache}")


def write_cache(path, n, labels, x):
    with open(path, "wb") as out:
        out.write(MAGIC)
        out.write(struct.pack("<3i", len(n), x.shape[1], x.shape[2]))
        out.write(n.astype("<i4").tobytes())
        out.write(labels.astype("<f4").tobytes())
        out.write(x.astype("<f4").tobytes())


def read_cache(path):
    with open(path, "rb") as f:
        if f.read(8) != MAGIC:
            sys.exit(f"{path}: not a benchmark cache (bad magic); re-run Benchmarks/nn.sh")
        jets, slots, features = struct.unpack("<3i", f.read(12))
        n = np.frombuffer(f.read(4 * jets), dtype="<i4")
        labels = np.frombuffer(f.read(4 * jets), dtype="<f4")
        x = np.frombuffer(f.read(4 * jets * slots * features), dtype="<f4").reshape(jets, slots, features)
    mask = (np.arange(slots)[None, :] < n[:, None]).astype(np.float32)
    return x, mask, labels, n


# ---------------------------------------------------------------------------------------------------------
# models (what a PyTorch user would write)


def make_models(torch, features):
    nn = torch.nn

    class PFN(nn.Module):
        """Per-constituent 7->100->100->128 (ReLU), masked sum, 128->100->100->100->1."""

        def __init__(self):
            super().__init__()
            self.phi = nn.Sequential(
                nn.Linear(features, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 128), nn.ReLU())
            self.head = nn.Sequential(
                nn.Linear(128, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(),
                nn.Linear(100, 1))

        def forward(self, x, mask):  # x [B, P, F], mask [B, P]
            return self.head((self.phi(x) * mask.unsqueeze(-1)).sum(1))

    class CNN(nn.Module):
        """Conv1d(k=3) blocks 7->64->64->128->128 with BatchNorm and ReLU, masked after each block; masked mean;
        128->128->1."""

        def __init__(self):
            super().__init__()
            sizes = [features, 64, 64, 128, 128]
            self.blocks = nn.ModuleList(
                nn.Sequential(nn.Conv1d(a, b, 3, padding=1, bias=False), nn.BatchNorm1d(b), nn.ReLU())
                for a, b in zip(sizes, sizes[1:]))
            self.head = nn.Sequential(nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 1))

        def forward(self, x, mask):  # x [B, P, F] -> [B, F, P] (PyTorch's NCL), mask [B, P]
            m = mask.unsqueeze(1)
            h = x.transpose(1, 2) * m
            for block in self.blocks:
                h = block(h) * m
            return self.head(h.sum(2) / mask.sum(1, keepdim=True))

    return {"pfn": PFN, "cnn": CNN}


def best_rate(step, items_per_call, window, repeats):
    """Best throughput (items/s) over `repeats` windows of at least `window` seconds each."""
    best = 0.0
    for _ in range(repeats):
        calls, start = 0, time.perf_counter()
        while True:
            step()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= window:
                break
        best = max(best, calls * items_per_call / elapsed)
    return best


def run(args):
    import torch

    if not torch.__version__.startswith(TORCH_VERSION):
        sys.exit(f"torch {torch.__version__} found; the benchmark reference is torch=={TORCH_VERSION}")
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x, mask, labels, n = read_cache(args.cache)
    jets = args.jets or len(n)
    x, mask, labels = (torch.from_numpy(a[:jets].copy()) for a in (x, mask, labels))
    if args.config:
        import train_torch

        tree = train_torch.load_config(args.config, [])
        kind = train_torch.section(tree, "model").get("kind")
        names = [train_torch.variable_spec(v, i)["name"]
                 for i, v in enumerate(train_torch.section(tree, "features").get("constituentVariables") or [])]
        if len(names) != x.shape[2]:
            sys.exit(f"{args.cache}: {x.shape[2]} features, {args.config} has {len(names)}; export with --config")
        model = train_torch.build_model(kind, train_torch.section(tree, f"model.{kind}"), names, False)
        candidates = {kind: lambda: model}
    else:
        candidates = {name: model_type for name, model_type in make_models(torch, x.shape[2]).items() if name in args.models}
    for name, model_type in candidates.items():
        model = model_type()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.BCEWithLogitsLoss()
        model.train()
        for batch in args.train_batches if "train" in args.modes else []:
            starts = list(range(0, jets - batch + 1, batch))
            cursor = [0]

            def train_step():
                s = starts[cursor[0] % len(starts)]
                cursor[0] += 1
                optimizer.zero_grad()
                logits = model(x[s:s + batch], mask[s:s + batch])
                loss = loss_fn(logits.reshape(-1), labels[s:s + batch])
                loss.backward()
                optimizer.step()

            for _ in range(3):
                train_step()
            rate = best_rate(train_step, batch, args.window, args.repeats)
            print(json.dumps({"side": "pytorch", "model": name, "threads": args.threads, "mode": "train",
                              "batch": batch, "jets_per_s": rate, "steps_per_s": rate / batch}), flush=True)

        model.eval()
        for batch in args.inference_batches if "infer" in args.modes else []:
            def infer():
                with torch.inference_mode():
                    for s in range(0, jets, batch):
                        model(x[s:s + batch], mask[s:s + batch])

            infer()
            rate = best_rate(infer, jets, args.window, args.repeats)
            print(json.dumps({"side": "pytorch", "model": name, "threads": args.threads, "mode": "infer",
                              "batch": batch, "jets_per_s": rate}), flush=True)


# ---------------------------------------------------------------------------------------------------------
# table


def table(args):
    rows = [json.loads(line) for path in args.files for line in open(path) if line.startswith("{")]
    best = {}
    for r in rows:
        if r["mode"] == "sgemm":
            continue
        key = (r["side"], r["model"], r["threads"], r["mode"], r["batch"] if r["mode"] == "train" else None)
        if key not in best or r["jets_per_s"] > best[key]["jets_per_s"]:
            best[key] = r
    peaks = {}
    for r in rows:
        if r["mode"] == "sgemm":
            peaks[r["threads"]] = max(peaks.get(r["threads"], 0.0), r["gflops"])
    targets = {("pfn", "train", 256): 2.0, ("pfn", "infer", None): 2.0, ("cnn", "train", 256): 1.5,
               ("transformer", "train", 256): 1.5, ("transformer", "infer", None): 1.5,
               ("particlenet", "train", 128): 1.5, ("particlenet", "infer", None): 1.5}
    order = {"pfn": 0, "cnn": 1, "transformer": 2, "particlenet": 3}
    print()
    print("| model | threads | measurement | JetTag | PyTorch 2.13.0 | ratio | target | JetTag GFLOP/s (valid constituents) / sgemm peak |")
    print("|---|---|---|---|---|---|---|---|")
    for (side, model, threads, mode, batch), ours in sorted(best.items(), key=lambda kv: (order.get(kv[0][1], 9), kv[0][2], kv[0][3] != "train", kv[0][4] or 0)):
        if side != "jettag" or ("pytorch", model, threads, mode, batch) not in best:
            continue
        theirs = best[("pytorch", model, threads, mode, batch)]
        ratio = ours["jets_per_s"] / theirs["jets_per_s"]
        if mode == "train":
            what = f"training, batch {batch}"
            speeds = (f"{ours['jets_per_s']:,.0f} jets/s ({ours['steps_per_s']:.2f} steps/s)",
                      f"{theirs['jets_per_s']:,.0f} jets/s ({theirs['steps_per_s']:.2f} steps/s)")
        else:
            batches = lambda side: "/".join(str(b) for b in sorted({r["batch"] for r in rows if r["side"] == side and r.get("model") == model and r.get("mode") == "infer"}))
            what = f"inference, best batch (JetTag of {batches('jettag')}, PyTorch of {batches('pytorch')})"
            speeds = (f"{ours['jets_per_s']:,.0f} jets/s (batch {ours['batch']})",
                      f"{theirs['jets_per_s']:,.0f} jets/s (batch {theirs['batch']})")
        target = targets.get((model, mode, batch))
        verdict = "-" if target is None else f">= {target}x {'met' if ratio >= target else 'MISSED'}"
        peak = peaks.get(threads, float("nan"))
        gflops = f"{ours['gflops']:.1f} / {peak:.1f}" if "gflops" in ours else f"- / {peak:.1f}"
        print(f"| {model.upper() if len(model) == 3 else model} | {threads} | {what} | {speeds[0]} | {speeds[1]} | "
              f"{ratio:.2f}x | {verdict} | {gflops} |")
    print()
    print("Notes: same jets and batches on both sides (first 8192 jets of top_qcd_dev.h5, 128 slots, 7 features, real "
          "multiplicities). JetTag runs on the packed valid constituents (its packing is inside the timed loop); "
          "PyTorch on the padded [B, 128, 7] tensor, multiplying by the mask where it matters: the PFN before the sum, "
          "the CNN after every block (the fair equivalent of JetTag's per-jet zero halo; its BatchNorm1d statistics "
          "include padding, JetTag's do not). Training = forward + backward + Adam, BCE loss. GFLOP/s counts the "
          "matrix-product FLOPs of valid constituents only (not counted for transformer and particlenet: '-'); the sgemm peak "
          "is one 2048^3 cblas_sgemm in the same run.")
    if any(r.get("model") in ("transformer", "particlenet") for r in rows):
        print("transformer and particlenet: the models of Configs/top-transformer.yaml and Configs/top-particlenet.yaml "
              "(sizes, dropout active in training), on a cache of those configs' features (nn_torch.py export --config) "
              "and the first JETS_CONFIG jets, training batch = the config's batchSize; PyTorch: "
              "Tests/Scripts/torch_models.py on the padded tensor cut to each batch's longest jet (attention over all "
              "P^2 slot pairs, k-NN over all slots, masked), JetTag on the packed real constituents.")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("export")
    p.add_argument("cache")
    p.add_argument("--input", default="../shared/data/top_qcd_dev.h5")
    p.add_argument("--jets", type=int, default=8192)
    p.add_argument("--slots", type=int, default=128)
    p.add_argument("--config", help="the constituent variables of this run config instead of weaver's 7")
    p = sub.add_parser("run")
    p.add_argument("cache")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--train-batches", type=int, nargs="+", default=[256, 1024])
    p.add_argument("--inference-batches", type=int, nargs="+", default=[64, 256, 1024])
    p.add_argument("--models", nargs="+", default=["pfn", "cnn"], choices=["pfn", "cnn"])
    p.add_argument("--config", help="time this run config's model instead of --models (cache from export --config)")
    p.add_argument("--jets", type=int, help="use the first this many jets of the cache (default: all)")
    p.add_argument("--modes", nargs="+", default=["train", "infer"], choices=["train", "infer"],
                   help="what to time (one alone is for profiling or a quick comparison)")
    p.add_argument("--window", type=float, default=2.0, help="seconds per timing window")
    p.add_argument("--repeats", type=int, default=2, help="timing windows; the best is reported")
    p = sub.add_parser("table")
    p.add_argument("files", nargs="+")
    args = parser.parse_args()
    {"export": export, "run": run, "table": table}[args.command](args)


if __name__ == "__main__":
    main()
