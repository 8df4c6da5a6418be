#!/usr/bin/python3
"""Train the benchmark MLP (784-512-512-10, SGD momentum 0.9, lr 0.05, batch 128) with
PyTorch and with mixprec in the same session, and print JSON with samples/s and ratios.

    scripts/compare_pytorch.py [--data ../shared/data/fashion-mnist] [--epochs 3] [--threads 2]
                               [--modes fp32,bf16-mixed]

PyTorch comes from Debian (python3-torch 1.13) with OpenBLAS (libopenblas0-openmp): the
script installs both when run as root. Debian's default BLAS is the slow reference one; with
OpenBLAS installed, the BLAS alternative points at it. Timing: the training loop only, epochs
after the first (warm-up), median, as mixprec reports it.
"""
import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ensure_torch():
    try:
        import torch  # noqa: F401
    except ImportError:
        if os.geteuid() != 0:
            sys.exit("compare_pytorch.py: needs python3-torch and libopenblas0-openmp "
                     "(apt-get install python3-torch libopenblas0-openmp)")
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                        "python3-torch", "libopenblas0-openmp"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def read_idx(path):
    import numpy as np
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    count = int.from_bytes(data[4:8], "big")
    if magic == 0x803:
        rows, cols = int.from_bytes(data[8:12], "big"), int.from_bytes(data[12:16], "big")
        return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, rows * cols)
    return np.frombuffer(data, dtype=np.uint8, offset=8)


def loaded_blas():
    """The BLAS library actually mapped into this process, and OpenBLAS's kernel choice.
    Some machines set OPENBLAS_CORETYPE (e.g. Haswell) which makes OpenBLAS use older,
    slower kernels: run this script with `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE`
    for a fair comparison, and check "openblas_core" below."""
    import ctypes
    import re
    import torch
    torch.ones(64, 64) @ torch.ones(64, 64)  # make sure BLAS is loaded
    with open("/proc/self/maps") as f:
        libs = sorted(set(re.findall(r"/\S*(?:blas|lapack)\S*\.so\S*", f.read())))
    info = {"libraries": libs}
    for lib in libs:
        if "openblas" in lib and "libopenblas" in os.path.basename(lib):
            try:
                core = ctypes.CDLL(lib).openblas_get_corename
                core.restype = ctypes.c_char_p
                info["openblas_core"] = core().decode()
            except (OSError, AttributeError):
                pass
    return info


def torch_run(x, y, epochs, bf16, threads, seed):
    import torch
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(),
                                torch.nn.Linear(512, 512), torch.nn.ReLU(),
                                torch.nn.Linear(512, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    n, batch = x.shape[0], 128
    rates = []
    for epoch in range(epochs):
        order = torch.randperm(n)
        start = time.perf_counter()
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            xb, yb = x[idx], y[idx]
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                loss = loss_fn(model(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        elapsed = time.perf_counter() - start
        if epoch > 0:
            rates.append(n / elapsed)
    return statistics.median(rates)


def mixprec_run(binary, data, precision, epochs, threads):
    out = subprocess.run(
        [binary, "train", os.path.join(ROOT, "configs/fashion-mnist.json"),
         "--set", f"data.dir={data}", "--set", f"precision={precision}",
         "--set", f"train.epochs={epochs}", "--set", f"threads={threads}",
         "--out-root", "/tmp/mixprec-compare-pytorch"],
        check=True, capture_output=True, text=True)
    run_dir = out.stdout.strip().splitlines()[-1]
    with open(os.path.join(run_dir, "summary.json")) as f:
        return json.load(f)["time"]["median_samples_per_s"]


def cpu_has(flag):
    """Whether /proc/cpuinfo lists the flag (PyTorch's fast bf16 kernels need avx512_bf16)."""
    try:
        with open("/proc/cpuinfo") as f:
            return any(line.startswith("flags") and flag in line.split() for line in f)
    except OSError:
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(ROOT, "data/fashion-mnist"))
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build/mixprec"))
    ap.add_argument("--modes", default="fp32,bf16-mixed",
                    help="comma-separated, from fp32 and bf16-mixed (PyTorch's CPU bf16 without "
                         "AVX512-BF16 is a slow software path: fp32 alone saves minutes there)")
    args = ap.parse_args()
    modes = args.modes.split(",")
    for m in modes:
        if m not in ("fp32", "bf16-mixed"):
            ap.error(f"--modes: unknown mode '{m}'; expected fp32 and/or bf16-mixed")
    ensure_torch()
    import torch
    x = torch.from_numpy(read_idx(os.path.join(args.data, "train-images-idx3-ubyte.gz")).astype("float32") / 255.0)
    y = torch.from_numpy(read_idx(os.path.join(args.data, "train-labels-idx1-ubyte.gz")).astype("int64"))

    result = {"torch_version": torch.__version__, "threads": args.threads, "epochs": args.epochs,
              "blas": loaded_blas(), "cpu_has_avx512_bf16": cpu_has("avx512_bf16"),
              "openblas_env": {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS")}}
    rows = {}
    for mode in modes:
        bf16 = mode == "bf16-mixed"
        theirs = torch_run(x, y, args.epochs, bf16, args.threads, 0)
        ours = mixprec_run(args.binary, args.data, mode, args.epochs, args.threads)
        rows[mode] = {"pytorch_samples_per_s": theirs, "mixprec_samples_per_s": ours,
                      "mixprec_vs_pytorch": ours / theirs}
    result["modes"] = rows
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
