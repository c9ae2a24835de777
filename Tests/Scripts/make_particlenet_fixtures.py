#!/usr/bin/env python3
"""PyTorch reference fixtures for JetTag's ParticleNet (JetModelsTests/ParticleNetModelTests).

Regenerate (needs torch==2.13.0 and numpy; CI never runs this, it reads the committed JSON):

    python3 Tests/Scripts/make_particlenet_fixtures.py

The files have the format, conventions and deterministic values of Tests/Scripts/make_nn_fixtures.py (whose
helpers this script imports): padded [B, P, F] inputs with junk in the padding, a mask, float64 arithmetic, Dense
weights [out, in], BatchNorm statistics over real entries only.

The ParticleNet, defined once in Tests/Scripts/torch_models.py (Benchmarks/train_torch.py and nn_torch.py train
and time the same module), is weaver's (ParticleNet.py: EdgeConvBlock, fusion, use_fts_bn, use_counts) written out
on padded tensors with masks, so that nothing padded enters a neighbour list, a BatchNorm statistic or a mean:
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

import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_nn_fixtures as nn_fixtures  # noqa: E402
from make_nn_fixtures import make_inputs  # noqa: E402
from torch_models import ParticleNet  # noqa: E402

nn_fixtures.REGENERATE = "python3 Tests/Scripts/make_particlenet_fixtures.py"


def reference(config):
    """torch_models.ParticleNet with pattern values, checking that every neighbour set is unambiguous."""
    return ParticleNet(config, nn_fixtures.PATTERN, check_ties=True)


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
        reference(BINARY), batch)
    nn_fixtures.gradient_fixture(
        "particlenet_multiclass", "ParticleNet: no input BatchNorm, EdgeConv k=4 blocks [6, 5] and [5], no fusion, "
        "2 jet features after pooling, 3 classes, softmax cross-entropy",
        reference(MULTICLASS), make_inputs(2, 5, 7, 4, nn_fixtures.MULTIPLICITIES, jet_features=2, classes=3))
    batches = [batch, make_inputs(3, 5, 7, 4, [7, 4, 2, 6, 1]), make_inputs(4, 5, 7, 4, [2, 5, 3, 7, 7])]
    nn_fixtures.running_stats_fixture(
        "particlenet_running_stats", "ParticleNet (as particlenet_binary): 3 training forwards, then eval on batch0",
        reference(BINARY), batches)


if __name__ == "__main__":
    main()
