#!/usr/bin/env bash
# The project's test command: formats check, build, unit and integration tests of every module.
# Usage: ./test.sh [extra Maven arguments], e.g. ./test.sh -pl octet-core
set -euo pipefail
cd "$(dirname "$0")"
source scripts/find-jdk.sh
exec mvn -B -ntp -Dstyle.color=never verify "$@"
