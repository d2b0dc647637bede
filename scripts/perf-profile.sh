#!/usr/bin/env bash
# Where Octet's time goes in one model, per JIT-compiled method, from Linux perf's cpu-clock samples
# (finer than JFR inside the vector loops; see BENCHMARKS.md, session 16).
# Usage: scripts/perf-profile.sh MODEL [bench options...]   e.g. --threads 1 --iterations 3000
# Samples from the first SKIP seconds (default 6: start-up, warm-up, compilation) are left out.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ]; then
  echo "usage: scripts/perf-profile.sh MODEL [octet bench options...]" >&2
  exit 2
fi
if ! command -v perf >/dev/null; then
  echo "perf-profile: 'perf' is not installed (Debian: apt-get install linux-perf)" >&2
  exit 1
fi
source scripts/find-jdk.sh >/dev/null
JAR=octet-cli/target/octet.jar
[ -f "$JAR" ] || mvn -B -q -ntp -DskipTests install >&2
MODEL="$1"
shift
OUT=$(mktemp -d "${TMPDIR:-/tmp}/octet-perf.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
# the JVM writes /tmp/perf-PID.map at exit, so that perf names the compiled methods
perf record -q -e cpu-clock -F 2000 -o "$OUT/perf.data" \
  java -XX:+UseTransparentHugePages -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit \
  --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -jar "$JAR" bench "$MODEL" --engine octet "$@"
perf script -i "$OUT/perf.data" -F time,ip,sym 2>/dev/null | SKIP="${SKIP:-6}" python3 -c '
import collections, os, sys
skip = float(os.environ["SKIP"])
counts = collections.Counter()
start = None
for line in sys.stdin:
    parts = line.strip().split(":", 1)
    try:
        t = float(parts[0])
    except ValueError:
        continue
    start = t if start is None else start
    if t - start >= skip:
        # "ADDRESS SYMBOL": the symbol, or the address when perf cannot name it
        fields = parts[1].split(None, 1)
        counts[fields[-1] if fields else "[unknown]"] += 1
total = sum(counts.values())
if total == 0:
    sys.exit("perf-profile: no samples after the first %g s; run longer (--iterations)" % skip)
print("%d samples after the first %g s" % (total, skip))
for sym, n in counts.most_common(25):
    print("%6.2f%%  %s" % (100.0 * n / total, sym[:150]))
'
