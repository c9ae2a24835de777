"""JetTag's Particle Transformer and ParticleNet in PyTorch, defined once for the fixtures and the benchmarks.

Imported by Scripts/make_transformer_reference.py and Tests/Scripts/make_particlenet_fixtures.py (float64,
deterministic sine-pattern parameters: the references JetModelsTests compare against), and by
Benchmarks/train_torch.py and Benchmarks/nn_torch.py (float32, PyTorch's default initialisation: what a PyTorch
user trains). The architectures are JetTag's (Sources/JetModels/TransformerConfig.swift, ParticleNetConfig.swift),
built from a config dict with the same keys as those Swift Codable configs, written the way weaver runs them: on
padded [B, P, F] tensors with a [B, P] mask whose real slots are a prefix of each jet, masks wherever padding could
leak (attention keys, k-NN candidates, BatchNorm statistics, means), batches trimmed to their longest jet (weaver's
SequenceTrimmer at evaluation; its random trimming in training is left out because it changes the model).

Layers come from a `Layers` object, so the fixtures set deterministic values where the benchmarks take PyTorch's
defaults; every module's `named()` gives JetTag's parameter names (and `buffers_named()` the BatchNorm running
statistics), which is how the fixtures are written and how `parameter_count` is compared with `jettag inspect`.
"""

import math

import torch

F = torch.nn.functional
EPS = 1e-8  # ParT's clamp in the pair features


class MaskedBatchNorm(torch.nn.Module):
    """BatchNorm over channels whose statistics use the real entries only; h is [B, N, C], mask [B, N].
    Biased variance for the batch, unbiased for the running variance (momentum 0.1, eps 1e-5, as nn.BatchNorm1d)."""

    def __init__(self, channels, dtype):
        super().__init__()
        self.momentum, self.eps = 0.1, 1e-5
        self.weight = torch.nn.Parameter(torch.ones(channels, dtype=dtype))
        self.bias = torch.nn.Parameter(torch.zeros(channels, dtype=dtype))
        self.register_buffer("running_mean", torch.zeros(channels, dtype=dtype))
        self.register_buffer("running_var", torch.ones(channels, dtype=dtype))

    def forward(self, h, mask):
        if self.training:
            m = mask.unsqueeze(-1).to(h.dtype)
            n = m.sum()
            mean = (h * m).sum((0, 1)) / n
            var = (((h - mean) ** 2) * m).sum((0, 1)) / n
            with torch.no_grad():
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * n / (n - 1).clamp(min=1))
        else:
            mean, var = self.running_mean, self.running_var
        return (h - mean) * torch.rsqrt(var + self.eps) * self.weight + self.bias


class Layers:
    """Makes the layers with PyTorch's default initialisation in `dtype`; the phases are for subclasses that set
    deterministic values (make_nn_fixtures.PatternLayers)."""

    def __init__(self, dtype=torch.float32):
        self.dtype = dtype

    def linear(self, n_in, n_out, phase, bias=True):
        return torch.nn.Linear(n_in, n_out, bias=bias, dtype=self.dtype)

    def layer_norm(self, width, phase):
        return torch.nn.LayerNorm(width, dtype=self.dtype)

    def batch_norm(self, channels, phase):
        return MaskedBatchNorm(channels, self.dtype)

    def token(self, width, phase):
        """ParT's class token, normal(0, 0.02) as JetTag initialises it."""
        return torch.nn.Parameter(torch.randn(width, dtype=self.dtype) * 0.02)


def norm_buffers(norms):
    """Running statistics of (name, MaskedBatchNorm) pairs, named as JetNN names them."""
    out = {}
    for name, norm in norms:
        out[f"{name}.running_mean"] = norm.running_mean
        out[f"{name}.running_var"] = norm.running_var
    return out


def parameter_count(model):
    return sum(p.numel() for p in model.named().values())


class Head(torch.nn.Module):
    """Jet-level Dense + ReLU (+ dropout) layers, then the output Dense (1 logit for 2 classes, else one per class)."""

    def __init__(self, n_in, hidden, classes, phase, layers, dropout=0.0):
        super().__init__()
        sizes = [n_in] + hidden + [1 if classes == 2 else classes]
        self.layers = torch.nn.ModuleList(layers.linear(a, b, phase + 0.9 * i) for i, (a, b) in enumerate(zip(sizes, sizes[1:])))
        self.dropout = torch.nn.Dropout(dropout)

    def forward(self, z):
        for i, layer in enumerate(self.layers):
            z = layer(z)
            if i + 1 < len(self.layers):
                z = self.dropout(torch.relu(z))
        return z

    def named(self):
        out = {}
        for i, layer in enumerate(self.layers):
            out[f"head.{i}.weight"] = layer.weight
            out[f"head.{i}.bias"] = layer.bias
        return out


def trim(x, mask):
    """The batch cut to its longest jet (real slots are a prefix): weaver's SequenceTrimmer at evaluation."""
    longest = max(int(mask.sum(1).max().item()), 1)
    return x[:, :longest], mask[:, :longest]


# ---------------------------------------------------------------------------------------------------------
# Particle Transformer


def pair_features(eta, phi, log_pt):
    """ln kT, ln z, ln dR, ln m^2 [..., 4] of pairs given as broadcast (i, j) tensors of deta, dphi and ln pt
    (massless m^2 = 4 pt_i pt_j (sinh^2(deta/2) + sin^2(dphi/2)), ParT's eps clamps; below dR = eps, ln dR is
    held at ln eps with zero gradient)."""
    (eta_i, eta_j), (phi_i, phi_j), (lpt_i, lpt_j) = eta, phi, log_pt
    deta = eta_i - eta_j
    dphi = (phi_i - phi_j + math.pi) % (2 * math.pi) - math.pi
    r2 = deta**2 + dphi**2
    safe = r2 >= EPS**2
    delta = torch.where(safe, torch.sqrt(torch.where(safe, r2, torch.ones_like(r2))), torch.zeros_like(r2))
    ln_delta = torch.where(safe, torch.log(torch.where(safe, delta, torch.ones_like(delta))), torch.full_like(delta, math.log(EPS)))
    pt_i, pt_j = torch.exp(lpt_i), torch.exp(lpt_j)
    pt_min = torch.minimum(pt_i, pt_j)
    ln_kt = torch.log((pt_min * delta).clamp(min=EPS))
    ln_z = torch.log((pt_min / (pt_i + pt_j).clamp(min=EPS)).clamp(min=EPS))
    m2 = 4 * pt_i * pt_j * (torch.sinh(deta / 2) ** 2 + torch.sin(dphi / 2) ** 2)
    ln_m2 = torch.log(m2.clamp(min=EPS))
    return torch.stack([ln_kt, ln_z, ln_delta, ln_m2], dim=-1)


class Attention(torch.nn.Module):
    """Multi-head attention with a key mask and an optional additive bias per head (no attention-weight dropout)."""

    def __init__(self, width, heads, phase, layers):
        super().__init__()
        self.heads = heads
        self.parts = torch.nn.ModuleDict(
            {p: layers.linear(width, width, phase + 0.37 * k) for k, p in enumerate(["query", "key", "value", "output"])})

    def forward(self, queries, keys, key_mask, bias=None):
        """queries [B, Q, C], keys/values [B, K, C], key_mask [B, K] (1 real), bias [B, H, Q, K] or None."""
        (b, nq, c), nk, h = queries.shape, keys.shape[1], self.heads
        d = c // h
        q = self.parts["query"](queries).view(b, nq, h, d).transpose(1, 2)
        k = self.parts["key"](keys).view(b, nk, h, d).transpose(1, 2)
        v = self.parts["value"](keys).view(b, nk, h, d).transpose(1, 2)
        logits = q @ k.transpose(2, 3) / math.sqrt(d)
        if bias is not None:
            logits = logits + bias
        logits = logits.masked_fill(key_mask[:, None, None, :] == 0, -math.inf)
        out = torch.softmax(logits, dim=-1) @ v  # [B, H, Q, d]
        return self.parts["output"](out.transpose(1, 2).reshape(b, nq, c))

    def named(self, prefix):
        out = {}
        for p, layer in self.parts.items():
            out[f"{prefix}.{p}.weight"] = layer.weight
            out[f"{prefix}.{p}.bias"] = layer.bias
        return out


class FeedForward(torch.nn.Module):
    """y = x + Dropout(FC2(Dropout(GELU(FC1(LN(x))))))."""

    def __init__(self, width, hidden, phase, layers, dropout):
        super().__init__()
        self.norm = layers.layer_norm(width, phase)
        self.expand = layers.linear(width, hidden, phase + 0.2)
        self.contract = layers.linear(hidden, width, phase + 0.4)
        self.dropout = torch.nn.Dropout(dropout)

    def forward(self, x):
        return x + self.dropout(self.contract(self.dropout(F.gelu(self.expand(self.norm(x))))))

    def named(self, prefix):
        return {f"{prefix}.norm.weight": self.norm.weight, f"{prefix}.norm.bias": self.norm.bias,
                f"{prefix}.0.weight": self.expand.weight, f"{prefix}.0.bias": self.expand.bias,
                f"{prefix}.1.weight": self.contract.weight, f"{prefix}.1.bias": self.contract.bias}


class Transformer(torch.nn.Module):
    """JetTag's ParT (TransformerConfig): embedding LN -> Linear -> GELU per layer; pair features of the pairs
    i >= j of real constituents (as weaver, on the lower triangle only) from the unstandardised deta, dphi, ln pt
    columns `pairColumns`, BatchNorm over the real pairs, Linear -> GELU layers, Linear to one bias per head,
    mirrored to (j, i) and shared by every particle block; particle blocks x += Dropout(MHA(LN(x), bias)) then the
    feed-forward; class blocks t += Dropout(MHA(t, LN([t; x]))) then the feed-forward; LN on the token; head."""

    def __init__(self, config, layers=None):
        super().__init__()
        layers = layers or Layers()
        self.config = config
        c, heads, dropout = config["embedLayers"][-1], config["heads"], config["dropout"]
        sizes = [config["inputFeatures"]] + config["embedLayers"]
        self.embed_norms = torch.nn.ModuleList(layers.layer_norm(a, 0.1 * i) for i, a in enumerate(sizes[:-1]))
        self.embed = torch.nn.ModuleList(layers.linear(a, b, 0.3 * i) for i, (a, b) in enumerate(zip(sizes, sizes[1:])))
        self.pair_norm = layers.batch_norm(4, 7.0) if config["pairColumns"] else None
        pair_sizes = [4] + config["pairLayers"] + [heads]
        self.pair = torch.nn.ModuleList(
            layers.linear(a, b, 1.1 + 0.3 * i) for i, (a, b) in enumerate(zip(pair_sizes, pair_sizes[1:]))
        ) if config["pairColumns"] else torch.nn.ModuleList()
        blocks = range(config["particleBlocks"])
        self.block_norms = torch.nn.ModuleList(layers.layer_norm(c, 2.0 + l) for l in blocks)
        self.blocks = torch.nn.ModuleList(Attention(c, heads, 2.5 + l, layers) for l in blocks)
        self.block_ffn = torch.nn.ModuleList(FeedForward(c, config["feedForward"], 3.5 + l, layers, dropout) for l in blocks)
        self.token = layers.token(c, 4.2)
        classes = range(config["classBlocks"])
        self.class_norms = torch.nn.ModuleList(layers.layer_norm(c, 5.0 + l) for l in classes)
        self.classes = torch.nn.ModuleList(Attention(c, heads, 5.5 + l, layers) for l in classes)
        self.class_ffn = torch.nn.ModuleList(FeedForward(c, config["feedForward"], 6.5 + l, layers, dropout) for l in classes)
        self.norm = layers.layer_norm(c, 8.0)
        self.dropout = torch.nn.Dropout(dropout)
        self.head = Head(c, config["headLayers"], config["classes"], 3.0, layers, dropout)

    def pair_bias(self, x, mask):
        """[B, H, P, P] from the pairs i >= j; padded slots read as 0 so nothing non-finite is formed there."""
        slots = x.shape[1]
        i, j = torch.tril_indices(slots, slots)
        columns = [x[..., c] * mask for c in self.config["pairColumns"]]
        p = pair_features(*((v[:, i], v[:, j]) for v in columns))  # [B, T, 4]
        p = self.pair_norm(p, mask[:, i] * mask[:, j])
        for k, layer in enumerate(self.pair):
            p = layer(p)
            if k + 1 < len(self.pair):
                p = F.gelu(p)
        off = i != j
        full = p.new_zeros(x.shape[0], slots * slots, p.shape[-1]).index_copy(1, i * slots + j, p)
        full = full.index_copy(1, j[off] * slots + i[off], p[:, off])
        return full.view(x.shape[0], slots, slots, -1).permute(0, 3, 1, 2)

    def forward(self, x, mask, jet_features=None):
        x, mask = trim(x, mask)
        bias = self.pair_bias(x, mask) if self.pair_norm is not None else None
        h = x
        for norm, embed in zip(self.embed_norms, self.embed):
            h = F.gelu(embed(norm(h)))
        for norm, attention, ffn in zip(self.block_norms, self.blocks, self.block_ffn):
            u = norm(h)
            h = ffn(h + self.dropout(attention(u, u, mask, bias)))
        t = self.token.expand(len(x), 1, -1)
        keys = torch.cat([torch.ones_like(mask[:, :1]), mask], dim=1)
        for norm, attention, ffn in zip(self.class_norms, self.classes, self.class_ffn):
            t = ffn(t + self.dropout(attention(t, norm(torch.cat([t, h], dim=1)), keys)))
        return self.head(self.norm(t[:, 0]))

    def norms(self):
        return [self.pair_norm] if self.pair_norm is not None else []

    def named(self):
        out = {}
        for i, (norm, layer) in enumerate(zip(self.embed_norms, self.embed)):
            out.update({f"embed.{i}.norm.weight": norm.weight, f"embed.{i}.norm.bias": norm.bias,
                        f"embed.{i}.weight": layer.weight, f"embed.{i}.bias": layer.bias})
        if self.pair_norm is not None:
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
        return norm_buffers([("pair.norm", self.pair_norm)] if self.pair_norm is not None else [])


# ---------------------------------------------------------------------------------------------------------
# ParticleNet


def knn(points, mask, k, check_ties=False):
    """Neighbour indices [B, P, K] and the mask of real edges [B, P, K] (K = min(k, P - 1)): the nearest OTHER
    real constituents of each jet (padding and the point itself at infinite distance). `check_ties` asserts that
    no real point has a tie between its k-th and (k+1)-th neighbour (torch.topk does not order equal distances)."""
    slots = points.shape[1]
    distances = ((points[:, :, None, :] - points[:, None, :, :]) ** 2).sum(-1)  # [B, P, P]
    excluded = (mask[:, None, :] == 0) | torch.eye(slots, dtype=torch.bool, device=points.device)[None]
    distances = distances.masked_fill(excluded, math.inf)
    count = min(k, slots - 1)
    if check_ties and count < slots - 1:
        ordered, _ = distances.sort(dim=-1)
        last, following = ordered[..., count - 1], ordered[..., count]
        both = torch.isfinite(following) & (mask > 0)
        gap = (following - last) / following.clamp(min=1e-12)
        assert bool((gap[both] > 1e-6).all()), f"tie at the k-th neighbour: min gap {gap[both].min()}"
    nearest, index = distances.topk(count, dim=-1, largest=False)
    edges = torch.isfinite(nearest) & (mask[:, :, None] > 0)
    return index, edges.to(points.dtype)


class EdgeConv(torch.nn.Module):
    """Edge features [x_i, x_j - x_i] over the k-NN; per layer Linear without bias, BatchNorm over real edges,
    ReLU; the mean over each point's real edges; shortcut (Linear + BatchNorm when the widths differ); ReLU."""

    def __init__(self, n_in, widths, phase, layers):
        super().__init__()
        sizes = [2 * n_in] + widths
        self.mlp = torch.nn.ModuleList(layers.linear(a, b, phase + 0.4 * i, bias=False) for i, (a, b) in enumerate(zip(sizes, sizes[1:])))
        self.norms = torch.nn.ModuleList(layers.batch_norm(b, phase + 2.0 + i) for i, b in enumerate(widths))
        self.shortcut = layers.linear(n_in, widths[-1], phase + 1.3, bias=False) if n_in != widths[-1] else None
        self.shortcut_norm = layers.batch_norm(widths[-1], phase + 3.7) if self.shortcut is not None else None

    def forward(self, points, x, mask, k, check_ties=False):
        index, edges = knn(points, mask, k, check_ties)
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

    def all_norms(self):
        return list(self.norms) + ([self.shortcut_norm] if self.shortcut_norm is not None else [])

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


class ParticleNet(torch.nn.Module):
    """JetTag's ParticleNet (ParticleNetConfig, weaver's ParticleNet.py with use_fts_bn, use_counts): input
    BatchNorm over real constituents; EdgeConv blocks, k-NN in the `coordinateColumns` of the inputs for the first
    and in the previous block's output after; fusion (concatenation, Linear without bias to clip(C // 128 * 128,
    128, 1024), BatchNorm, ReLU); mean over real constituents; jet features appended; head with dropout."""

    def __init__(self, config, layers=None, check_ties=False):
        super().__init__()
        layers = layers or Layers()
        self.config, self.check_ties = config, check_ties
        n_in = config["inputFeatures"]
        self.input_norm = layers.batch_norm(n_in, 0.9) if config["inputBatchNorm"] else None
        widths = [n_in] + [block[-1] for block in config["blocks"]]
        self.blocks = torch.nn.ModuleList(
            EdgeConv(widths[b], block, 0.6 * b, layers) for b, block in enumerate(config["blocks"]))
        pooled = widths[-1]
        if config["fusion"]:
            concatenated = sum(widths[1:])
            pooled = min(max(concatenated // 128 * 128, 128), 1024)
            self.fusion = layers.linear(concatenated, pooled, 4.1, bias=False)
            self.fusion_norm = layers.batch_norm(pooled, 4.6)
        self.head = Head(pooled + config["jetFeatures"], config["headLayers"], config["classes"], 3.0, layers,
                         config["dropout"])

    def forward(self, x, mask, jet_features=None):
        m = mask[..., None]
        points = x[..., self.config["coordinateColumns"]] * m
        h = self.input_norm(x, mask) * m if self.input_norm is not None else x * m
        outputs = []
        for b, block in enumerate(self.blocks):
            h = block(points if b == 0 else h, h, mask, self.config["k"], self.check_ties)
            outputs.append(h)
        if self.config["fusion"]:
            h = torch.relu(self.fusion_norm(self.fusion(torch.cat(outputs, dim=-1)), mask)) * m
        z = (h * m).sum(1) / mask.sum(1, keepdim=True).clamp(min=1)
        if jet_features is not None:
            z = torch.cat([z, jet_features], dim=1)
        return self.head(z)

    def norms(self):
        out = [self.input_norm] if self.input_norm is not None else []
        for block in self.blocks:
            out += block.all_norms()
        return out + ([self.fusion_norm] if self.config["fusion"] else [])

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
