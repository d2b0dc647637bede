#!/usr/bin/env bash
# Sourced by ./octet, ./test.sh and .ci/run: sets JAVA_HOME to a JDK 25 or newer, or explains what to install.
# Order: JAVA_HOME when it is 25+, then the newest /usr/lib/jvm/*, then /opt and ~/.sdkman candidates.

octet_java_major() {
  # prints the feature version of the JDK at $1 (e.g. 25), or nothing
  local rel="$1/release"
  [ -x "$1/bin/java" ] || return 0
  if [ -f "$rel" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel"
  else
    "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1
  fi
}

octet_find_jdk() {
  local want=25 v
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(octet_java_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge "$want" ]; then return 0; fi
  fi
  local best="" bestv=0 d
  for d in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -d "$d" ] || continue
    v=$(octet_java_major "$d")
    if [ -n "$v" ] && [ "$v" -ge "$want" ] && [ "$v" -gt "$bestv" ]; then best="$d"; bestv="$v"; fi
  done
  if [ -z "$best" ]; then
    cat >&2 <<MSG
octet: no JDK 25 or newer found (JAVA_HOME=${JAVA_HOME:-unset}; searched /usr/lib/jvm, /opt, ~/.sdkman).
Octet needs Java 25 for the Vector API and FFM. Install one, for example:
  apt-get install temurin-25-jdk      (Adoptium's Debian repository), or
  sdk install java 25-tem             (SDKMAN), or unpack a JDK 25 and set JAVA_HOME to it.
MSG
    return 1
  fi
  export JAVA_HOME="$best"
}

octet_find_jdk || exit 1
export PATH="$JAVA_HOME/bin:$PATH"
