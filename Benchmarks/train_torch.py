"""PyTorch reference of `jettag train` + `jettag evaluate --split validation` for Benchmarks/train.sh.

Reproduces the pipeline of Configs/top-deepsets.yaml and Configs/top-cnn1d.yaml as JetTag runs it:
- split: ATLAS folds, jets with event_number % modulus == 0 are validation, the others training;
- features: weaver's 7 (pt_log, e_log, logptrel, logerel, deltaR, deta, dphi) of the hardest max_constituents
  constituents, standardised with the mean and 1 / population std of the training split's real constituents,
  clipped to [-5, 5], padding 0;
- weights: event weights, then every class scaled to the same signed sum (N / classes) in each split;
- loss: binary cross-entropy on one logit, per batch sum(w l) / sum(|w|); validation loss sum(w l) / sum(|w|)
  over the validation split in evaluation mode, every epoch;
- Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8), constant rate, batch 256, shuffled every epoch, early stopping
  after `patience` epochs without a lower validation loss; "the model" is the epoch with the lowest one;
- models: Deep Sets / PFN (per-constituent Dense+ReLU on the padded tensor, masked sum pooling, Dense+ReLU head)
  and P-CNN (Conv1d(k=3, padding=1, no bias) + BatchNorm + ReLU blocks, activations multiplied by the mask after
  every block, masked mean pooling, Dense+ReLU+Dropout head). The CNN's BatchNorm is masked by default
  (statistics over real constituents only, as JetTag); `--plain-batchnorm` uses nn.BatchNorm1d over all slots.
  After every epoch its running statistics are recomputed as plain averages over the first 32 batches of the
  epoch (training.preciseBatchNorm, `--precise-batchnorm`).

Prints one JSON line: epochs run, best epoch, wall seconds of the training part (from process start, imports
included, to the best model in memory), training jets, per-epoch history, AUC and 1/eps_B at eps_S 0.3 and
0.5 with binomial uncertainties on the validation split.
"""
import time

START = time.time()

import argparse  # noqa: E402
import copy  # noqa: E402
import json  # noqa: E402

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.metrics import roc_auc_score, roc_curve  # noqa: E402
from torch import nn  # noqa: E402

VARIABLES = ["pt_log", "e_log", "logptrel", "logerel", "deltaR", "deta", "dphi"]


def wrap(angle):
    """Wraps to (-pi, pi]."""
    wrapped = np.remainder(angle + np.pi, 2 * np.pi) - np.pi
    return np.where(wrapped <= -np.pi, wrapped + 2 * np.pi, wrapped).astype(np.float32)


def load(path, slots):
    """Raw features [N, slots, 7] (0 in padding), mask [N, slots], labels, weights, event numbers."""
    with h5py.File(path, "r") as f:
        jets = f["jets"][:]
        parts = f["constituents"].fields(["pt", "eta", "phi", "energy", "valid"])[:, :slots]
    valid = parts["valid"].astype(bool)
    n = np.minimum(jets["n_constituents"], slots)
    mask = np.arange(slots)[None, :] < n[:, None]
    assert np.array_equal(mask, valid), "valid flags are not a prefix of n_constituents"
    pt = np.where(mask, parts["pt"], 1).astype(np.float32)
    energy = np.where(mask, parts["energy"], 1).astype(np.float32)
    deta = (parts["eta"] - jets["eta"][:, None]).astype(np.float32)
    dphi = wrap(parts["phi"] - jets["phi"][:, None])
    x = np.stack(
        [
            np.log(pt),
            np.log(energy),
            np.log(pt / jets["pt"][:, None]),
            np.log(energy / jets["energy"][:, None]),
            np.hypot(deta, dphi),
            deta,
            dphi,
        ],
        axis=-1,
    ).astype(np.float32)
    x[~mask] = 0
    return x, mask, jets["label"].astype(np.float32), jets["weight"].astype(np.float32), jets["event_number"]


def standardise(x, mask, train, clip):
    """In place: (x - mean) / std of the training jets' real constituents, clipped; padding stays 0."""
    real = x[train][mask[train]].astype(np.float64)
    mean, std = real.mean(axis=0), real.std(axis=0)
    scale = np.where(std > 0, 1 / np.where(std > 0, std, 1), 1)
    y = np.clip((x - mean.astype(np.float32)) * scale.astype(np.float32), -clip, clip)
    y[~mask] = 0
    return y.astype(np.float32)


def balanced(weights, labels):
    """Every class's signed weight sum becomes N / 2."""
    out = weights.astype(np.float64).copy()
    for c in (0, 1):
        members = labels == c
        out[members] *= (len(labels) / 2) / weights[members].sum(dtype=np.float64)
    return out.astype(np.float32)


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


def precise_batchnorm(model, x, mask, batches):
    """Running statistics = plain averages of the batch statistics over `batches` (training.preciseBatchNorm)."""
    if not batches:
        return
    with torch.no_grad():
        for k, batch in enumerate(batches):
            for norm in model.norms:
                norm.momentum = 1 / (k + 1)
            model(x[batch], mask[batch])
        for norm in model.norms:
            norm.momentum = 0.1


def weighted_bce(logits, labels, weights):
    """sum_i w_i l_i (divide by sum |w| yourself)."""
    losses = nn.functional.binary_cross_entropy_with_logits(logits, labels, reduction="none")
    return (weights * losses).sum()


def validation_loss(model, x, mask, y, w):
    model.eval()
    total = 0.0
    with torch.no_grad():
        for start in range(0, len(y), 1024):
            s = slice(start, start + 1024)
            total += weighted_bce(model(x[s], mask[s]), y[s], w[s]).item()
    return total / w.abs().sum().item()


def scores(model, x, mask):
    model.eval()
    with torch.no_grad():
        return torch.cat([torch.sigmoid(model(x[s : s + 4096], mask[s : s + 4096])) for s in range(0, len(x), 4096)])


def working_point(fpr, tpr, efficiency, background_count):
    """1/eps_B at eps_S (eps_B linear in eps_S between curve points) and its binomial uncertainty."""
    eps_b = float(np.interp(efficiency, tpr, fpr))
    rejection = 1 / eps_b if eps_b > 0 else float("inf")
    error = np.sqrt(eps_b * (1 - eps_b) / background_count) / eps_b**2 if eps_b > 0 else float("inf")
    return rejection, float(error)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--input", default="../shared/data/top_qcd_dev.h5")
    parser.add_argument("--model", choices=["deepsets", "cnn1d"], required=True)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-constituents", type=int, default=128)
    parser.add_argument("--modulus", type=int, default=5, help="validation: event_number %% modulus == 0")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--patience", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plain-batchnorm", action="store_true", help="CNN: nn.BatchNorm1d over padding too")
    parser.add_argument(
        "--precise-batchnorm", type=int, default=32,
        help="CNN: after each epoch, running statistics = plain averages over this many batches (0: off)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    x, mask, labels, weights, events = load(args.input, args.max_constituents)
    validation = events % args.modulus == 0
    train = ~validation
    x = standardise(x, mask, train, clip=5.0)
    tensors = {}
    for name, part in (("train", train), ("val", validation)):
        tensors[name] = (
            torch.from_numpy(x[part]),
            torch.from_numpy(mask[part]).float(),
            torch.from_numpy(labels[part]),
            torch.from_numpy(balanced(weights[part], labels[part])),
        )
    xt, mt, yt, wt = tensors["train"]
    xv, mv, yv, wv = tensors["val"]

    if args.model == "deepsets":
        model = DeepSets(7, [100, 100, 128], [100, 100, 100], dropout=0.0)
    else:
        model = CNN1D(7, [64, 64, 128, 128], 3, [128], dropout=0.1, plain_batchnorm=args.plain_batchnorm)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    generator = torch.Generator().manual_seed(args.seed)

    history, best, best_state, stale = [], None, None, 0
    for epoch in range(1, args.epochs + 1):
        model.train()
        begin = time.time()
        loss_sum = weight_sum = 0.0
        batches = torch.randperm(len(yt), generator=generator).split(args.batch_size)
        for batch in batches:
            optimizer.zero_grad()
            w = wt[batch]
            norm = w.abs().sum()
            loss = weighted_bce(model(xt[batch], mt[batch]), yt[batch], w) / norm
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * norm.item()
            weight_sum += norm.item()
        if args.model == "cnn1d":
            precise_batchnorm(model, xt, mt, batches[: args.precise_batchnorm])
        seconds = time.time() - begin
        val = validation_loss(model, xv, mv, yv, wv)
        history.append(
            {"epoch": epoch, "training_loss": loss_sum / weight_sum, "validation_loss": val, "seconds": seconds,
             "jets_per_second": len(yt) / seconds}
        )
        print(json.dumps(history[-1]), flush=True)
        if best is None or val < best:
            best, best_state, stale = val, copy.deepcopy(model.state_dict()), 0
        else:
            stale += 1
        if args.patience > 0 and stale >= args.patience:
            break
    model.load_state_dict(best_state)
    train_seconds = time.time() - START

    s = scores(model, xv, mv).numpy()
    truth = yv.numpy()
    fpr, tpr, _ = roc_curve(truth, s)
    background = float((truth == 0).sum())
    points = {f"{eff:.1f}": working_point(fpr, tpr, eff, background) for eff in (0.3, 0.5)}
    print(
        json.dumps(
            {
                "side": "pytorch",
                "model": args.model,
                "batchnorm": "plain" if args.plain_batchnorm else "masked",
                "precise_batchnorm": args.precise_batchnorm if args.model == "cnn1d" else 0,
                "threads": args.threads,
                "epochs_run": len(history),
                "best_epoch": min(history, key=lambda r: r["validation_loss"])["epoch"],
                "training_jets": int(len(yt)),
                "validation_jets": int(len(yv)),
                "train_seconds": train_seconds,
                "epoch_jets_per_second": float(np.mean([r["jets_per_second"] for r in history])),
                "auc": float(roc_auc_score(truth, s)),
                "rejection": {k: v[0] for k, v in points.items()},
                "rejection_error": {k: v[1] for k, v in points.items()},
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
