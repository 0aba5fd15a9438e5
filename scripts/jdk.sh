# Sourced by ./jetway, scripts/jmh and .ci/run: finds a JDK >= 25 and exports JETWAY_JAVA_HOME.
# Order: $JAVA_HOME, then the newest under /usr/lib/jvm (and /opt/java, ~/.sdkman, ~/.jdks).

jetway_java_major() { # prints the feature version of "$1/bin/java", or nothing
  [ -x "$1/bin/java" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

jetway_find_jdk() {
  local best="" best_major=0 candidate major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/* /opt/java/* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(jetway_java_major "$candidate")
    [ -n "$major" ] || continue
    if [ "$candidate" = "${JAVA_HOME:-}" ] && [ "$major" -ge 25 ]; then best=$candidate; break; fi
    if [ "$major" -ge 25 ] && [ "$major" -gt "$best_major" ]; then best=$candidate; best_major=$major; fi
  done
  [ -n "$best" ] || return 1
  JETWAY_JAVA_HOME=$best
  export JETWAY_JAVA_HOME
}
