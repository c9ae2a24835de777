#!/usr/bin/env python3
"""PyTorch 2.13 reference for JetTag's Particle Transformer (model.kind: transformer).

Writes Tests/JetModelsTests/Fixtures/transformer_binary.json and transformer_multiclass.json in the format of
Tests/Scripts/make_nn_fixtures.py (whose helpers this script imports: deterministic sine-pattern parameters,
junk in padded slots, signed weights, float64 arithmetic rounded to float32): logits, loss, every parameter
gradient, the input gradient and the pair BatchNorm's running statistics after one training forward.

The model is written out explicitly, jet by jet over each jet's real constituents (what ParT computes with its
padding masks), with JetTag's parameter names:
- embedding: per layer LayerNorm -> Linear -> GELU (erf);
- pair features of every pair i >= j (torch.tril_indices order): ln kT, ln z, ln dR, ln m^2 from the unstandardised
  deta, dphi, ln pt columns (massless m^2 = 4 pt_i pt_j (sinh^2(deta/2) + sin^2(dphi/2)), ParT's eps = 1e-8
  clamps), BatchNorm over all pairs of the batch, Linear -> GELU layers, Linear to one bias per head, shared by
  every particle block and symmetric in (i, j);
- particle blocks: x += MHA(LN(x)) with logits q k^T / sqrt(d) + bias, then x += FC2(GELU(FC1(LN(x))));
- class blocks: t += MHA(query t, keys/values LN([t; x])), then the same feed-forward on t; a learned token;
- final LayerNorm on the token, head Linear.
Dropout is 0 so the training forward is deterministic.

Run: python3 Scripts/make_transformer_reference.py (needs torch==2.13.0 and numpy).
"""
import math
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Scripts"))
import make_nn_fixtures as nn  # noqa: E402

nn.REGENERATE = "python3 Scripts/make_transformer_reference.py"
DTYPE = nn.DTYPE
EPS = 1e-8
F = torch.nn.functional


def layer_norm(width, phase):
    norm = torch.nn.LayerNorm(width, dtype=DTYPE)
    with torch.no_grad():
        norm.weight.copy_(1.0 + nn.pattern((width,), 0.3, phase))
        norm.bias.copy_(nn.pattern((width,), 0.2, phase + 1.0))
    return norm


def pair_features(x, columns):
    """ln kT, ln z, ln dR, ln m^2 of the pairs i >= j of one jet's constituents x [n, F]."""
    eta, phi, log_pt = (x[:, c] for c in columns)
    i, j = torch.tril_indices(len(x), len(x))
    deta = eta[i] - eta[j]
    dphi = (phi[i] - phi[j] + math.pi) % (2 * math.pi) - math.pi
    r2 = deta ** 2 + dphi ** 2
    safe = r2 >= EPS ** 2  # dR >= eps: below, ParT's clamp holds ln dR at ln eps with zero gradient
    delta = torch.where(safe, torch.sqrt(torch.where(safe, r2, torch.ones_like(r2))), torch.zeros_like(r2))
    ln_delta = torch.where(safe, torch.log(torch.where(safe, delta, torch.ones_like(delta))), torch.full_like(delta, math.log(EPS)))
    pt_i, pt_j = torch.exp(log_pt[i]), torch.exp(log_pt[j])
    pt_min = torch.minimum(pt_i, pt_j)
    ln_kt = torch.log((pt_min * delta).clamp(min=EPS))
    ln_z = torch.log((pt_min / (pt_i + pt_j).clamp(min=EPS)).clamp(min=EPS))
    m2 = 4 * pt_i * pt_j * (torch.sinh(deta / 2) ** 2 + torch.sin(dphi / 2) ** 2)
    ln_m2 = torch.log(m2.clamp(min=EPS))
    return torch.stack([ln_kt, ln_z, ln_delta, ln_m2], dim=1)


class Attention(torch.nn.Module):
    def __init__(self, width, heads, phase):
        super().__init__()
        self.heads = heads
        self.parts = torch.nn.ModuleDict({p: nn.dense(width, width, phase + 0.37 * k) for k, p in enumerate(["query", "key", "value", "output"])})

    def forward(self, queries, keys, bias=None):
        """queries [nq, C], keys/values [nk, C], bias [H, nq, nk] or None."""
        h, (nq, c), nk = self.heads, queries.shape, len(keys)
        d = c // h
        q = self.parts["query"](queries).view(nq, h, d).transpose(0, 1)
        k = self.parts["key"](keys).view(nk, h, d).transpose(0, 1)
        v = self.parts["value"](keys).view(nk, h, d).transpose(0, 1)
        logits = q @ k.transpose(1, 2) / math.sqrt(d)
        if bias is not None:
            logits = logits + bias
        out = torch.softmax(logits, dim=-1) @ v  # [H, nq, d]
        return self.parts["output"](out.transpose(0, 1).reshape(nq, c))

    def named(self, prefix):
        out = {}
        for p, layer in self.parts.items():
            out[f"{prefix}.{p}.weight"] = layer.weight
            out[f"{prefix}.{p}.bias"] = layer.bias
        return out


class FeedForward(torch.nn.Module):
    def __init__(self, width, hidden, phase):
        super().__init__()
        self.norm = layer_norm(width, phase)
        self.expand = nn.dense(width, hidden, phase + 0.2)
        self.contract = nn.dense(hidden, width, phase + 0.4)

    def forward(self, x):
        return x + self.contract(F.gelu(self.expand(self.norm(x))))

    def named(self, prefix):
        return {f"{prefix}.norm.weight": self.norm.weight, f"{prefix}.norm.bias": self.norm.bias,
                f"{prefix}.0.weight": self.expand.weight, f"{prefix}.0.bias": self.expand.bias,
                f"{prefix}.1.weight": self.contract.weight, f"{prefix}.1.bias": self.contract.bias}


class Transformer(torch.nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        c, heads = config["embedLayers"][-1], config["heads"]
        sizes = [config["inputFeatures"]] + config["embedLayers"]
        self.embed_norms = torch.nn.ModuleList(layer_norm(a, 0.1 * i) for i, a in enumerate(sizes[:-1]))
        self.embed = torch.nn.ModuleList(nn.dense(a, b, 0.3 * i) for i, (a, b) in enumerate(zip(sizes, sizes[1:])))
        pair_sizes = [4] + config["pairLayers"] + [heads]
        self.pair_norm = nn.MaskedBatchNorm(4, 7.0)
        self.pair = torch.nn.ModuleList(nn.dense(a, b, 1.1 + 0.3 * i) for i, (a, b) in enumerate(zip(pair_sizes, pair_sizes[1:])))
        self.block_norms = torch.nn.ModuleList(layer_norm(c, 2.0 + l) for l in range(config["particleBlocks"]))
        self.blocks = torch.nn.ModuleList(Attention(c, heads, 2.5 + l) for l in range(config["particleBlocks"]))
        self.block_ffn = torch.nn.ModuleList(FeedForward(c, config["feedForward"], 3.5 + l) for l in range(config["particleBlocks"]))
        self.token = torch.nn.Parameter(nn.pattern((c,), 1.0, 4.2))
        self.class_norms = torch.nn.ModuleList(layer_norm(c, 5.0 + l) for l in range(config["classBlocks"]))
        self.classes = torch.nn.ModuleList(Attention(c, heads, 5.5 + l) for l in range(config["classBlocks"]))
        self.class_ffn = torch.nn.ModuleList(FeedForward(c, config["feedForward"], 6.5 + l) for l in range(config["classBlocks"]))
        self.norm = layer_norm(c, 8.0)
        self.head = nn.Head(c, config["headLayers"], config["classes"], 3.0)

    def forward(self, x, mask, jet_features=None):
        counts = mask.sum(1).long().tolist()
        jets = [x[b, :n] for b, n in enumerate(counts)]
        pairs = [pair_features(jet, self.config["pairColumns"]) for jet in jets]
        flat = torch.cat(pairs)  # BatchNorm over every pair of the batch
        p = self.pair_norm(flat[None], torch.ones(1, len(flat), dtype=DTYPE))[0]
        for i, layer in enumerate(self.pair):
            p = layer(p)
            if i + 1 < len(self.pair):
                p = F.gelu(p)
        biases, start = [], 0
        for n in counts:
            rows = p[start:start + n * (n + 1) // 2]
            start += len(rows)
            i, j = torch.tril_indices(n, n)
            full = torch.zeros(n, n, self.config["heads"], dtype=DTYPE).index_put((i, j), rows).index_put((j, i), rows)
            biases.append(full.permute(2, 0, 1))
        tokens = []
        for b, h in enumerate(jets):
            for norm, embed in zip(self.embed_norms, self.embed):
                h = F.gelu(embed(norm(h)))
            for norm, attention, ffn in zip(self.block_norms, self.blocks, self.block_ffn):
                u = norm(h)
                h = ffn(h + attention(u, u, biases[b]))
            t = self.token[None]
            for norm, attention, ffn in zip(self.class_norms, self.classes, self.class_ffn):
                u = norm(torch.cat([t, h]))
                t = ffn(t + attention(t, u))
            tokens.append(t[0])
        return self.head(self.norm(torch.stack(tokens)))

    def named(self):
        out = {}
        for i, (norm, layer) in enumerate(zip(self.embed_norms, self.embed)):
            out.update({f"embed.{i}.norm.weight": norm.weight, f"embed.{i}.norm.bias": norm.bias,
                        f"embed.{i}.weight": layer.weight, f"embed.{i}.bias": layer.bias})
        out.update({"pair.norm.weight": self.pair_norm.weight, "pair.norm.bias": self.pair_norm.bias})
        for i, layer in enumerate(self.pair):
            out.update({f"pair.{i}.weight": layer.weight, f"pair.{i}.bias": layer.bias})
        for l, (norm, attention, ffn) in enumerate(zip(self.block_norms, self.blocks, self.block_ffn)):
            out.update({f"block.{l}.attention_norm.weight": norm.weight, f"block.{l}.attention_norm.bias": norm.bias})
            out.update(attention.named(f"block.{l}.attention"))
            out.update(ffn.named(f"block.{l}.ffn"))
        out["class_token"] = self.token
        for l, (norm, attention, ffn) in enumerate(zip(self.class_norms, self.classes, self.class_ffn)):
            out.update({f"class.{l}.norm.weight": norm.weight, f"class.{l}.norm.bias": norm.bias})
            out.update(attention.named(f"class.{l}.attention"))
            out.update(ffn.named(f"class.{l}.ffn"))
        out.update({"norm.weight": self.norm.weight, "norm.bias": self.norm.bias})
        out.update(self.head.named())
        return out

    def buffers_named(self):
        return {"pair.norm.running_mean": self.pair_norm.running_mean, "pair.norm.running_var": self.pair_norm.running_var}


def config(**changes):
    base = {"inputFeatures": 5, "embedLayers": [8, 8], "heads": 2, "particleBlocks": 2, "classBlocks": 1,
            "feedForward": 12, "pairLayers": [6], "pairColumns": [0, 1, 2], "dropout": 0.0, "headLayers": [],
            "classes": 2}
    base.update(changes)
    return base


def main():
    if not torch.__version__.startswith(nn.TORCH_VERSION):
        sys.exit(f"torch {torch.__version__} found; the fixtures are made with torch=={nn.TORCH_VERSION}")
    torch.use_deterministic_algorithms(True)
    # Jets of 4, 1 (attention over one constituent), 3 and 5 (at the cap P = 5) constituents.
    multiplicities = [4, 1, 3, 5]
    nn.gradient_fixture(
        "transformer_binary", "ParT-style transformer: embed [8, 8], 2 heads, 2 particle blocks with the pair bias "
        "(pair features of columns 0-2, BatchNorm, [6] -> 2 heads), 1 class block, FFN 12, 1 logit, BCE",
        Transformer(config()), nn.make_inputs(11, 4, 5, 5, multiplicities))
    nn.gradient_fixture(
        "transformer_multiclass", "as transformer_binary with 2 class blocks, a [6] hidden head layer, 3 classes, "
        "softmax cross-entropy", Transformer(config(classBlocks=2, headLayers=[6], classes=3)),
        nn.make_inputs(12, 4, 5, 5, multiplicities, classes=3))


if __name__ == "__main__":
    main()
