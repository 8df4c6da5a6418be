#!/usr/bin/env python3
# What the remedies of NUMERICS.md "Beyond nearest rounding" cost in throughput: interleaved
# rounds of `mixprec train` on configs/fashion-mnist.json (3 epochs, the config's 2
# threads), each -true mode with nearest rounding, +sr (rounding.weights), +sr-grad
# (rounding.gradients) and +kahan, and bf16-mixed with and without +sr-grad. Prints JSON:
# median samples/s and the same-round ratios to nearest, and bf16-true / bf16-mixed per round.
# Usage: scripts/remedy_overhead.py FASHION_MNIST_DIR [ROUNDS] [BINARY]
import json, pathlib, shutil, statistics, subprocess, sys, tempfile
repo = pathlib.Path(__file__).resolve().parent.parent
data = sys.argv[1]
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
binary = sys.argv[3] if len(sys.argv) > 3 else str(repo / "build/mixprec")
tmp = tempfile.mkdtemp(prefix="mixprec-remedies-")
variants = {"nearest": [], "sr": ['rounding.weights="stochastic"'], "sr-grad": ['rounding.gradients="stochastic"'],
            "kahan": ['optimizer.compensation="kahan"']}
rates = {}
for r in range(rounds):
    for mode in ["bf16-true", "fp16-true", "bf16-mixed"]:
        for name, sets in variants.items():
            if mode.endswith("mixed") and name in ("sr", "kahan"):
                continue  # the mixed modes keep fp32 master weights: nothing to remedy there
            out = f"{tmp}/{mode}-{name}"
            shutil.rmtree(out, ignore_errors=True)
            args = [binary, "train", str(repo / "configs/fashion-mnist.json"), "--set", f'data.dir="{data}"',
                    "--set", f'precision="{mode}"', "--set", "train.epochs=3", "--out", out, "--quiet"]
            for s in sets:
                args += ["--set", s]
            subprocess.run(args, check=True, capture_output=True)
            rates.setdefault(f"{mode}+{name}", []).append(
                json.load(open(out + "/summary.json"))["time"]["median_samples_per_s"])
result = {}
for key, values in rates.items():
    base = rates[key.split("+")[0] + "+nearest"]
    ratios = [a / b for a, b in zip(values, base)]
    result[key] = {"median_samples_per_s": statistics.median(values), "per_round": values,
                   "ratio_to_nearest_per_round": ratios, "ratio_to_nearest_median": statistics.median(ratios)}
result["bf16-true_over_bf16-mixed_per_round"] = [
    a / b for a, b in zip(rates["bf16-true+nearest"], rates["bf16-mixed+nearest"])]
print(json.dumps(result, indent=1))
shutil.rmtree(tmp, ignore_errors=True)
