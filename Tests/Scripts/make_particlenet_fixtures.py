#!/usr/bin/env python3
"""PyTorch reference fixtures for JetTag's ParticleNet (JetModelsTests/ParticleNetModelTests).

Regenerate (needs torch==2.13.0 and numpy; CI never runs this, it reads the committed JSON):

    python3 Tests/Scripts/make_particlenet_fixtures.py

The files have the format, conventions and deterministic values of Tests/Scripts/make_nn_fixtures.py (whose
helpers this script imports): padded [B, P, F] inputs with junk in the padding, a mask, float64 arithmetic, Dense
weights [out, in], BatchNorm statistics over real entries only.

The ParticleNet here is weaver's (ParticleNet.py: EdgeConvBlock, fusion, use_fts_bn, use_counts) written out on
padded tensors with masks, so that nothing padded enters a neighbour list, a BatchNorm statistic or a mean:
- input BatchNorm over the real constituents (`input.norm.*`);
- block b: k nearest neighbours of each real constituent among the OTHER real constituents of its jet, in the
  coordinate columns of the raw inputs for b = 0 (weaver's `points`) and in block b-1's output after; a jet of n
  constituents gives each one min(k, n - 1) neighbours (none for n = 1);
  edge features [x_i, x_j - x_i]; per MLP layer Linear without bias (a 1x1 Conv2d), BatchNorm over the real edges,
  ReLU; the mean over each point's real edges (zero without any); shortcut Linear without bias + BatchNorm when
  the widths differ, else identity; ReLU;
- fusion: the blocks' outputs concatenated, Linear without bias to clip(C // 128 * 128, 128, 1024), BatchNorm, ReLU;
- the mean over the real constituents (use_counts), jet features appended, the head of make_nn_fixtures.

torch.topk does not define the order of equal distances; the script checks that no real constituent has a tie
(relative gap below 1e-6) between its k-th and (k+1)-th nearest neighbour, so the neighbour sets are unambiguous.
"""

import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_nn_fixtures as nn_fixtures  # noqa: E402
from make_nn_fixtures import DTYPE, Head, MaskedBatchNorm, dense, make_inputs, pattern  # noqa: E402,F401

nn_fixtures.REGENERATE = "python3 Tests/Scripts/make_particlenet_fixtures.py"


def knn(points, mask, k):
    """Neighbour indices [B, P, K] and the mask of real edges [B, P, K] (K = min(k, P - 1))."""
    _, slots, _ = points.shape
    distances = ((points[:, :, None, :] - points[:, None, :, :]) ** 2).sum(-1)  # [B, P, P]
    excluded = (mask[:, None, :] == 0) | torch.eye(slots, dtype=torch.bool)[None]
    distances = distances.masked_fill(excluded, math.inf)
    count = min(k, slots - 1)
    ordered, _ = distances.sort(dim=-1)
    # Unambiguous neighbour sets: the k-th and (k+1)-th nearest differ (when both are real).
    if count < slots - 1:
        last, following = ordered[..., count - 1], ordered[..., count]
        both = torch.isfinite(following) & (mask > 0)
        gap = (following - last) / following.clamp(min=1e-12)
        assert bool((gap[both] > 1e-6).all()), f"tie at the k-th neighbour: min gap {gap[both].min()}"
    nearest, index = distances.topk(count, dim=-1, largest=False)
    edges = torch.isfinite(nearest) & (mask[:, :, None] > 0)
    return index, edges.to(DTYPE)


class EdgeConv(torch.nn.Module):
    def __init__(self, n_in, widths, phase):
        super().__init__()
        sizes = [2 * n_in] + widths
        self.mlp = torch.nn.ModuleList(dense(a, b, phase + 0.4 * i, bias=False) for i, (a, b) in enumerate(zip(sizes, sizes[1:])))
        self.norms = torch.nn.ModuleList(MaskedBatchNorm(b, phase + 2.0 + i) for i, b in enumerate(widths))
        self.shortcut = dense(n_in, widths[-1], phase + 1.3, bias=False) if n_in != widths[-1] else None
        self.shortcut_norm = MaskedBatchNorm(widths[-1], phase + 3.7) if self.shortcut is not None else None

    def forward(self, points, x, mask, k):
        index, edges = knn(points, mask, k)
        batch, slots, count = index.shape
        neighbours = torch.gather(
            x[:, None, :, :].expand(batch, slots, slots, x.shape[-1]), 2,
            index[..., None].expand(batch, slots, count, x.shape[-1]))  # [B, P, K, C]
        centre = x[:, :, None, :].expand_as(neighbours)
        h = torch.cat([centre, neighbours - centre], dim=-1).reshape(batch, slots * count, -1)
        flat_edges = edges.reshape(batch, slots * count)
        for layer, norm in zip(self.mlp, self.norms):
            h = torch.relu(norm(layer(h), flat_edges))
        h = h.reshape(batch, slots, count, -1)
        mean = (h * edges[..., None]).sum(2) / edges.sum(2).clamp(min=1)[..., None]
        shortcut = x if self.shortcut is None else self.shortcut_norm(self.shortcut(x), mask)
        return torch.relu(mean + shortcut) * mask[..., None]

    def named(self, prefix):
        out = {}
        for i, (layer, norm) in enumerate(zip(self.mlp, self.norms)):
            out[f"{prefix}.edge.{i}.weight"] = layer.weight
            out[f"{prefix}.edge.{i}.norm.weight"] = norm.weight
            out[f"{prefix}.edge.{i}.norm.bias"] = norm.bias
        if self.shortcut is not None:
            out[f"{prefix}.shortcut.weight"] = self.shortcut.weight
            out[f"{prefix}.shortcut.norm.weight"] = self.shortcut_norm.weight
            out[f"{prefix}.shortcut.norm.bias"] = self.shortcut_norm.bias
        return out

    def buffers_named(self, prefix):
        norms = [(f"{prefix}.edge.{i}.norm", n) for i, n in enumerate(self.norms)]
        if self.shortcut_norm is not None:
            norms.append((f"{prefix}.shortcut.norm", self.shortcut_norm))
        return norm_buffers(norms)


def norm_buffers(norms):
    out = {}
    for name, norm in norms:
        out[f"{name}.running_mean"] = norm.running_mean
        out[f"{name}.running_var"] = norm.running_var
    return out


class ParticleNet(torch.nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        n_in = config["inputFeatures"]
        self.input_norm = MaskedBatchNorm(n_in, 0.9) if config["inputBatchNorm"] else None
        widths = [n_in] + [block[-1] for block in config["blocks"]]
        self.blocks = torch.nn.ModuleList(
            EdgeConv(widths[b], block, 0.6 * b) for b, block in enumerate(config["blocks"]))
        pooled = widths[-1]
        if config["fusion"]:
            concatenated = sum(widths[1:])
            pooled = min(max(concatenated // 128 * 128, 128), 1024)
            self.fusion = dense(concatenated, pooled, 4.1, bias=False)
            self.fusion_norm = MaskedBatchNorm(pooled, 4.6)
        self.head = Head(pooled + config["jetFeatures"], config["headLayers"], config["classes"], 3.0)

    def forward(self, x, mask, jet_features=None):
        m = mask[..., None]
        points = x[..., self.config["coordinateColumns"]] * m
        h = self.input_norm(x, mask) * m if self.input_norm is not None else x * m
        outputs = []
        for b, block in enumerate(self.blocks):
            h = block(points if b == 0 else h, h, mask, self.config["k"])
            outputs.append(h)
        if self.config["fusion"]:
            h = torch.relu(self.fusion_norm(self.fusion(torch.cat(outputs, dim=-1)), mask)) * m
        z = (h * m).sum(1) / mask.sum(1, keepdim=True).clamp(min=1)
        if jet_features is not None:
            z = torch.cat([z, jet_features], dim=1)
        return self.head(z)

    def named(self):
        out = {}
        if self.input_norm is not None:
            out["input.norm.weight"] = self.input_norm.weight
            out["input.norm.bias"] = self.input_norm.bias
        for b, block in enumerate(self.blocks):
            out.update(block.named(f"block.{b}"))
        if self.config["fusion"]:
            out["fusion.weight"] = self.fusion.weight
            out["fusion.norm.weight"] = self.fusion_norm.weight
            out["fusion.norm.bias"] = self.fusion_norm.bias
        out.update(self.head.named())
        return out

    def buffers_named(self):
        out = norm_buffers([("input.norm", self.input_norm)] if self.input_norm is not None else [])
        for b, block in enumerate(self.blocks):
            out.update(block.buffers_named(f"block.{b}"))
        if self.config["fusion"]:
            out.update(norm_buffers([("fusion.norm", self.fusion_norm)]))
        return out


# k = 3 on jets of 3, 1, 7 (the cap P), 5 and 2 constituents: fewer than k + 1 (all others), a single one (none),
# and more. Block 0 widens 4 -> 5 (Dense shortcut), block 1 keeps 5 (identity shortcut).
BINARY = {
    "inputFeatures": 4, "jetFeatures": 0, "coordinates": ["deta", "dphi"], "coordinateColumns": [1, 2], "k": 3,
    "blocks": [[6, 5], [5]], "inputBatchNorm": True, "fusion": True, "headLayers": [4], "dropout": 0.0,
    "classes": 2,
}
MULTICLASS = dict(BINARY, jetFeatures=2, k=4, inputBatchNorm=False, fusion=False, classes=3)


def main():
    if not torch.__version__.startswith(nn_fixtures.TORCH_VERSION):
        sys.exit(f"torch {torch.__version__} found; the fixtures are made with torch=={nn_fixtures.TORCH_VERSION}")
    torch.use_deterministic_algorithms(True)
    batch = make_inputs(1, 5, 7, 4, nn_fixtures.MULTIPLICITIES)
    nn_fixtures.gradient_fixture(
        "particlenet_binary", "ParticleNet: input BatchNorm, EdgeConv k=3 blocks [6, 5] (Dense shortcut) and [5] "
        "(identity shortcut), fusion to 128, mean pooling, 1 logit, BCE; jets of 3, 1, 7, 5, 2 constituents",
        ParticleNet(BINARY), batch)
    nn_fixtures.gradient_fixture(
        "particlenet_multiclass", "ParticleNet: no input BatchNorm, EdgeConv k=4 blocks [6, 5] and [5], no fusion, "
        "2 jet features after pooling, 3 classes, softmax cross-entropy",
        ParticleNet(MULTICLASS), make_inputs(2, 5, 7, 4, nn_fixtures.MULTIPLICITIES, jet_features=2, classes=3))
    batches = [batch, make_inputs(3, 5, 7, 4, [7, 4, 2, 6, 1]), make_inputs(4, 5, 7, 4, [2, 5, 3, 7, 7])]
    nn_fixtures.running_stats_fixture(
        "particlenet_running_stats", "ParticleNet (as particlenet_binary): 3 training forwards, then eval on batch0",
        ParticleNet(BINARY), batches)


if __name__ == "__main__":
    main()
