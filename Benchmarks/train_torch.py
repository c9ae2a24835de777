"""PyTorch reference of `jettag train` + `jettag evaluate --split validation` for Benchmarks/train.sh.

Reads the run config jettag reads (Configs/top-<model>.yaml by default; `--set key.path=value` overrides as
`jettag train --set`, values parsed as YAML) and does with it what JetTag does:
- split: ATLAS folds, jets with event_number % data.split.modulus in data.split.validationFolds are validation,
  the others training (validationFraction's seeded hash is JetTag's own: train.sh sets modulus 5 on both sides);
- features: features.constituentVariables in order, of the hardest features.maxConstituents constituents, as
  Sources/JetFeatures computes them: deta, dphi (wrapped to (-pi, pi]), deltaR, pt_log, e_log, logptrel,
  logerel, the particle-ID flags isChargedHadron (|pdg| > 100, charge != 0), isNeutralHadron (|pdg| > 100,
  charge 0), isPhoton (pdg 22), isElectron (|pdg| 11), isMuon (|pdg| 13) from pdg_id and charge, or a raw
  constituent field (charge). Each is a name, weaver's [name, subtract_by, multiply_by, clip_min, clip_max,
  pad_value] (null: fit the centre or scale, no clip bound) or {name: ..., standardize: false} (as it is).
  Missing centres and scales are fitted on the training split's real constituents with features.standardization
  meanStd (mean, 1 / population std) or robust (weaver's median and 1 / max(p84 - p50, p50 - p16), numpy's
  linear percentiles: JetTag's QuantileSample is exact up to 2^21 values, more than the 1.8 M here); the 0/1 flags
  are never fitted (centre 0, scale 1); then clipped (default [-5, 5]), padding padValue (default 0);
- weights: event weights (weights.eventWeights), then with weights.weighting.balanceClasses every class scaled to
  the same signed sum (N / classes) in each split;
- loss: binary cross-entropy on one logit, per batch sum(w l) / sum(|w|); validation loss sum(w l) / sum(|w|) and
  accuracy sum(w [logit > 0 = label]) / sum(w) over the validation split in evaluation mode, every epoch;
- training: adam or adamw (learningRate, weightDecay; betas 0.9/0.999, eps 1e-8), constant schedule, batchSize,
  shuffled every epoch, epochs, gradientClip; "the model" is the epoch with the best training.checkpointMetric
  (loss: lowest validation loss; accuracy: highest validation accuracy, weaver's choice) by more than minDelta;
  early stopping after `patience` epochs without one (0: off, every epoch runs);
- BatchNorm: after every epoch the running statistics are recomputed as plain averages over the first
  training.preciseBatchNorm batches of the epoch (0: PyTorch's lagging averages), as JetTag does for every model
  with BatchNorm (the CNN's, the transformer's pair BatchNorm, ParticleNet's);
- models (model.kind, its section with JetTag's defaults): Deep Sets / PFN (per-constituent Dense+ReLU on the
  padded tensor, masked sum pooling, Dense+ReLU head), P-CNN (Conv1d(k, padding k // 2, no bias) + BatchNorm +
  ReLU blocks, activations multiplied by the mask after every block, masked mean pooling, Dense+ReLU+Dropout
  head; its BatchNorm is masked, statistics over real constituents only, as JetTag; `--plain-batchnorm` uses
  nn.BatchNorm1d over all slots), and the Particle Transformer and ParticleNet of Tests/Scripts/torch_models.py
  (the modules the committed gradient fixtures are made with, built from the same config keys; each batch cut to
  its longest jet, weaver's SequenceTrimmer).
Keys this reference does not implement (pooling other than sum, residual CNN blocks, other schedules, weighting
methods, jet variables, newVariables, validationFraction) stop it with the key's path rather than being ignored.

`--pid` trains the particle-ID variant: Configs/top-<model>-pid.yaml when it exists, else the config's
constituentVariables followed by {name: charge, standardize: false} and the five flags (what
Configs/top-deepsets-pid.yaml adds to Configs/top-deepsets.yaml, JetClass's "kinpid" inputs); `--print-pid-variables`
prints that list as one flow sequence for `jettag train --set features.constituentVariables=...` (train.sh passes
the same config and overrides to both sides).

Prints one JSON line per epoch, then one with: epochs run, best epoch, wall seconds of the training part (from
process start, imports included, to the best model in memory), training jets, AUC and 1/eps_B at eps_S 0.3 and
0.5 with binomial uncertainties on the validation split.
"""
import time

START = time.time()

import argparse  # noqa: E402
import copy  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import yaml  # noqa: E402
from sklearn.metrics import roc_auc_score, roc_curve  # noqa: E402
from torch import nn  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Scripts"))
sys.path.insert(0, os.path.join(ROOT, "Benchmarks", "lib"))
import delong  # noqa: E402
import torch_models  # noqa: E402

MODELS = ["deepsets", "cnn1d", "transformer", "particlenet"]
FLAGS = ["isChargedHadron", "isNeutralHadron", "isPhoton", "isElectron", "isMuon"]
PID_VARIABLES = [{"name": "charge", "standardize": False}] + FLAGS


class ConfigError(Exception):
    """A config key this reference cannot reproduce, or a value it cannot read; names the key path."""


# ---------------------------------------------------------------------------------------------------------
# config


def load_config(path, overrides):
    """The YAML tree of `path` with `key.path=value` overrides (values parsed as YAML) applied in order."""
    with open(path) as f:
        tree = yaml.safe_load(f) or {}
    for assignment in overrides:
        if "=" not in assignment:
            raise ConfigError(f"--set {assignment}: expected key.path=value")
        key, text = assignment.split("=", 1)
        node, parts = tree, key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"--set {assignment}: {part} is not a mapping in {path}")
        node[parts[-1]] = yaml.safe_load(text)
    return tree


def section(tree, path):
    """The mapping at the dotted `path` ({} when absent)."""
    node = tree
    for part in path.split("."):
        node = (node or {}).get(part) or {}
    return node


def supported(path, value, choices):
    """`value` of the key `path` when this reference reproduces it, else ConfigError."""
    if value not in choices:
        raise ConfigError(f"{path}: {value!r} is not reproduced by this reference ({', '.join(map(str, choices))})")
    return value


def variable_spec(entry, index):
    """(name, subtract_by, multiply_by, clip_min, clip_max, pad_value) of one constituentVariables entry."""
    where = f"features.constituentVariables[{index}]"
    spec = {"subtract": None, "multiply": None, "clip_min": -5.0, "clip_max": 5.0, "pad": 0.0}
    if isinstance(entry, str):
        name = entry
    elif isinstance(entry, list):
        if not entry or not isinstance(entry[0], str) or len(entry) > 6:
            raise ConfigError(f"{where}: expected [name, subtract_by, multiply_by, clip_min, clip_max, pad_value]")
        name = entry[0]
        for key, value in zip(["subtract", "multiply", "clip_min", "clip_max", "pad"], entry[1:]):
            spec[key] = value if key != "pad" else (0.0 if value is None else value)
    elif isinstance(entry, dict) and "name" in entry:
        name = entry["name"]
        if entry.get("logFloor") is not None:
            raise ConfigError(f"{where}.logFloor is not reproduced by this reference")
        keys = {"subtractBy": "subtract", "multiplyBy": "multiply", "clipMin": "clip_min", "clipMax": "clip_max",
                "padValue": "pad"}
        for key, target in keys.items():
            if key in entry:
                spec[target] = entry[key]
        if entry.get("standardize", True) is False:
            spec.update(subtract=0.0, multiply=1.0, clip_min=None, clip_max=None)
    else:
        raise ConfigError(f"{where}: expected a name, a list or a mapping with 'name'")
    if name in FLAGS:
        spec["subtract"] = 0.0 if spec["subtract"] is None else spec["subtract"]
        spec["multiply"] = 1.0 if spec["multiply"] is None else spec["multiply"]
    return dict(spec, name=name)


def pid_config(model, config, overrides):
    """The particle-ID variant's config path and overrides (see the module doc)."""
    dedicated = os.path.join(ROOT, "Configs", f"top-{model}-pid.yaml")
    if os.path.exists(dedicated):
        return dedicated, overrides
    variables = section(load_config(config, overrides), "features").get("constituentVariables")
    if not variables:
        raise ConfigError(f"{config}: features.constituentVariables must be listed for --pid")
    names = [v if isinstance(v, str) else (v[0] if isinstance(v, list) else v["name"]) for v in variables]
    if any(flag in names for flag in FLAGS):
        raise ConfigError(f"{config}: features.constituentVariables already has particle-ID flags")
    flow = json.dumps(variables + PID_VARIABLES)
    return config, overrides + [f"features.constituentVariables={flow}"]


# ---------------------------------------------------------------------------------------------------------
# features


def wrap(angle):
    """Wraps to (-pi, pi]."""
    wrapped = np.remainder(angle + np.pi, 2 * np.pi) - np.pi
    return np.where(wrapped <= -np.pi, wrapped + 2 * np.pi, wrapped)


def load(path, slots, names):
    """Raw variables [N, slots, len(names)] (0 in padding), mask [N, slots], labels, weights, event numbers."""
    with h5py.File(path, "r") as f:
        jets = f["jets"][:]
        parts = f["constituents"][:, :slots]
    valid = parts["valid"].astype(bool)
    mask = np.arange(parts.shape[1])[None, :] < np.minimum(jets["n_constituents"], slots)[:, None]
    assert np.array_equal(mask, valid), "valid flags are not a prefix of n_constituents"
    pt = np.where(mask, parts["pt"], 1).astype(np.float64)
    energy = np.where(mask, parts["energy"], 1).astype(np.float64)
    deta = parts["eta"] - jets["eta"][:, None]
    dphi = wrap(parts["phi"] - jets["phi"][:, None])
    derived = {
        "deta": lambda: deta, "dphi": lambda: dphi, "deltaR": lambda: np.hypot(deta, dphi),
        "pt_log": lambda: np.log(pt), "e_log": lambda: np.log(energy),
        "logptrel": lambda: np.log(pt / jets["pt"][:, None]), "logerel": lambda: np.log(energy / jets["energy"][:, None]),
        "isChargedHadron": lambda: (np.abs(parts["pdg_id"]) > 100) & (parts["charge"] != 0),
        "isNeutralHadron": lambda: (np.abs(parts["pdg_id"]) > 100) & (parts["charge"] == 0),
        "isPhoton": lambda: parts["pdg_id"] == 22, "isElectron": lambda: np.abs(parts["pdg_id"]) == 11,
        "isMuon": lambda: np.abs(parts["pdg_id"]) == 13,
    }
    columns = []
    for name in names:
        if name in derived:
            columns.append(derived[name]())
        elif name in parts.dtype.names:
            columns.append(parts[name])
        else:
            raise ConfigError(f"features.constituentVariables: '{name}' is neither a derived variable nor a "
                              f"constituent field of {path} ({', '.join(parts.dtype.names)})")
    x = np.stack(columns, axis=-1).astype(np.float32)
    x[~mask] = 0
    return x, mask, jets["label"].astype(np.int64), jets["weight"].astype(np.float32), jets["event_number"]


def standardise(x, mask, train, specs, method):
    """(x - centre) * scale, clipped, per spec; missing centres/scales fitted on the training split's real
    constituents; padding set to each spec's pad value. Returns the features and the fitted [centre, scale]s."""
    real = x[train][mask[train]].astype(np.float64)
    y = np.empty_like(x)
    fitted = []
    for i, spec in enumerate(specs):
        if method == "robust":
            low, centre, high = np.percentile(real[:, i], [16, 50, 84])
            width = max(high - centre, centre - low)
        else:
            centre, width = real[:, i].mean(), real[:, i].std()
        subtract = centre if spec["subtract"] is None else spec["subtract"]
        multiply = (1 / width if width > 0 else 1.0) if spec["multiply"] is None else spec["multiply"]
        column = (x[..., i] - np.float32(subtract)) * np.float32(multiply)
        if spec["clip_min"] is not None or spec["clip_max"] is not None:
            column = np.clip(column, spec["clip_min"], spec["clip_max"])
        column[~mask] = spec["pad"]
        y[..., i] = column
        fitted.append([float(subtract), float(multiply)])
    return y, fitted


def balanced(weights, labels, classes):
    """Every class's signed weight sum becomes N / classes."""
    out = weights.astype(np.float64).copy()
    for c in range(classes):
        members = labels == c
        out[members] *= (len(labels) / classes) / weights[members].sum(dtype=np.float64)
    return out.astype(np.float32)


# ---------------------------------------------------------------------------------------------------------
# models

class DeepSets(nn.Module):
    """PFN: Phi on every slot of the padded tensor, masked sum, head F."""

    def __init__(self, features, phi_sizes, head_sizes, dropout):
        super().__init__()
        layers, previous = [], features
        for size in phi_sizes:
            layers += [nn.Linear(previous, size), nn.ReLU()]
            previous = size
        self.phi = nn.Sequential(*layers)
        self.head = head(previous, head_sizes, dropout)

    def forward(self, x, mask):
        h = self.phi(x) * mask.unsqueeze(-1)
        return self.head(h.sum(dim=1)).squeeze(-1)


class MaskedBatchNorm1d(nn.BatchNorm1d):
    """BatchNorm over [B, C, P] whose statistics use the real slots only (biased variance for the batch,
    unbiased for the running variance, like nn.BatchNorm1d)."""

    def forward(self, x, mask):
        if not self.training:
            return super().forward(x)
        m = mask.unsqueeze(1).to(x.dtype)
        count = m.sum()
        mean = (x * m).sum(dim=(0, 2)) / count
        var = (((x - mean[None, :, None]) * m) ** 2).sum(dim=(0, 2)) / count
        with torch.no_grad():
            self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
            self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * count / (count - 1))
        y = (x - mean[None, :, None]) * torch.rsqrt(var[None, :, None] + self.eps)
        return y * self.weight[None, :, None] + self.bias[None, :, None]


class CNN1D(nn.Module):
    """P-CNN over the padded [B, F, P] tensor; activations multiplied by the mask after every block."""

    def __init__(self, features, channels, kernel, head_sizes, dropout, plain_batchnorm):
        super().__init__()
        self.convs, self.norms = nn.ModuleList(), nn.ModuleList()
        previous = features
        for size in channels:
            self.convs.append(nn.Conv1d(previous, size, kernel, padding=kernel // 2, bias=False))
            self.norms.append(nn.BatchNorm1d(size) if plain_batchnorm else MaskedBatchNorm1d(size))
            previous = size
        self.plain = plain_batchnorm
        self.head = head(previous, head_sizes, dropout)

    def forward(self, x, mask):
        m = mask.unsqueeze(1).to(x.dtype)
        h = x.transpose(1, 2)
        for conv, norm in zip(self.convs, self.norms):
            h = conv(h)
            h = norm(h) if self.plain else norm(h, mask)
            h = torch.relu(h) * m
        pooled = h.sum(dim=2) / m.sum(dim=2).clamp(min=1)
        return self.head(pooled).squeeze(-1)


def head(inputs, sizes, dropout):
    layers, previous = [], inputs
    for size in sizes:
        layers += [nn.Linear(previous, size), nn.ReLU()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        previous = size
    layers.append(nn.Linear(previous, 1))
    return nn.Sequential(*layers)


def build_model(kind, options, names, plain_batchnorm):
    """The model of `model.kind` from its config section (JetTag's defaults for absent keys) on the constituent
    variables `names`."""
    where, features = f"model.{kind}", len(names)
    if kind == "deepsets":
        if options.get("pooling", "sum") != "sum" or options.get("batchNorm", False):
            raise ConfigError(f"{where}: only pooling sum without batchNorm is reproduced by this reference")
        return DeepSets(features, options.get("constituentLayers", [100, 100, 128]),
                        options.get("headLayers", [100, 100, 100]), options.get("dropout", 0.0))
    if kind == "cnn1d":
        if options.get("residual", False) or not options.get("batchNorm", True):
            raise ConfigError(f"{where}: only batchNorm true, residual false is reproduced by this reference")
        return CNN1D(features, options.get("channels", [64, 64, 128, 128]), options.get("kernelSize", 3),
                     options.get("headLayers", [128]), options.get("dropout", 0.0), plain_batchnorm)
    if kind == "transformer":
        config = {"embedLayers": [128, 512, 128], "heads": 8, "particleBlocks": 8, "classBlocks": 2,
                  "feedForward": 512, "pairLayers": [64, 64, 64], "pairColumns": [], "dropout": 0.1,
                  "headLayers": []}
        config.update({k: v for k, v in options.items() if k in config})
        return Logit(torch_models.Transformer(dict(config, inputFeatures=features, classes=2)))
    if kind == "particlenet":
        config = {"coordinates": ["deta", "dphi"], "k": 7, "blocks": [[32, 32, 32], [64, 64, 64]],
                  "inputBatchNorm": True, "fusion": True, "headLayers": [128], "dropout": 0.1}
        config.update({k: v for k, v in options.items() if k in config})
        missing = [c for c in config["coordinates"] if c not in names]
        if missing:
            raise ConfigError(f"{where}.coordinates: {missing} are not among features.constituentVariables {names}")
        columns = [names.index(c) for c in config["coordinates"]]  # as JetTag derives coordinateColumns
        return Logit(torch_models.ParticleNet(dict(config, coordinateColumns=columns, inputFeatures=features,
                                                  jetFeatures=0, classes=2)), trim=True)
    raise ConfigError(f"model.kind: {kind!r} is not one of {MODELS}")


class Logit(nn.Module):
    """A torch_models module giving [B] logits; `trim` cuts each batch to its longest jet first (the transformer
    trims itself)."""

    def __init__(self, module, trim=False):
        super().__init__()
        self.module, self.trim = module, trim

    def forward(self, x, mask):
        if self.trim:
            x, mask = torch_models.trim(x, mask)
        return self.module(x, mask).squeeze(-1)


def batch_norms(model):
    return [m for m in model.modules() if isinstance(m, (nn.BatchNorm1d, torch_models.MaskedBatchNorm))]


def precise_batchnorm(model, x, mask, batches):
    """Running statistics = plain averages of the batch statistics over `batches` (training.preciseBatchNorm)."""
    norms = batch_norms(model)
    if not batches or not norms:
        return
    with torch.no_grad():
        for k, batch in enumerate(batches):
            for norm in norms:
                norm.momentum = 1 / (k + 1)
            model(x[batch], mask[batch])
        for norm in norms:
            norm.momentum = 0.1


def weighted_bce(logits, labels, weights):
    """sum_i w_i l_i (divide by sum |w| yourself)."""
    losses = nn.functional.binary_cross_entropy_with_logits(logits, labels, reduction="none")
    return (weights * losses).sum()


def validation_metrics(model, x, mask, y, w):
    """(sum w l / sum |w|, sum w [logit > 0 = label] / sum w) in evaluation mode."""
    model.eval()
    total = correct = 0.0
    with torch.no_grad():
        for start in range(0, len(y), 1024):
            s = slice(start, start + 1024)
            logits = model(x[s], mask[s])
            total += weighted_bce(logits, y[s], w[s]).item()
            correct += (w[s] * ((logits > 0).float() == y[s]).float()).sum().item()
    return total / w.abs().sum().item(), correct / w.sum().item()


def scores(model, x, mask):
    model.eval()
    with torch.no_grad():
        return torch.cat([torch.sigmoid(model(x[s : s + 1024], mask[s : s + 1024])) for s in range(0, len(x), 1024)])


def working_point(fpr, tpr, efficiency, background_count):
    """1/eps_B at eps_S (eps_B linear in eps_S between curve points) and its binomial uncertainty."""
    eps_b = float(np.interp(efficiency, tpr, fpr))
    rejection = 1 / eps_b if eps_b > 0 else float("inf")
    error = np.sqrt(eps_b * (1 - eps_b) / background_count) / eps_b**2 if eps_b > 0 else float("inf")
    return rejection, float(error)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=MODELS, required=True, help="the default config Configs/top-<model>.yaml")
    parser.add_argument("--config", help="run config (default Configs/top-<model>.yaml); its model.kind must be --model")
    parser.add_argument("--set", action="append", default=[], metavar="KEY.PATH=VALUE", help="as jettag train --set")
    parser.add_argument("--pid", action="store_true", help="the particle-ID variant (see the module doc)")
    parser.add_argument("--print-pid-variables", action="store_true",
                        help="print the --set of the particle-ID variant (nothing when a -pid config exists) and stop")
    parser.add_argument("--input", help="default: the config's data.files (one file)")
    parser.add_argument("--epochs", type=int, help="training.epochs (default: the config's)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--plain-batchnorm", action="store_true", help="CNN: nn.BatchNorm1d over padding too")
    parser.add_argument("--checkpoint", metavar="PATH",
                        help="after every epoch, the training state (model, optimizer, random generators, history, "
                             "best epoch, seconds spent) is written to PATH; a run given a PATH that exists resumes "
                             "from it (a run too long for one sitting, e.g. the 20-epoch transformer)")
    parser.add_argument("--scores-out", metavar="PATH",
                        help="write the best model's validation scores to PATH (npz: jet_index = row in the file, "
                             "label, score), for the paired AUC difference against JetTag's scores of the same jets")
    args = parser.parse_args()
    try:
        run(args)
    except ConfigError as error:
        sys.exit(f"train_torch.py: {error}")


def run(args):
    path = args.config or os.path.join(ROOT, "Configs", f"top-{args.model}.yaml")
    overrides = list(args.set)
    if args.pid or args.print_pid_variables:
        path, pid_overrides = pid_config(args.model, path, overrides)
        if args.print_pid_variables:
            print(pid_overrides[-1].split("=", 1)[1] if pid_overrides != overrides else "")
            return
        overrides = pid_overrides
    if args.epochs is not None:
        overrides.append(f"training.epochs={args.epochs}")
    tree = load_config(path, overrides)
    data, features, weights, model_tree, training = (section(tree, k) for k in ("data", "features", "weights", "model", "training"))
    kind = model_tree.get("kind")
    if kind != args.model:
        raise ConfigError(f"model.kind: {kind!r} in {path}, but --model {args.model}")
    split = data.get("split") or {}
    if "modulus" not in split:
        raise ConfigError("data.split.modulus: needed (validationFraction's hash split is JetTag's own; "
                          "train.sh sets data.split.modulus=5)")
    for key in ("jetVariables", "newVariables"):
        if features.get(key):
            raise ConfigError(f"features.{key}: not reproduced by this reference")
    weighting = weights.get("weighting") or {}
    supported("weights.weighting.method", weighting.get("method", "none"), ["none"])
    supported("training.optimizer", training.get("optimizer", "adam"), ["adam", "adamw"])
    schedule = training.get("schedule") or {}
    supported("training.schedule.kind", schedule.get("kind", "constant"), ["constant"])
    files = data.get("files") or []
    source = args.input or (files[0] if len(files) == 1 else None)
    if source is None:
        raise ConfigError(f"data.files: {files} (one file, or --input)")
    source = source if os.path.isabs(source) or args.input else os.path.join(os.getcwd(), source)

    torch.set_num_threads(args.threads)
    seed = int(training.get("seed", 0))
    torch.manual_seed(seed)
    specs = [variable_spec(v, i) for i, v in enumerate(features.get("constituentVariables") or [])]
    if not specs:
        raise ConfigError("features.constituentVariables: list them (this reference has no default)")
    names = [s["name"] for s in specs]
    x, mask, labels, event_weights, events = load(source, int(features.get("maxConstituents", 128)), names)
    if not weights.get("eventWeights", True):
        event_weights = np.ones_like(event_weights)
    classes = 2
    validation = np.isin(events % int(split["modulus"]), split.get("validationFolds", [0]))
    train = ~validation
    x, fitted = standardise(x, mask, train, specs, features.get("standardization", "meanStd"))
    tensors = {}
    for name, part in (("train", train), ("val", validation)):
        w = event_weights[part]
        if weighting.get("balanceClasses", True):
            w = balanced(w, labels[part], classes)
        tensors[name] = (torch.from_numpy(x[part]), torch.from_numpy(mask[part]).float(),
                         torch.from_numpy(labels[part].astype(np.float32)), torch.from_numpy(w.astype(np.float32)))
    xt, mt, yt, wt = tensors["train"]
    xv, mv, yv, wv = tensors["val"]

    model = build_model(kind, section(tree, f"model.{kind}"), names, args.plain_batchnorm)
    optimizer_kind = training.get("optimizer", "adam")
    lr, decay = float(training.get("learningRate", 1e-3)), float(training.get("weightDecay", 0))
    optimizer = (torch.optim.AdamW if optimizer_kind == "adamw" else torch.optim.Adam)(model.parameters(), lr=lr, weight_decay=decay)
    batch_size, epochs = int(training.get("batchSize", 256)), int(training.get("epochs", 20))
    patience, min_delta = int(training.get("patience", 5)), float(training.get("minDelta", 0))
    metric = supported("training.checkpointMetric", training.get("checkpointMetric", "loss"), ["loss", "accuracy"])
    precise, clip = int(training.get("preciseBatchNorm", 32)), training.get("gradientClip")
    generator = torch.Generator().manual_seed(seed)

    history, best, best_state, best_epoch, stale, first, spent = [], None, None, None, 0, 1, 0.0
    if args.checkpoint and os.path.exists(args.checkpoint):
        state = torch.load(args.checkpoint, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        generator.set_state(state["generator"])
        torch.set_rng_state(state["torch_rng"])
        history, best, best_state, best_epoch, stale = (state[k] for k in ("history", "best", "best_state", "best_epoch", "stale"))
        first, spent = len(history) + 1, state["seconds"]
        print(json.dumps({"resumed": args.checkpoint, "epochs_done": len(history), "seconds": spent}), flush=True)
    resumed_at = time.time()
    for epoch in range(first, epochs + 1):
        if patience > 0 and stale >= patience:
            break
        model.train()
        begin = time.time()
        loss_sum = weight_sum = 0.0
        batches = torch.randperm(len(yt), generator=generator).split(batch_size)
        for batch in batches:
            optimizer.zero_grad()
            w = wt[batch]
            norm = w.abs().sum()
            loss = weighted_bce(model(xt[batch], mt[batch]), yt[batch], w) / norm
            loss.backward()
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), float(clip))
            optimizer.step()
            loss_sum += loss.item() * norm.item()
            weight_sum += norm.item()
        model.train()
        precise_batchnorm(model, xt, mt, batches[:precise])
        seconds = time.time() - begin
        val_loss, val_accuracy = validation_metrics(model, xv, mv, yv, wv)
        history.append(
            {"epoch": epoch, "training_loss": loss_sum / weight_sum, "validation_loss": val_loss,
             "validation_accuracy": val_accuracy, "seconds": seconds, "jets_per_second": len(yt) / seconds}
        )
        print(json.dumps(history[-1]), flush=True)
        value = val_loss if metric == "loss" else -val_accuracy
        if best is None or value < best - min_delta:
            best, best_state, best_epoch, stale = value, copy.deepcopy(model.state_dict()), epoch, 0
        else:
            stale += 1
        if args.checkpoint:
            state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "generator": generator.get_state(),
                     "torch_rng": torch.get_rng_state(), "history": history, "best": best, "best_state": best_state,
                     "best_epoch": best_epoch, "stale": stale, "seconds": spent + time.time() - resumed_at}
            torch.save(state, args.checkpoint + ".tmp")
            os.replace(args.checkpoint + ".tmp", args.checkpoint)
    model.load_state_dict(best_state)
    # Resumed (--checkpoint): the earlier sittings' epochs plus the whole of this sitting (imports and reading once).
    train_seconds = spent + time.time() - START

    s = scores(model, xv, mv).numpy()
    truth = yv.numpy()
    if args.scores_out:
        np.savez(args.scores_out, jet_index=np.flatnonzero(validation), label=truth, score=s)
    fpr, tpr, _ = roc_curve(truth, s)
    background = float((truth == 0).sum())
    points = {f"{eff:.1f}": working_point(fpr, tpr, eff, background) for eff in (0.3, 0.5)}
    print(
        json.dumps(
            {
                "side": "pytorch",
                "model": args.model,
                "config": os.path.relpath(path, ROOT),
                "overrides": overrides,
                "variables": names,
                "standardisation": fitted,
                "batchnorm": "plain" if args.plain_batchnorm else "masked",
                "precise_batchnorm": precise if batch_norms(model) else 0,
                "checkpoint_metric": metric,
                "threads": args.threads,
                "parameters": sum(p.numel() for p in model.parameters()),
                "epochs_run": len(history),
                "best_epoch": best_epoch,
                "training_jets": int(len(yt)),
                "validation_jets": int(len(yv)),
                "train_seconds": train_seconds,
                "epoch_jets_per_second": float(np.mean([r["jets_per_second"] for r in history])),
                "auc": float(roc_auc_score(truth, s)),
                "auc_error": delong.auc_error(truth, s),
                "rejection": {k: v[0] for k, v in points.items()},
                "rejection_error": {k: v[1] for k, v in points.items()},
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
