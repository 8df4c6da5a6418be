#!/usr/bin/env python3
"""Writes the seed corpora for the config, idx and csv fuzz targets (tests/fuzz/corpus/<name>/),
the version-3 checkpoint seeds, and the config dictionary (config.dict). Run from anywhere;
deterministic, so re-running it changes nothing. The three version-1 checkpoint seeds are real
files written by `mixprec train --save-model` (docs/fuzzing.md says how); this script leaves
them alone and derives a version-2 seed and the version-3 seeds from them (docs/checkpoint.md:
version 2 added the DATA section, version 3 the TSCL section with per-tensor scaling state;
an OPTM section may hold any number of named optimizer buffers)."""
import gzip
import re
import json
import shutil
import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]  # the repository
CORPUS = HERE / "corpus"


def gz(data: bytes) -> bytes:
    # mtime=0: the same bytes on every run.
    return gzip.compress(data, compresslevel=9, mtime=0)


def write(name: str, files: dict) -> None:
    folder = CORPUS / name
    folder.mkdir(parents=True, exist_ok=True)
    for file, data in files.items():
        (folder / file).write_bytes(data)


def idx_images(count, rows, cols, pixels):
    assert len(pixels) == count * rows * cols
    return struct.pack(">IIII", 0x803, count, rows, cols) + bytes(pixels)


def idx_labels(labels):
    return struct.pack(">II", 0x801, len(labels)) + bytes(labels)


def config_seeds():
    full = {  # every key, as to_json writes a resolved csv config
        "name": "seed", "precision": "bf16-true", "seed": 7, "threads": 1,
        "data": {"format": "csv", "dir": "", "train": "train.csv", "test": "test.csv.gz",
                 "test_fraction": 0.2, "label_column": "label", "header": "auto",
                 "normalize": "standardize", "validation_fraction": 0.1, "max_train_samples": 100},
        "model": {"hidden": [8, 4], "activation": "gelu", "init": "xavier"},
        "optimizer": {"name": "adamw", "lr": 0.001, "momentum": 0.9, "dampening": 0.0,
                      "nesterov": False, "weight_decay": 0.01, "beta1": 0.9, "beta2": 0.999,
                      "eps": 1e-08, "clip_grad_norm": 1.0, "compensation": "kahan"},
        "schedule": {"name": "cosine", "warmup_epochs": 0.5, "step_epochs": 1, "gamma": 0.1,
                     "min_lr": 0.0},
        "loss_scale": {"mode": "dynamic", "init": 65536.0, "growth_factor": 2.0,
                       "growth_interval": 2000, "backoff_factor": 0.5, "min": 1.0},
        "rounding": {"weights": "stochastic", "gradients": "stochastic"},
        "train": {"epochs": 2, "batch_size": 16, "eval_batch_size": 100, "shuffle": False},
    }
    step = {"data": {"dir": "data/mnist-10k"}, "precision": "fp16",
            "optimizer": {"name": "sgd", "lr": 0.1, "nesterov": True},
            "schedule": {"name": "step", "step_epochs": 2, "gamma": 0.5},
            "loss_scale": "static", "model": {"hidden": [], "activation": "tanh"}}
    overrides = b"\0".join([b'{"data": {"dir": "d"}}', b"optimizer.lr=0.01", b"precision=bf16",
                            b"model.hidden=[8,4]", b"loss_scale.init=1024",
                            b'optimizer={"name": "adam", "lr": 0.001}'])
    return {
        "default.json": (ROOT / "configs/default.json").read_bytes(),
        "fashion-mnist.json": (ROOT / "configs/fashion-mnist.json").read_bytes(),
        "all_keys_csv.json": json.dumps(full, indent=2).encode(),
        "step_static_scale.json": json.dumps(step).encode(),
        "loss_scale_number.json": b'{"data": {"dir": "x"}, "loss_scale": 128, "seed": 18446744073709551615}',
        "with_overrides": overrides,
    }


def idx_seeds():
    pixels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]  # 3 images of 2x2
    return {
        "images_3x2x2": idx_images(3, 2, 2, pixels),
        "images_3x2x2.gz": gz(idx_images(3, 2, 2, pixels)),
        "images_2x1x3": idx_images(2, 1, 3, [1, 2, 3, 4, 5, 6]),
        "images_empty": idx_images(0, 28, 28, []),
        "labels_3": idx_labels([3, 1, 4]),
        "labels_3.gz": gz(idx_labels([3, 1, 4])),
        # Two gzip members, as `cat a.gz b.gz` makes: the reader must join them.
        "labels_2_members.gz": gz(idx_labels([9, 2, 6])[:6]) + gz(idx_labels([9, 2, 6])[6:]),
    }


def csv_seeds():
    # The first byte is the options byte of csv_fuzz.cpp; 0x00: header auto, last column label.
    digits = gzip.decompress((ROOT.parent / "shared/data/digits/digits.csv.gz").read_bytes())
    head = b"".join(digits.splitlines(keepends=True)[:4])
    return {
        "numbers": b"\x00" + b"0.5,1,2\n3,-4e2,1\n+1.25,0,0\n",
        "digits_head": b"\x00" + head,
        "digits_head.gz": b"\x00" + gz(head),
        "header_by_name": b"\x21" + b"a,label,b\n1,0,2\n3,1,4\n",  # header yes, column "label"
        "label_first": b"\x06" + b"7,0.1,0.2\n3,0.3,0.4\n",        # header no, index 0
        "bom_crlf_quoted": b"\x00" + b'\xef\xbb\xbf"x", "y" ,"label"\r\n1, 2 ,3\r\n\r\n4,5,6\r\n',
    }


# Checkpoints (docs/checkpoint.md): little-endian, header then sections (4-byte tag, u64 size,
# payload), then the CRC-32 of everything before it.
TENSOR_ROLES = 5  # input, weight, output_grad, weight_grad, saved_activation


def checkpoint_parts(data: bytes):
    """The header (up to the section count) and the (tag, payload) list of a checkpoint."""
    hidden = struct.unpack_from("<I", data, 36)[0]
    header_end = 40 + 4 * hidden + 8 + 4
    header, sections, at = data[:header_end], [], header_end
    while at < len(data) - 4:
        tag, size = data[at:at + 4], struct.unpack_from("<Q", data, at + 4)[0]
        sections.append((tag, data[at + 12:at + 12 + size]))
        at += 12 + size
    return header, sections


def checkpoint_bytes(header: bytes, version: int, sections) -> bytes:
    head = bytearray(header)
    struct.pack_into("<I", head, 8, version)
    struct.pack_into("<I", head, len(head) - 4, len(sections))
    body = bytes(head) + b"".join(tag + struct.pack("<Q", len(p)) + p for tag, p in sections)
    body = body[:12] + struct.pack("<Q", len(body) + 4) + body[20:]
    return body + struct.pack("<I", zlib.crc32(body))


def scaling_section(layers: int, custom: dict) -> bytes:
    """TSCL: every (layer, role) at its default (scale 1, no history) unless `custom` gives
    (scale, history, next index) for it."""
    out = struct.pack("<II", layers, TENSOR_ROLES)
    for layer in range(layers):
        for role in range(TENSOR_ROLES):
            scale, history, next_index = custom.get((layer, role), (1.0, [], 0))
            out += struct.pack("<fQ", scale, len(history))
            out += struct.pack("<%df" % len(history), *history) + struct.pack("<Q", next_index)
    return out


def with_buffer(optm: bytes, name: bytes, fmt: int, values: bytes, count: int) -> bytes:
    """The OPTM payload with one more named buffer."""
    steps, buffers = struct.unpack_from("<qI", optm, 0)
    return (struct.pack("<qI", steps, buffers + 1) + optm[12:] + struct.pack("<I", len(name)) + name
            + struct.pack("<IQ", fmt, count) + values)


def checkpoint_seeds():
    folder = CORPUS / "checkpoint"
    seeds = {}
    # name: (version-1 seed, version, scaling state per (layer, role), extra buffer format or None)
    plans = {
        # Version 2: the version-1 file with the (empty) DATA section it is rewritten with.
        "fp32_sgd_momentum_v2.ckpt": ("fp32_sgd_momentum.ckpt", 2, {}, None),
        # As a 16-bit or fp32 run writes it today: every slot at its default.
        "fp32_sgd_momentum_v3.ckpt": ("fp32_sgd_momentum.ckpt", 3, {}, None),
        # Delayed-scaling state as FP8 will keep it: the weight role of layer 0 with a
        # 3-value history (next slot 2), the input role of layer 1 with one value; and a
        # third optimizer buffer, a Kahan compensation in the bf16 weights' format.
        "bf16_true_adam_v3.ckpt": ("bf16_true_adam.ckpt", 3,
                                   {(0, 1): (0.5, [1.5, 3.0, 0.25], 2), (1, 0): (149.33333, [3.0], 0)},
                                   2),
        # An optimizer buffer in fp16 beside fp32 state (none before: SGD without
        # momentum), and a scale on the output gradient.
        "fp16_mixed_no_hidden_sgd_v3.ckpt": ("fp16_mixed_no_hidden_sgd.ckpt", 3,
                                             {(0, 2): (65536.0, [0.0, 1e-3, 7.5, 2.0], 3)}, 1),
    }
    for name, (source, version, custom, extra_format) in plans.items():
        header, sections = checkpoint_parts((folder / source).read_bytes())
        assert struct.unpack_from("<I", header, 8)[0] == 1 and len(sections) == 7, source
        hidden = struct.unpack_from("<I", header, 36)[0]
        if extra_format is not None:
            params = struct.unpack_from("<Q", header, 40 + 4 * hidden)[0]
            width = 4 if extra_format == 0 else 2
            values = bytes((i * 7) & 0x3f for i in range(params * width))  # small finite values
            sections[1] = (b"OPTM", with_buffer(sections[1][1], b"kahan_compensation", extra_format,
                                                values, params))
        sections.append((b"DATA", b""))
        if version >= 3:
            sections.append((b"TSCL", scaling_section(hidden + 1, custom)))
        seeds[name] = checkpoint_bytes(header, version, sections)
    return seeds


def config_dict():
    words = set()
    for line in (ROOT / "src/config/config_schema.cpp").read_text().splitlines():
        line = line.strip()
        if line.startswith('{"') and "K::" in line:
            path = line.split('"')[1]
            words.update(path.split("."))
            words.add("=" + path)  # as an override's key
    for line in (ROOT / "src/config/config_enums.cpp").read_text().splitlines():
        if line.strip().startswith("{\"") or "{{\"" in line or ", {\"" in line:
            for part in line.split('{"')[1:]:
                words.add(part.split('"')[0])
    # The rounding names, which the config's table takes from rounding.hpp's to_string.
    for line in (ROOT / "src/precision/rounding.hpp").read_text().splitlines():
        if line.strip().startswith("case RoundingMode::k"):
            words.update(re.findall(r'"([^"]*)"', line))
    # The mode table's rows: each mode's name and aliases are the string literals of its row.
    for line in (ROOT / "src/precision/precision.cpp").read_text().splitlines():
        if line.strip().startswith("{Precision::k"):
            words.update(re.findall(r'"([^"]*)"', line))
    words.discard("")  # the table's unused alias slots
    lines = ["# Dictionary for config_fuzz (libFuzzer -dict=): config keys, names and JSON tokens.",
             "# Written by tests/fuzz/make_corpus.py from src/config/config_schema.cpp and the name tables."]
    for w in sorted(words):
        if w.startswith("="):
            lines.append('"%s="' % w[1:])
        else:
            lines.append('"\\"%s\\""' % w)
    lines += ['"true"', '"false"', '"null"', '"1e400"', '"-0"', '"{}"', '"[]"', '"\\x00"']
    (HERE / "config.dict").write_text("\n".join(lines) + "\n")


def main():
    write("config", config_seeds())
    write("idx", idx_seeds())
    write("csv", csv_seeds())
    write("checkpoint", checkpoint_seeds())
    config_dict()


if __name__ == "__main__":
    main()
