#!/usr/bin/env python3
"""Validates the JSON that mixprec writes against docs/schema/*.schema.json (draft 2020-12,
additionalProperties false), on real outputs of a small train, resume, diverged run, sweep,
compare, bench, info and eval; checks that the schemas reject an unknown field, a missing
required field and a wrong type; and checks the field tables of docs/logs.md against the
schemas. Usage: check_schemas.py MIXPREC_BINARY. Needs python3-jsonschema (Debian)."""
import copy
import json
import pathlib
import re
import subprocess
import sys
import tempfile

import jsonschema

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "docs" / "schema"
BINARY = str(pathlib.Path(sys.argv[1]).resolve())
failures = []


def schema(name):
    s = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    # Inline the one $ref (run_start.config), so that any jsonschema 4.x resolves it.
    if s.get("properties", {}).get("config", {}).get("$ref") == "config.schema.json":
        s["properties"]["config"] = schema("config")
    return s


def check(name, instance, where):
    validator = jsonschema.Draft202012Validator(schema(name))
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    for e in errors[:5]:
        failures.append(f"{where}: {name}: at {'/'.join(map(str, e.path)) or '(top)'}: {e.message[:300]}")
    return not errors


def mixprec(*args, cwd, expect=(0,)):
    r = subprocess.run([BINARY, *map(str, args)], cwd=cwd, capture_output=True, text=True)
    if r.returncode not in expect:
        sys.exit(f"mixprec {' '.join(map(str, args))}: exit {r.returncode}\n{r.stderr}")
    return r.stdout


def tiny_csv(path, rows=300):
    # Two informative columns of different scales, a category, a few missing cells.
    lines = ["size,colour,weight,label"]
    for i in range(rows):
        size, colour = (i * 37) % 100, ["red", "green", "blue"][i % 3]
        weight = "" if i % 41 == 5 else str((i * 7919) % 5000)
        lines.append(f"{size},{colour},{weight},{'big' if size > 50 else 'small'}")
    path.write_text("\n".join(lines) + "\n")


def records(run):
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]


def check_run(run):
    for r in records(run):
        check(f"metrics-{r['type'].replace('_', '-')}", r, f"{run}/metrics.jsonl")
    check("summary", json.loads((run / "summary.json").read_text()), f"{run}/summary.json")
    check("config", json.loads((run / "config.json").read_text()), f"{run}/config.json")
    check("data-encoding", json.loads((run / "data_encoding.json").read_text()), f"{run}/data_encoding.json")


def self_checks(summary):
    """The schemas must be able to fail: each mutation of a valid summary is rejected."""
    mutations = {"an unknown field": lambda s: s.update(unknown_field=1),
                 "a missing required field": lambda s: s.pop("status"),
                 "a wrong type": lambda s: s.update(epochs_completed="2")}
    validator = jsonschema.Draft202012Validator(schema("summary"))
    for what, mutate in mutations.items():
        bad = copy.deepcopy(summary)
        mutate(bad)
        if validator.is_valid(bad):
            failures.append(f"summary.schema.json accepts {what}")


def table_fields(doc, heading):
    """Field names in the first column of the table after `heading` in docs/logs.md."""
    text = doc.split(heading, 1)[1]
    names = []
    for line in text.splitlines()[1:]:
        if line.startswith("|"):
            cell = line.split("|")[1].strip()
            if cell in ("field", "---"):
                continue
            names += [n.strip(" `") for n in cell.split(",")]
        elif names:
            break
    return names


def check_docs_tables():
    doc = (ROOT / "docs" / "logs.md").read_text()
    for heading, name in [('`{"type": "run_start", ...}`', "metrics-run-start"),
                          ('`{"type": "epoch", ...}`', "metrics-epoch")]:
        documented = set(table_fields(doc, heading))
        in_schema = set(schema(name)["properties"]) - {"type"}
        for f in sorted(documented - in_schema):
            failures.append(f"docs/logs.md documents {name} field '{f}', which its schema does not have")
        for f in sorted(in_schema - documented):
            failures.append(f"docs/logs.md does not document {name} field '{f}' (docs/schema/{name}.schema.json)")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        t = pathlib.Path(tmp)
        tiny_csv(t / "tiny.csv")
        cfg = {"name": "tiny", "data": {"format": "csv", "train": str(t / "tiny.csv"), "missing": "mean",
                                        "validation_fraction": 0.1},
               "model": {"hidden": [8]}, "train": {"epochs": 2, "batch_size": 32}}
        (t / "tiny.json").write_text(json.dumps(cfg))
        mixprec("train", t / "tiny.json", "--out", t / "run", "--save-model", cwd=t)
        check_run(t / "run")
        mixprec("train", t / "tiny.json", "--out", t / "part", "--save-model", "--stop-after-epochs", "1",
                cwd=t, expect=(130,))
        mixprec("train", "--resume", t / "part", cwd=t)
        check_run(t / "part")
        # A diverged run: inputs in the tens of thousands, fp16-mixed without loss scaling.
        huge = dict(cfg, precision="fp16-mixed", loss_scale={"mode": "none"})
        huge["data"] = dict(cfg["data"], normalize="none")
        (t / "tiny.csv").write_text((t / "tiny.csv").read_text().replace(",red,", ",red,").replace("\n1", "\n30001"))
        (t / "huge.json").write_text(json.dumps(huge))
        mixprec("train", t / "huge.json", "--out", t / "div", cwd=t, expect=(0, 3))
        check_run(t / "div")
        tiny_csv(t / "tiny.csv")
        mixprec("sweep", t / "tiny.json", "--precision", "fp32,bf16-mixed", "--seeds", "0-1", "--out", t / "sw", cwd=t)
        check("sweep", json.loads((t / "sw" / "sweep.json").read_text()), "sweep.json")
        check("compare", json.loads(mixprec("compare", t / "sw", "--format", "json", cwd=t)), "compare --format json")
        check("info", json.loads(mixprec("info", "--json", cwd=t)), "info --json")
        check("eval", json.loads(mixprec("eval", t / "run" / "model.ckpt", cwd=t)), "eval")
        bench = mixprec("bench", "--config", t / "tiny.json", "--precision", "fp32,bf16-mixed", "--epochs", "2",
                        "--rounds", "1", cwd=ROOT)
        check("bench", json.loads(bench), "bench")
        self_checks(json.loads((t / "run" / "summary.json").read_text()))
    check_docs_tables()
    for f in failures:
        print(f)
    print(f"{len(failures)} schema failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
