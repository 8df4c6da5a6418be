#!/usr/bin/env bash
# Puts a dataset into data/NAME/ with the standard IDX file names.
#   scripts/fetch_data.sh fashion-mnist              official download, md5-verified
#   scripts/fetch_data.sh fashion-mnist --from DIR   copy a local folder (e.g. ../shared/data/fashion-mnist)
# Names: fashion-mnist, mnist.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: scripts/fetch_data.sh {fashion-mnist|mnist} [--from DIR]" >&2; exit 2; }
[ $# -ge 1 ] || usage
name=$1; shift
from=""
if [ $# -gt 0 ]; then
  [ "$1" = "--from" ] && [ $# -eq 2 ] || usage
  from=$2
fi

files=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)
case "$name" in
  fashion-mnist)
    base="http://fashion-mnist.s3-website.eu-central-1.amazonaws.com"
    # md5 sums published in github.com/zalandoresearch/fashion-mnist README
    md5=(8d4fb7e6c68d591d4c3dfef9ec88bf0d 25c81989df183df01b3e8a0aad5dffbe
         bef4ecab320f06d8554ea6380940ec79 bb300cfdad3c16e7a12a480ee83cd310) ;;
  mnist)
    base="https://ossci-datasets.s3.amazonaws.com/mnist"
    # md5 sums as listed by torchvision.datasets.MNIST
    md5=(f68b3c2dcbeaaa9fbdd348bbdeb94873 d53e105ee54ea40749a09fcbcd1e9432
         9fb629c4189551a2d022fa330f9573f3 ec29112dd5afa0611ce80d1b7f02629c) ;;
  *) echo "fetch_data.sh: unknown dataset '$name'; expected fashion-mnist or mnist" >&2; exit 2 ;;
esac

dest="data/$name"
tmp=$(mktemp -d "data/.fetch-$name.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if [ -n "$from" ]; then
  for f in "${files[@]}"; do
    plain=${f%.gz}
    if [ -f "$from/$f" ]; then cp "$from/$f" "$tmp/$f"
    elif [ -f "$from/$plain" ]; then cp "$from/$plain" "$tmp/$plain"
    else echo "fetch_data.sh: '$from' has neither $f nor $plain (hint: point --from at a folder with the four IDX files)" >&2; exit 2
    fi
  done
  echo "copied $name from $from (local copy: checksums of the official files do not apply)" >&2
else
  for i in "${!files[@]}"; do
    f=${files[$i]}
    if ! curl -fsSL --retry 2 -o "$tmp/$f" "$base/$f"; then
      echo "fetch_data.sh: cannot download $base/$f (hint: without network, use --from DIR with a local copy)" >&2
      exit 1
    fi
    got=$(md5sum "$tmp/$f" | cut -d' ' -f1)
    if [ "$got" != "${md5[$i]}" ]; then
      echo "fetch_data.sh: checksum mismatch for $f: got $got, expected ${md5[$i]}" >&2
      exit 1
    fi
  done
  echo "downloaded $name, md5 verified" >&2
fi

# Replace the destination only once everything arrived intact.
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
echo "$dest"
