#!/usr/bin/env python3
"""Checks that every relative link in README.md and docs/*.md points at a file or folder
that exists (and, for #anchors into Markdown files, at a heading that exists).
Exit 1 listing the broken links; ctest runs it (tests/docs)."""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
files = [root / "README.md", *sorted((root / "docs").rglob("*.md"))]
link = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def anchors(md: pathlib.Path) -> set:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    out = set()
    for line in md.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            out.add(re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", title)))
    return out


broken = []
for f in files:
    in_code = False
    for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            in_code = not in_code
        if in_code:
            continue
        for target in link.findall(line):
            if re.match(r"^[a-z]+:", target):
                continue  # http:, https:, mailto:
            path, _, anchor = target.partition("#")
            dest = (f.parent / path).resolve() if path else f
            if not dest.exists():
                broken.append(f"{f.relative_to(root)}:{n}: {target} (no such file)")
            elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                broken.append(f"{f.relative_to(root)}:{n}: {target} (no such heading)")
for b in broken:
    print(b)
print(f"checked {len(files)} files: {len(broken)} broken links")
sys.exit(1 if broken else 0)
