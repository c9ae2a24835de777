#!/usr/bin/env python3
"""PyTorch 2.13 reference for JetTag's Particle Transformer (model.kind: transformer).

Writes Tests/JetModelsTests/Fixtures/transformer_binary.json and transformer_multiclass.json in the format of
Tests/Scripts/make_nn_fixtures.py (whose helpers this script imports: deterministic sine-pattern parameters,
junk in padded slots, signed weights, float64 arithmetic rounded to float32): logits, loss, every parameter
gradient, the input gradient and the pair BatchNorm's running statistics after one training forward.

The model is torch_models.Transformer (Tests/Scripts/torch_models.py; Benchmarks/train_torch.py and nn_torch.py
train and time the same module) on padded tensors with masks, with JetTag's parameter names:
- embedding: per layer LayerNorm -> Linear -> GELU (erf);
- pair features of every pair i >= j of real constituents: ln kT, ln z, ln dR, ln m^2 from the unstandardised
  deta, dphi, ln pt columns (massless m^2 = 4 pt_i pt_j (sinh^2(deta/2) + sin^2(dphi/2)), ParT's eps = 1e-8
  clamps), BatchNorm over all real pairs of the batch, Linear -> GELU layers, Linear to one bias per head, shared by
  every particle block and symmetric in (i, j);
- particle blocks: x += MHA(LN(x)) with logits q k^T / sqrt(d) + bias, then x += FC2(GELU(FC1(LN(x))));
- class blocks: t += MHA(query t, keys/values LN([t; x])), then the same feed-forward on t; a learned token;
- final LayerNorm on the token, head Linear.
Dropout is 0 so the training forward is deterministic.

Run: python3 Scripts/make_transformer_reference.py (needs torch==2.13.0 and numpy).
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Scripts"))
import make_nn_fixtures as nn  # noqa: E402
from torch_models import Transformer  # noqa: E402

nn.REGENERATE = "python3 Scripts/make_transformer_reference.py"


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
        Transformer(config(), nn.PATTERN), nn.make_inputs(11, 4, 5, 5, multiplicities))
    nn.gradient_fixture(
        "transformer_multiclass", "as transformer_binary with 2 class blocks, a [6] hidden head layer, 3 classes, "
        "softmax cross-entropy", Transformer(config(classBlocks=2, headLayers=[6], classes=3), nn.PATTERN),
        nn.make_inputs(12, 4, 5, 5, multiplicities, classes=3))


if __name__ == "__main__":
    main()
