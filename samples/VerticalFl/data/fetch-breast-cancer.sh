#!/usr/bin/env bash
# Re-extracts breast_cancer.csv from Debian's python3-sklearn package (apt-get download + dpkg -x: nothing is
# installed) and checks it against the copy committed here (PROVENANCE.md). Usage: fetch-breast-cancer.sh [OUT_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download python3-sklearn >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get download python3-sklearn >/dev/null; }
dpkg -x python3-sklearn_*.deb extracted
src="extracted/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv"
expected="$(sed -n 's/^- sha256: *//p' "$here/PROVENANCE.md")"
actual="$(sha256sum "$src" | cut -d' ' -f1)"
if [ "$actual" != "$expected" ]; then
  echo "fetch-breast-cancer.sh: the package's breast_cancer.csv has sha256 $actual, expected $expected" >&2
  exit 1
fi
mkdir -p "$out"
cp "$src" "$out/breast_cancer.csv"
echo "$out/breast_cancer.csv ($(ls python3-sklearn_*.deb))"
