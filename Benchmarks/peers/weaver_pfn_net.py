"""weaver-core network config for Benchmarks/peers.sh: the PFN of Configs/top-deepsets.yaml
(per constituent 7 -> 100 -> 100 -> 128 ReLU, masked sum, 128 -> 100 -> 100 -> 100 -> 2)."""
import torch
import torch.nn as nn


class PFN(nn.Module):
    def __init__(self, n_in=7, n_cls=2):
        super().__init__()
        self.phi = nn.Sequential(nn.Linear(n_in, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(),
                                 nn.Linear(100, 128), nn.ReLU())
        self.F = nn.Sequential(nn.Linear(128, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(),
                               nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, n_cls))

    def forward(self, features, mask):
        x = features.transpose(1, 2)              # (N, P, C)
        h = self.phi(x) * mask.transpose(1, 2)    # padding contributes nothing to the sum
        return self.F(h.sum(1))


def get_model(data_config, **kwargs):
    model = PFN(len(data_config.input_dicts["pf_features"]), len(data_config.label_value))
    info = {"input_names": list(data_config.input_names),
            "input_shapes": {k: ((1,) + s[1:]) for k, s in data_config.input_shapes.items()},
            "output_names": ["softmax"],
            "dynamic_axes": {**{k: {0: "N", 2: "n_" + k.split("_")[0]} for k in data_config.input_names},
                             "softmax": {0: "N"}}}
    return model, info


def get_loss(data_config, **kwargs):
    return torch.nn.CrossEntropyLoss()
