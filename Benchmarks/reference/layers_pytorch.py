"""PyTorch side of `jettag-bench layers`: the same operations on padded [B, P, C] tensors with a mask, as a
PyTorch jet model runs them, and (where PyTorch has the operation) on the packed [N, C] valid rows too, which
compares kernels at equal work. Prints "<operation> <median ms padded> [<median ms packed>]" lines
(forward + backward). Needs torch==2.13.0 (CPU)."""
import argparse
import time

import torch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--multiplicities", required=True, help="file with one multiplicity per line")
    parser.add_argument("--slots", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repetitions", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    counts = torch.tensor([int(line) for line in open(args.multiplicities) if line.strip()])
    jets, slots = len(counts), args.slots
    mask = (torch.arange(slots)[None, :] < counts[:, None]).float()  # [B, P]

    def median_ms(step):
        step()
        times = []
        for _ in range(args.repetitions):
            start = time.perf_counter()
            step()
            times.append((time.perf_counter() - start) * 1e3)
        return sorted(times)[len(times) // 2]

    def measure(name, padded, packed=None):
        print(name, median_ms(padded), *([median_ms(packed)] if packed else []), flush=True)

    rows = int(counts.sum())

    for name, fan_in, fan_out in [("dense_7_100", 7, 100), ("dense_100_100", 100, 100), ("dense_100_128", 100, 128)]:
        layer = torch.nn.Linear(fan_in, fan_out)
        x = torch.randn(jets, slots, fan_in, requires_grad=True)
        grad = torch.full((jets, slots, fan_out), 0.01)
        packed = torch.randn(rows, fan_in, requires_grad=True)
        packed_grad = torch.full((rows, fan_out), 0.01)
        measure(name, lambda: layer(x).backward(grad), lambda: layer(packed).backward(packed_grad))

    hidden = torch.randn(jets, slots, 100, requires_grad=True)
    grad = torch.full((jets, slots, 100), 0.01)
    packed_hidden = torch.randn(rows, 100, requires_grad=True)
    packed_grad = torch.full((rows, 100), 0.01)
    measure("relu_100", lambda: torch.relu(hidden).backward(grad), lambda: torch.relu(packed_hidden).backward(packed_grad))

    # BatchNorm over valid constituents only, as a masked model needs it: normalise the packed rows.
    norm = torch.nn.BatchNorm1d(100)
    valid = mask.bool()

    def batchnorm():
        out = torch.zeros_like(hidden)
        out[valid] = norm(hidden[valid])
        out.backward(grad)

    measure("batchnorm_100", batchnorm, lambda: norm(packed_hidden).backward(packed_grad))
    pooled_grad = torch.full((jets, 100), 0.01)
    jet_of_row = torch.repeat_interleave(torch.arange(jets), counts)
    measure(
        "sum_pool_100",
        lambda: (hidden * mask[:, :, None]).sum(1).backward(pooled_grad),
        lambda: torch.zeros(jets, 100).index_add(0, jet_of_row, packed_hidden).backward(pooled_grad),
    )

    for name, fan_in, kernel in [("conv_7_64_k3", 7, 3), ("conv_64_64_k3", 64, 3), ("conv_64_64_k5", 64, 5)]:
        layer = torch.nn.Conv1d(fan_in, 64, kernel, padding="same")
        x = torch.randn(jets, fan_in, slots, requires_grad=True)
        grad = torch.full((jets, 64, slots), 0.01)
        measure(name, lambda: (layer(x) * mask[:, None, :]).backward(grad))


if __name__ == "__main__":
    main()
