#!/usr/bin/env bash
# Counts JVMs whose compiled GEMM kernel came out slow (BENCHMARKS.md, session 31): starts N JVMs
# one after another, each timing SqueezeNet (FP32) at two threads and then the GEMM alone; a slow
# JVM shows a model 10-20 times slower and the GEMM at a few GFLOP/s.
# Usage: scripts/slow-jvm.sh [N] [shared-dir]   (default 50 JVMs, ../shared)
# About 2% of JVMs were slow on the Zen 3 EPYC until session 32 fixed the cause (128-bit vectors in
# the JDK's shared type profiles); telling a change from chance needs a few hundred JVMs. The slow
# state comes every time with -XX:-TieredCompilation (see VectorProfileTest).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-50}"
SHARED="${2:-../shared}"
source scripts/find-jdk.sh >/dev/null
JAR=octet-cli/target/octet.jar
[ -f "$JAR" ] || mvn -B -q -ntp -DskipTests install >&2
MODEL="${TMPDIR:-/tmp}/octet-bench/squeezenet-fp32.onnx"
if [ ! -f "$MODEL" ]; then
  mkdir -p "$(dirname "$MODEL")"
  ./octet convert --to fp32 "$SHARED/models/squeezenet1.0-fp16.onnx" "$MODEL" >/dev/null
fi
slow=0
for i in $(seq 1 "$N"); do
  line=$(java -XX:+UseTransparentHugePages --add-modules jdk.incubator.vector -cp "$JAR" \
    scripts/slow-jvm/SlowJvm.java "$MODEL" data_0 1,3,224,224 2 2>/dev/null | tail -1)
  gflops=$(echo "$line" | sed -n 's/.*GEMM alone \([0-9.]*\).*/\1/p')
  if awk "BEGIN{exit !(${gflops:-0} < 15)}"; then
    slow=$((slow + 1))
    line="$line   <- slow"
  fi
  echo "JVM $i: $line"
done
echo "$slow of $N JVMs slow"
