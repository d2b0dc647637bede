#!/usr/bin/env bash
# JMH benchmark of the SGEMM kernel: GFLOP/s per shape and share of the measured FP32 FMA peak.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/find-jdk.sh
mvn -B -q -ntp -DskipTests -Dspotless.check.skip=true package -pl octet-bench -am >&2
exec java --add-modules jdk.incubator.vector -jar octet-bench/target/benchmarks.jar "$@"
