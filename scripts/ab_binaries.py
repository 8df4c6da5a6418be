#!/usr/bin/env python3
# Interleaved A/B of two mixprec binaries (e.g. the previous main's and this one's): every
# mode trains configs/default.json (mnist-10k shipped in data/, batch 128, 3 epochs, 1
# thread), the binaries alternating round by round, and the median samples/s and the
# per-round ratios new/old print as JSON. Usage: scripts/ab_binaries.py OLD NEW [ROUNDS]
import json, pathlib, subprocess, sys, statistics, shutil, tempfile
repo = pathlib.Path(__file__).resolve().parent.parent
tmp = tempfile.mkdtemp(prefix="mixprec-ab-")
old, new = sys.argv[1], sys.argv[2]
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
modes = ["fp32", "fp16-mixed", "bf16-mixed", "fp16-true", "bf16-true"]
rates = {b: {m: [] for m in modes} for b in ("old", "new")}
for r in range(rounds):
    for tag, binary in (("old", old), ("new", new)) if r % 2 == 0 else (("new", new), ("old", old)):
        for m in modes:
            out = f"{tmp}/run-{tag}-{m}"
            shutil.rmtree(out, ignore_errors=True)
            subprocess.run([binary, "train", str(repo / "configs/default.json"), "--set", f"precision=\"{m}\"",
                            "--set", "threads=1", "--set", "train.epochs=3", "--set", "train.batch_size=128",
                            "--out", out, "--quiet"], check=True, capture_output=True, cwd=str(repo))
            rates[tag][m].append(json.load(open(out + "/summary.json"))["time"]["median_samples_per_s"])
res = {m: {"old_samples_per_s": statistics.median(rates["old"][m]), "new_samples_per_s": statistics.median(rates["new"][m]),
           "ratio_new_over_old_per_round": [n / o for n, o in zip(rates["new"][m], rates["old"][m])]} for m in modes}
for m in modes: res[m]["ratio_median"] = statistics.median(res[m]["ratio_new_over_old_per_round"])
print(json.dumps(res, indent=1))
