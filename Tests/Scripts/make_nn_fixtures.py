#!/usr/bin/env python3
"""PyTorch reference fixtures for JetModelsTests (Deep Sets, 1D CNN, optimizers, BatchNorm statistics).

Regenerate (needs torch==2.13.0 and numpy; CI never runs this, it reads the committed JSON):

    python3 Tests/Scripts/make_nn_fixtures.py

Every fixture is one JSON file in Tests/JetModelsTests/Fixtures/:

    {"format": "jettag-nn-fixture", "version": 1, "regenerate": "...", "torch": "2.13.0",
     "description": "...", "config": {...},            # the model's Swift Codable config, same keys
     "optimizer": null or {"kind": "adam"|"adamw", "learningRate": ..., ...},
     "scalars": {"loss": ...},
     "tensors": {"name": {"shape": [...], "data": [flat row-major float32 values]}}}

Conventions (they are JetNN's layouts):
- inputs are padded [B, P, F] with a [B, P] mask whose valid slots are a prefix of each jet; padded slots hold
  deliberately large junk values so a model that reads them fails the comparison;
- Dense weights are [out, in]; Conv1d weights are dumped as [out, K, in] (PyTorch's [out, in, K] permuted);
- BatchNorm parameters are `<layer>.norm.weight` (gamma) and `<layer>.norm.bias` (beta), its running
  statistics `<layer>.norm.running_mean` / `.running_var` (unbiased variance, momentum 0.1, eps 1e-5),
  computed over the valid constituents only;
- a layer followed by BatchNorm has no bias (BatchNorm's shift replaces it);
- losses take signed per-jet weights and are normalised as sum(w * l) / sum(|w|);
- optimizer fixtures apply weight decay to Dense/Conv1d weights only (JetNN's rule), not to biases or BatchNorm
  parameters;
- attention pooling: scores s_i = w . h_i (parameter `pooling.weight` [C], no bias), softmax over each jet's
  valid constituents, pooled = sum_i a_i h_i;
- `grad.<param>` is d(loss)/d(param), `grad.inputs` is d(loss)/d(inputs) as [B, P, F] (zero at padding).

Parameters are set from their shapes (a fixed sine pattern), inputs from numpy's legacy RandomState with a
fixed seed, so nothing depends on torch's RNG. The arithmetic is done in float64 and rounded to float32 when
written, so the reference is exact to float32 precision.
"""

import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_models  # noqa: E402

FORMAT_VERSION = 1
REGENERATE = "python3 Tests/Scripts/make_nn_fixtures.py"
TORCH_VERSION = "2.13.0"

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "JetModelsTests", "Fixtures")
DTYPE = torch.float64


# ---------------------------------------------------------------------------------------------------------
# Deterministic values


def pattern(shape, scale, phase):
    """Values from the shape alone: scale * sin(0.7 * i + phase) / sqrt(fan_in)."""
    n = int(np.prod(shape))
    fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
    i = np.arange(n, dtype=np.float64)
    values = scale * np.sin(0.7 * i + phase + 0.3 * n) / math.sqrt(fan_in)
    return torch.tensor(values.reshape(shape), dtype=DTYPE)


def make_inputs(seed, batch, slots, features, multiplicities, jet_features=0, classes=2):
    """Random inputs with junk in the padded slots, signed weights and labels."""
    rng = np.random.RandomState(seed)
    x = rng.normal(size=(batch, slots, features))
    mask = np.zeros((batch, slots))
    for b, m in enumerate(multiplicities):
        mask[b, :m] = 1.0
    x = np.where(mask[:, :, None] > 0, x, 50.0 + rng.uniform(size=x.shape))
    weights = rng.uniform(0.2, 1.5, size=batch) * np.where(np.arange(batch) % 3 == 1, -1.0, 1.0)
    labels = np.arange(batch) % classes
    t = lambda a: torch.tensor(a, dtype=DTYPE)
    inputs = {"inputs": t(x), "mask": t(mask), "weights": t(weights), "labels": t(labels.astype(np.float64))}
    if jet_features:
        inputs["jet_features"] = t(rng.normal(size=(batch, jet_features)))
    return inputs


# ---------------------------------------------------------------------------------------------------------
# Layers written out explicitly (masked over valid constituents)


def masked_batch_norm(channels, phase):
    """torch_models.MaskedBatchNorm (statistics over the valid entries) with pattern values for gamma and beta."""
    norm = torch_models.MaskedBatchNorm(channels, DTYPE)
    with torch.no_grad():
        norm.weight.copy_(1.0 + pattern((channels,), 0.3, phase))
        norm.bias.copy_(pattern((channels,), 0.2, phase + 1.0))
    return norm


def norm_buffers(prefix, norms):
    """Running statistics of the BatchNorm after layer i, named as JetNN names them."""
    out = {}
    for i, norm in enumerate(norms or []):
        out[f"{prefix}.{i}.norm.running_mean"] = norm.running_mean
        out[f"{prefix}.{i}.norm.running_var"] = norm.running_var
    return out


def dense(n_in, n_out, phase, bias=True):
    layer = torch.nn.Linear(n_in, n_out, bias=bias, dtype=DTYPE)
    with torch.no_grad():
        layer.weight.copy_(pattern((n_out, n_in), 1.2, phase))
        if bias:
            layer.bias.copy_(pattern((n_out,), 0.3, phase + 0.5))
    return layer


class PatternLayers(torch_models.Layers):
    """The layers of torch_models with the deterministic pattern values, in float64."""

    def __init__(self):
        super().__init__(DTYPE)

    def linear(self, n_in, n_out, phase, bias=True):
        return dense(n_in, n_out, phase, bias)

    def layer_norm(self, width, phase):
        norm = torch.nn.LayerNorm(width, dtype=DTYPE)
        with torch.no_grad():
            norm.weight.copy_(1.0 + pattern((width,), 0.3, phase))
            norm.bias.copy_(pattern((width,), 0.2, phase + 1.0))
        return norm

    def batch_norm(self, channels, phase):
        return masked_batch_norm(channels, phase)

    def token(self, width, phase):
        return torch.nn.Parameter(pattern((width,), 1.0, phase))


PATTERN = PatternLayers()


def pattern_head(n_in, hidden, classes, phase):
    """torch_models.Head with pattern values (no dropout)."""
    return torch_models.Head(n_in, hidden, classes, phase, PATTERN)


class DeepSets(torch.nn.Module):
    """Per-constituent Dense (+ masked BatchNorm) + ReLU layers, masked pooling, optional jet features, head."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        sizes = [config["inputFeatures"]] + config["constituentLayers"]
        bn = config["batchNorm"]
        self.phi = torch.nn.ModuleList(dense(a, b, 0.4 * i, bias=not bn) for i, (a, b) in enumerate(zip(sizes, sizes[1:])))
        self.norms = torch.nn.ModuleList(masked_batch_norm(b, 2.0 + i) for i, b in enumerate(sizes[1:])) if bn else None
        if config["pooling"] == "attention":
            self.score = torch.nn.Parameter(pattern((sizes[-1],), 1.0, 5.0))
        pooled = sizes[-1] + config["jetFeatures"]
        self.head = pattern_head(pooled, config["headLayers"], config["classes"], 3.0)

    def forward(self, x, mask, jet_features=None):
        h = x
        for i, layer in enumerate(self.phi):
            h = layer(h)
            if self.norms is not None:
                h = self.norms[i](h, mask)
            h = torch.relu(h)
        m = mask.unsqueeze(-1)
        pooling = self.config["pooling"]
        if pooling == "sum":
            z = (h * m).sum(1)
        elif pooling == "mean":
            z = (h * m).sum(1) / mask.sum(1, keepdim=True)
        elif pooling == "max":
            z = torch.where(m > 0, h, torch.full_like(h, -math.inf)).amax(1)
        elif pooling == "attention":
            scores = torch.where(mask > 0, h @ self.score, torch.full_like(mask, -math.inf))
            z = (torch.softmax(scores, dim=1).unsqueeze(-1) * h).sum(1)
        else:
            raise ValueError(pooling)
        if jet_features is not None:
            z = torch.cat([z, jet_features], dim=1)
        return self.head(z)

    def named(self):
        out = {}
        for i, layer in enumerate(self.phi):
            out[f"constituent.{i}.weight"] = layer.weight
            if layer.bias is not None:
                out[f"constituent.{i}.bias"] = layer.bias
            if self.norms is not None:
                out[f"constituent.{i}.norm.weight"] = self.norms[i].weight
                out[f"constituent.{i}.norm.bias"] = self.norms[i].bias
        if self.config["pooling"] == "attention":
            out["pooling.weight"] = self.score
        out.update(self.head.named())
        return out

    def buffers_named(self):
        return norm_buffers("constituent", self.norms)


class CNN1D(torch.nn.Module):
    """P-CNN: blocks x -> Conv1d(k, pad k//2) -> masked BatchNorm -> ReLU -> *mask (+ x when the channel count
    is unchanged and residuals are on), masked global average pooling, head."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        sizes = [config["inputFeatures"]] + config["channels"]
        k = config["kernelSize"]
        bn = config["batchNorm"]
        self.convs = torch.nn.ModuleList()
        for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
            conv = torch.nn.Conv1d(a, b, k, padding=k // 2, bias=not bn, dtype=DTYPE)
            with torch.no_grad():
                # Pattern in JetNN's [out, K, in] order, then permuted to PyTorch's [out, in, K].
                conv.weight.copy_(pattern((b, k, a), 1.2, 0.4 * i).permute(0, 2, 1))
                if conv.bias is not None:
                    conv.bias.copy_(pattern((b,), 0.3, 0.4 * i + 0.5))
            self.convs.append(conv)
        self.norms = torch.nn.ModuleList(masked_batch_norm(b, 2.0 + i) for i, b in enumerate(sizes[1:])) if bn else None
        self.residual = [config["residual"] and a == b for a, b in zip(sizes, sizes[1:])]
        self.head = pattern_head(sizes[-1], config["headLayers"], config["classes"], 3.0)

    def forward(self, x, mask, jet_features=None):
        m = mask.unsqueeze(-1)
        h = x * m
        for i, conv in enumerate(self.convs):
            y = conv(h.transpose(1, 2)).transpose(1, 2)
            if self.norms is not None:
                y = self.norms[i](y, mask)
            y = torch.relu(y) * m
            h = y + h if self.residual[i] else y
        z = h.sum(1) / mask.sum(1, keepdim=True)
        return self.head(z)

    def named(self):
        out = {}
        for i, conv in enumerate(self.convs):
            out[f"conv.{i}.weight"] = conv.weight  # dumped permuted to [out, K, in]
            if conv.bias is not None:
                out[f"conv.{i}.bias"] = conv.bias
            if self.norms is not None:
                out[f"conv.{i}.norm.weight"] = self.norms[i].weight
                out[f"conv.{i}.norm.bias"] = self.norms[i].bias
        out.update(self.head.named())
        return out

    def buffers_named(self):
        return norm_buffers("conv", self.norms)


def jettag_layout(name, tensor):
    """Conv1d weights [out, in, K] -> JetNN's [out, K, in]; everything else as is."""
    t = tensor.detach()
    if name.startswith("conv.") and name.endswith(".weight") and ".norm." not in name:
        t = t.permute(0, 2, 1)
    return t


# ---------------------------------------------------------------------------------------------------------
# Losses: signed weights, normalised by sum |w|


def weighted_loss(logits, labels, weights, classes):
    if classes == 2:
        per_jet = torch.nn.functional.binary_cross_entropy_with_logits(logits[:, 0], labels, reduction="none")
    else:
        per_jet = torch.nn.functional.cross_entropy(logits, labels.long(), reduction="none")
    return (weights * per_jet).sum() / weights.abs().sum()


def run(model, inputs):
    logits = model(inputs["inputs"], inputs["mask"], inputs.get("jet_features"))
    return logits, weighted_loss(logits, inputs["labels"], inputs["weights"], model.config["classes"])


# ---------------------------------------------------------------------------------------------------------
# Writing


def as_entry(tensor):
    array = tensor.detach().cpu().numpy().astype(np.float32)
    return {"shape": list(array.shape), "data": [float("%.9g" % v) for v in array.reshape(-1)]}


def write(name, description, config, tensors, scalars, optimizer=None):
    document = {
        "format": "jettag-nn-fixture",
        "version": FORMAT_VERSION,
        "regenerate": REGENERATE,
        "torch": torch.__version__,
        "description": description,
        "config": config,
        "optimizer": optimizer,
        "scalars": {k: float("%.9g" % float(torch.as_tensor(v).detach())) for k, v in scalars.items()},
        "tensors": {k: as_entry(v) for k, v in tensors.items()},
    }
    path = os.path.join(OUT_DIR, name + ".json")
    with open(path, "w") as f:
        json.dump(document, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def input_tensors(inputs):
    return {k: v for k, v in inputs.items()}


# ---------------------------------------------------------------------------------------------------------
# Fixtures


def gradient_fixture(name, description, model, inputs):
    """Forward in training mode, loss, every parameter gradient and the input gradient."""
    model.train()
    inputs = dict(inputs)
    inputs["inputs"] = inputs["inputs"].clone().requires_grad_(True)
    if "jet_features" in inputs:
        inputs["jet_features"] = inputs["jet_features"].clone().requires_grad_(True)
    params = {k: jettag_layout(k, v).clone() for k, v in model.named().items()}
    params.update({k: v.clone() for k, v in model.buffers_named().items()})
    logits, loss = run(model, inputs)
    loss.backward()
    tensors = input_tensors(inputs)
    tensors.update(params)
    tensors["logits"] = logits
    tensors.update({f"grad.{k}": jettag_layout(k, v.grad) for k, v in model.named().items()})
    tensors["grad.inputs"] = inputs["inputs"].grad
    if "jet_features" in inputs:
        tensors["grad.jet_features"] = inputs["jet_features"].grad
    tensors.update({f"after.{k}": v for k, v in model.buffers_named().items()})
    write(name, description, model.config, tensors, {"loss": loss})


def decays(name):
    """JetNN applies weight decay to Dense and Conv1D weights only, not to biases or BatchNorm parameters."""
    return name.endswith(".weight") and ".norm." not in name


def optimizer_fixture(name, description, config, inputs, make_optimizer, hyper, steps=5):
    """`steps` optimizer steps in training mode on one batch: loss before each, parameters after the last."""
    model = DeepSets(config)
    model.train()
    tensors = input_tensors(inputs)
    tensors.update({k: jettag_layout(k, v).clone() for k, v in model.named().items()})
    tensors.update({k: v.clone() for k, v in model.buffers_named().items()})
    named = model.named()
    decaying = [v for k, v in named.items() if decays(k)]
    others = [v for k, v in named.items() if not decays(k)]
    optimizer = make_optimizer([{"params": decaying}, {"params": others, "weight_decay": 0.0}])
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        _, loss = run(model, inputs)
        losses.append(loss.detach())
        loss.backward()
        optimizer.step()
    tensors["losses"] = torch.stack(losses)
    tensors.update({f"final.{k}": jettag_layout(k, v) for k, v in model.named().items()})
    tensors.update({f"final.{k}": v for k, v in model.buffers_named().items()})
    write(name, description, config, tensors, {}, optimizer=hyper)


def running_stats_fixture(name, description, model, batches):
    """Three training-mode forwards (one per batch), then running statistics and eval-mode logits on batch 0."""
    tensors = {k: jettag_layout(k, v).clone() for k, v in model.named().items()}
    tensors.update({k: v.clone() for k, v in model.buffers_named().items()})
    model.train()
    for i, batch in enumerate(batches):
        for k, v in batch.items():
            tensors[f"batch{i}.{k}"] = v
        with torch.no_grad():
            run(model, batch)
    tensors.update({f"after.{k}": v for k, v in model.buffers_named().items()})
    model.eval()
    with torch.no_grad():
        logits, loss = run(model, batches[0])
    tensors["eval.logits"] = logits
    write(name, description, model.config, tensors, {"eval.loss": loss})


DEEPSETS = {
    "inputFeatures": 4, "jetFeatures": 0, "constituentLayers": [6, 5], "pooling": "sum",
    "batchNorm": True, "dropout": 0.0, "headLayers": [4], "classes": 2,
}
DEEPSETS_MULTICLASS = {
    "inputFeatures": 4, "jetFeatures": 2, "constituentLayers": [6, 5], "pooling": "mean",
    "batchNorm": False, "dropout": 0.0, "headLayers": [4], "classes": 3,
}
DEEPSETS_MAX = {
    "inputFeatures": 4, "jetFeatures": 0, "constituentLayers": [6, 5], "pooling": "max",
    "batchNorm": False, "dropout": 0.0, "headLayers": [4], "classes": 2,
}
DEEPSETS_ATTENTION = {
    "inputFeatures": 4, "jetFeatures": 0, "constituentLayers": [6, 5], "pooling": "attention",
    "batchNorm": True, "dropout": 0.0, "headLayers": [4], "classes": 2,
}
CNN = {
    "inputFeatures": 4, "channels": [6, 6], "kernelSize": 3, "batchNorm": True, "residual": True,
    "dropout": 0.0, "headLayers": [5], "classes": 2,
}
MULTIPLICITIES = [3, 1, 7, 5, 2]  # B = 5, P = 7: one jet with a single constituent, one with all P


def main():
    if not torch.__version__.startswith(TORCH_VERSION):
        sys.exit(f"torch {torch.__version__} found; the fixtures are made with torch=={TORCH_VERSION}")
    torch.use_deterministic_algorithms(True)
    os.makedirs(OUT_DIR, exist_ok=True)
    batch = make_inputs(1, 5, 7, 4, MULTIPLICITIES)

    gradient_fixture(
        "deepsets_binary", "Deep Sets, sum pooling, BatchNorm after each per-constituent Dense, 1 logit, BCE",
        DeepSets(DEEPSETS), batch)
    gradient_fixture(
        "deepsets_multiclass", "Deep Sets, mean pooling, 2 jet features after pooling, no BatchNorm, 3 classes, "
        "softmax cross-entropy", DeepSets(DEEPSETS_MULTICLASS),
        make_inputs(2, 5, 7, 4, MULTIPLICITIES, jet_features=2, classes=3))
    gradient_fixture(
        "deepsets_max", "Deep Sets, max pooling, no BatchNorm, 1 logit, BCE", DeepSets(DEEPSETS_MAX), batch)
    gradient_fixture(
        "deepsets_attention", "Deep Sets, attention pooling (softmax over each jet of w . h_i), BatchNorm, 1 logit, "
        "BCE", DeepSets(DEEPSETS_ATTENTION), batch)
    gradient_fixture(
        "cnn1d_binary", "P-CNN: two Conv1d(k=3, pad=1) blocks with masked BatchNorm, ReLU, mask, a residual on "
        "the second; masked average pooling; 1 logit, BCE", CNN1D(CNN), batch)

    adam = {"kind": "adam", "learningRate": 0.01, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "weightDecay": 0.0}
    optimizer_fixture(
        "deepsets_adam", "Deep Sets (as deepsets_binary): 5 Adam steps", DEEPSETS, batch,
        lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-8), adam)
    adamw = dict(adam, kind="adamw", weightDecay=0.1)
    optimizer_fixture(
        "deepsets_adamw", "Deep Sets (as deepsets_binary): 5 AdamW steps, decoupled weight decay 0.1 on the "
        "Dense weights (not on biases or BatchNorm parameters)", DEEPSETS, batch,
        lambda p: torch.optim.AdamW(p, lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1), adamw)

    batches = [batch, make_inputs(3, 5, 7, 4, [7, 4, 2, 6, 1]), make_inputs(4, 5, 7, 4, [2, 5, 3, 7, 7])]
    running_stats_fixture(
        "deepsets_running_stats", "Deep Sets (as deepsets_binary): 3 training forwards, then eval on batch0",
        DeepSets(DEEPSETS), batches)
    running_stats_fixture(
        "cnn1d_running_stats", "P-CNN (as cnn1d_binary): 3 training forwards, then eval on batch0",
        CNN1D(CNN), batches)


if __name__ == "__main__":
    main()
