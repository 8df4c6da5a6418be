#!/usr/bin/env python3
"""Plots mixprec runs: loss and test-accuracy curves, throughput and memory bars.

    scripts/plot_runs.py RUN_OR_SWEEP_DIR... [--out plots/] [--groups]

Each argument is a run folder (summary.json, metrics.jsonl), a sweep folder (sweep.json)
or a folder holding those (runs/). Completed runs are grouped as `mixprec compare` groups
them: by everything in config.json except seed and name, labelled by the group's name (the
precision and its remedies: bf16-true+sr+kahan) plus the other settings that differ; a '*'
marks an emulated matmul path. --groups prints each group's label and run count instead of
plotting. Writes into --out:

    loss.png        train_loss_running (solid) and test loss (dashed) per epoch
    accuracy.png    test accuracy per epoch
    throughput.png  median samples/s per group (bar: mean over seeds, whisker: sample std)
    memory.png      peak RSS, accounted training memory, inference weights (MiB)

Curves show the mean over seeds with a min-max band. Needs matplotlib (Debian's
python3-matplotlib); run as root, the script installs it when it is missing. Headless:
it draws with the Agg backend.
"""
import argparse
import json
import math
import os
import subprocess
import sys

SYSTEM_PYTHON = "/usr/bin/python3"
PRECISION_ORDER = ["fp32", "fp16-mixed", "bf16-mixed", "fp16-true", "bf16-true"]
# The remedies of NUMERICS.md "Beyond nearest rounding" as a group's name shows them, in name
# order, as src/sweep/group_name.cpp has them: (key, default, value that turns it on, suffix).
# A run recorded before the keys existed ran with the defaults.
REMEDIES = [("rounding.weights", "nearest", "stochastic", "sr"),
            ("rounding.gradients", "nearest", "stochastic", "sr-grad"),
            ("optimizer.compensation", "none", "kahan", "kahan")]
REMEDY_KEYS = [key for key, _, _, _ in REMEDIES]


def matplotlib_importable(python):
    return subprocess.run([python, "-c", "import matplotlib"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def ensure_matplotlib():
    """Imports matplotlib, installing Debian's package (as root) or re-running under the
    system Python (where that package lives) when this interpreter lacks it."""
    try:
        import matplotlib  # noqa: F401
        return
    except ImportError:
        pass
    if not os.path.exists(SYSTEM_PYTHON):
        sys.exit("plot_runs.py: matplotlib is missing and there is no " + SYSTEM_PYTHON +
                 "; install matplotlib for " + sys.executable)
    if not matplotlib_importable(SYSTEM_PYTHON):
        if os.geteuid() != 0:
            sys.exit("plot_runs.py: matplotlib is missing; install it with "
                     "`sudo apt-get install -y python3-matplotlib` and run again")
        print("plot_runs.py: installing python3-matplotlib (apt-get)", file=sys.stderr)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        cmd = ["apt-get", "install", "-y", "--no-install-recommends", "python3-matplotlib"]
        if subprocess.run(cmd, env=env).returncode != 0:
            subprocess.run(["apt-get", "update"], env=env, check=False)
            if subprocess.run(cmd, env=env).returncode != 0:
                sys.exit("plot_runs.py: `apt-get install python3-matplotlib` failed; see above")
    if os.path.realpath(sys.executable) == os.path.realpath(SYSTEM_PYTHON):
        return  # installed for this very interpreter: the import below works now
    if os.environ.get("MIXPREC_PLOT_REEXEC"):
        sys.exit("plot_runs.py: matplotlib is installed for " + SYSTEM_PYTHON +
                 " but cannot be imported there")
    # Debian's package is in /usr/lib/python3/dist-packages, which only the system
    # Python sees (not a pyenv or venv interpreter): run the script again with it.
    os.environ["MIXPREC_PLOT_REEXEC"] = "1"
    os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, os.path.abspath(__file__)] + sys.argv[1:])


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def read_epochs(run_dir):
    epochs = []
    try:
        with open(os.path.join(run_dir, "metrics.jsonl")) as f:
            for line in f:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # a torn last line after a crash
                if record.get("type") == "epoch":
                    epochs.append(record)
    except OSError:
        pass
    return epochs


def is_run_dir(d):
    return any(os.path.exists(os.path.join(d, f)) for f in ("summary.json", "config.json", "metrics.jsonl"))


def collect_run_dirs(args):
    """Run folders under the arguments, as `mixprec compare` finds them."""
    found = []

    def add_dir(d):
        index = os.path.join(d, "sweep.json")
        if os.path.exists(index):
            sweep = read_json(index) or {}
            for run in sweep.get("runs", []):
                found.append(os.path.join(d, run["dir"]))
            return True
        if is_run_dir(d):
            found.append(d)
            return True
        return False

    for arg in args:
        if not os.path.isdir(arg):
            sys.exit(f"plot_runs.py: {arg}: no such folder (give run or sweep folders, or runs/)")
        if add_dir(arg):
            continue
        children = sorted(os.path.join(arg, c) for c in os.listdir(arg))
        if not any([add_dir(c) for c in children if os.path.isdir(c)]):
            sys.exit(f"plot_runs.py: {arg}: holds no run folder and no sweep")
    unique = []
    for d in found:
        if os.path.realpath(d) not in [os.path.realpath(u) for u in unique]:
            unique.append(d)
    return unique


def flatten(config, prefix=""):
    out = {}
    for key, value in config.items():
        name = prefix + key
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def load_groups(run_dirs):
    """Completed runs grouped by settings; returns (groups, skipped)."""
    runs, skipped = [], []
    for d in run_dirs:
        summary = read_json(os.path.join(d, "summary.json"))
        config = read_json(os.path.join(d, "config.json"))
        status = summary.get("status", "failed") if isinstance(summary, dict) else "failed"
        if status != "completed" or not isinstance(config, dict):
            skipped.append((d, status if os.path.isdir(d) else "not started"))
            continue
        settings = {k: v for k, v in flatten(config).items() if k not in ("seed", "name")}
        for key, off, _, _ in REMEDIES:
            settings.setdefault(key, off)
        runs.append({"dir": d, "summary": summary, "settings": settings, "epochs": read_epochs(d)})

    keys = sorted({k for r in runs for k in r["settings"]})
    varying = [k for k in keys if k != "precision" and
               len({json.dumps(r["settings"].get(k), sort_keys=True) for r in runs}) > 1]
    groups = {}
    for r in runs:
        key = json.dumps(r["settings"], sort_keys=True)
        groups.setdefault(key, []).append(r)

    result = []
    for members in groups.values():
        settings = members[0]["settings"]
        precision = settings["precision"]
        on = [settings.get(key) == value for key, _, value, _ in REMEDIES]
        name = precision + "".join("+" + suffix for (_, _, _, suffix), o in zip(REMEDIES, on) if o)
        emulated = any(m["summary"].get("matmul_path") == "emulated" for m in members)
        label = name + ("*" if emulated else "")
        for k in varying:
            if k not in REMEDY_KEYS:
                v = settings.get(k)
                label += f" {k}={v if isinstance(v, str) else json.dumps(v, separators=(',', ':'))}"
        others = json.dumps({k: v for k, v in settings.items() if k != "precision" and k not in REMEDY_KEYS},
                            sort_keys=True)
        rank = PRECISION_ORDER.index(precision) if precision in PRECISION_ORDER else len(PRECISION_ORDER)
        # Each precision plain first, then one remedy in name order, then two, ... (as compare).
        remedy_rank = (sum(on), sum(1 << i for i, o in enumerate(on) if o))
        result.append({"label": label, "precision": precision, "emulated": emulated,
                       "runs": members, "sort": (others, rank, remedy_rank)})
    result.sort(key=lambda g: g["sort"])
    return result, skipped


def summary_value(summary, path):
    value = summary
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def mean_std(values):
    values = [v for v in values if v is not None]
    if not values:
        return None, None
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, None
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def curve(group, getter):
    """Per epoch: (epochs, mean, min, max) over the runs that reached that epoch."""
    by_epoch = {}
    for run in group["runs"]:
        for record in run["epochs"]:
            value = getter(record)
            if value is not None:
                by_epoch.setdefault(record["epoch"], []).append(value)
    xs = sorted(by_epoch)
    return (xs, [sum(by_epoch[x]) / len(by_epoch[x]) for x in xs],
            [min(by_epoch[x]) for x in xs], [max(by_epoch[x]) for x in xs])


def nested(record, *path):
    for part in path:
        if not isinstance(record, dict):
            return None
        record = record.get(part)
    return record if isinstance(record, (int, float)) else None


def footnote(fig, groups):
    notes = []
    formats = sorted({"fp16" if g["precision"].startswith("fp16") else "bf16"
                      for g in groups if g["emulated"]})
    for f in formats:
        notes.append(f"* emulated: {f} matmuls converted to fp32 on this CPU")
    n = sorted({len(g["runs"]) for g in groups})
    notes.append("n = " + "/".join(map(str, n)) + " seed(s) per group")
    fig.text(0.01, 0.01, "; ".join(notes), fontsize=8, color="0.3")


def plot_curves(plt, groups, out_dir):
    from matplotlib.ticker import MaxNLocator
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]

    fig, ax = plt.subplots(figsize=(8, 5))
    for i, g in enumerate(groups):
        c = colors[i % len(colors)]
        for getter, style, what in ((lambda r: nested(r, "train_loss_running"), "-", "train (running)"),
                                    (lambda r: nested(r, "test", "loss"), "--", "test")):
            xs, mean, lo, hi = curve(g, getter)
            if xs:
                ax.plot(xs, mean, style, color=c, marker="o", markersize=3, label=f"{g['label']}: {what}")
                ax.fill_between(xs, lo, hi, color=c, alpha=0.15, linewidth=0)
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy loss")
    ax.set_title("Loss per epoch (mean over seeds, band: min-max)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    footnote(fig, groups)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    path = os.path.join(out_dir, "loss.png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    written = [path]

    fig, ax = plt.subplots(figsize=(8, 5))
    for i, g in enumerate(groups):
        c = colors[i % len(colors)]
        xs, mean, lo, hi = curve(g, lambda r: nested(r, "test", "accuracy"))
        if xs:
            ax.plot(xs, [100 * m for m in mean], "-", color=c, marker="o", markersize=3, label=g["label"])
            ax.fill_between(xs, [100 * v for v in lo], [100 * v for v in hi], color=c, alpha=0.15, linewidth=0)
    ax.set_xlabel("epoch")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title("Test accuracy per epoch (mean over seeds, band: min-max)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    footnote(fig, groups)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    path = os.path.join(out_dir, "accuracy.png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return written + [path]


def bars(ax, groups, values_of, colors, scale=1.0, fmt="{:.0f}"):
    """One bar per group: mean over seeds, whisker: sample std, dots: the runs."""
    for i, g in enumerate(groups):
        values = [v * scale for v in (values_of(r["summary"]) for r in g["runs"]) if v is not None]
        mean, std = mean_std(values)
        if mean is None:
            continue
        # The whisker stops at 0: a std larger than the mean (a noisy machine) is not a
        # negative throughput.
        yerr = [[min(std, mean)], [std]] if std else None
        ax.bar(i, mean, color=colors[i % len(colors)], alpha=0.8, hatch="//" if g["emulated"] else None,
               edgecolor="0.2", yerr=yerr, capsize=4)
        ax.plot([i] * len(values), values, "k.", markersize=4)
        ax.annotate(fmt.format(mean), (i, mean), textcoords="offset points", xytext=(0, 3),
                    ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels([g["label"] for g in groups], rotation=20, ha="right", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    ax.set_ylim(bottom=0)
    ax.margins(y=0.12)


def plot_bars(plt, groups, out_dir):
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    fig, ax = plt.subplots(figsize=(max(6, 1.4 * len(groups) + 2), 5))
    bars(ax, groups, lambda s: summary_value(s, "time.median_samples_per_s"), colors)
    ax.set_ylabel("samples/s (median epoch, after warm-up)")
    ax.set_title("Training throughput\n(bar: mean over seeds, whisker: sample std, dots: runs)", fontsize=10)
    footnote(fig, groups)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    throughput = os.path.join(out_dir, "throughput.png")
    fig.savefig(throughput, dpi=120)
    plt.close(fig)

    mib = 1.0 / (1024 * 1024)
    panels = (("memory.measured.peak_rss_bytes", "peak RSS (measured)"),
              ("memory.accounted.training_total_bytes", "training memory (accounted)"),
              ("memory.accounted.inference_weight_bytes", "inference weights (accounted)"))
    fig, axes = plt.subplots(1, 3, figsize=(max(10, 3 * len(groups) + 4), 5))
    for ax, (path, title) in zip(axes, panels):
        bars(ax, groups, lambda s, p=path: summary_value(s, p), colors, scale=mib, fmt="{:.2f}")
        ax.set_title(title, fontsize=10)
        ax.set_ylabel("MiB")
    fig.suptitle("Memory per group (each panel has its own scale)")
    footnote(fig, groups)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    memory = os.path.join(out_dir, "memory.png")
    fig.savefig(memory, dpi=120)
    plt.close(fig)
    return [throughput, memory]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dirs", nargs="+", help="run folders, sweep folders, or folders holding them")
    parser.add_argument("--out", default="plots", help="folder for the PNGs (default plots/)")
    parser.add_argument("--groups", action="store_true",
                        help="print each group's label and run count (tab-separated), plot nothing")
    args = parser.parse_args()

    run_dirs = collect_run_dirs(args.dirs)  # bad arguments fail before any install
    if args.groups:
        for g in load_groups(run_dirs)[0]:
            print(f"{g['label']}\t{len(g['runs'])}")
        return
    ensure_matplotlib()  # may run this script again under the system Python
    groups, skipped = load_groups(run_dirs)
    for d, status in skipped:
        print(f"plot_runs.py: skipped {d} ({status})", file=sys.stderr)
    if not groups:
        sys.exit("plot_runs.py: no completed runs to plot")

    import matplotlib
    matplotlib.use("Agg")  # headless: no display needed
    import matplotlib.pyplot as plt

    os.makedirs(args.out, exist_ok=True)
    for path in plot_curves(plt, groups, args.out) + plot_bars(plt, groups, args.out):
        print(path)


if __name__ == "__main__":
    main()
