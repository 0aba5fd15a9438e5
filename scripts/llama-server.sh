#!/usr/bin/env bash
# Builds llama.cpp's real llama-server for Jetway's real-engine test tier and `jetway up --engine llama.cpp`.
#
# No npm package ships a llama-server binary, but node-llama-cpp ships the whole llama.cpp source tree as a git
# bundle; this script builds the server from that bundle, natively, into a per-machine cache, once:
#   ${JETWAY_LLAMA_CACHE:-$HOME/.cache/jetway}/llama-server-<commit>/bin/llama-server
# plus models/ggml-vocab-llama-spm.gguf (the tokenizer the test-time GGUF writer copies).
# Does nothing when that binary is already there. Takes 6-14 minutes on 2 cores (run under nice).
#
#   scripts/llama-server.sh           build if needed, print the binary's path
#   scripts/llama-server.sh --path    print where the binary is or would be; exit 1 when it is not built
#   scripts/llama-server.sh --check   exit 0 when the tools to build it (npm, git, cmake, g++, ninja) are present
set -euo pipefail

NODE_LLAMA_CPP_VERSION=3.22.1
LLAMA_COMMIT=de3ff81  # the llama.cpp commit inside node-llama-cpp@3.22.1's gitRelease.bundle
cache=${JETWAY_LLAMA_CACHE:-$HOME/.cache/jetway}
prefix=$cache/llama-server-$LLAMA_COMMIT
binary=$prefix/bin/llama-server

missing_tools() {
  local t missing=()
  for t in npm git cmake g++ ninja tar; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
  echo "${missing[@]:-}"
}

case "${1:-}" in
  --path) echo "$binary"; [ -x "$binary" ]; exit ;;
  --check)
    missing=$(missing_tools)
    if [ -n "$missing" ]; then echo "llama-server: cannot build, missing: $missing" >&2; exit 1; fi
    exit 0 ;;
  "") ;;
  *) echo "usage: $0 [--path|--check]" >&2; exit 2 ;;
esac

if [ -x "$binary" ] && [ -f "$prefix/models/ggml-vocab-llama-spm.gguf" ]; then
  echo "$binary"
  exit 0
fi

missing=$(missing_tools)
if [ -n "$missing" ]; then
  echo "llama-server: cannot build, missing: $missing (Debian: apt-get install -y cmake g++ ninja-build git npm)" >&2
  exit 1
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/build-$LLAMA_COMMIT.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "llama-server: fetching node-llama-cpp@$NODE_LLAMA_CPP_VERSION (the llama.cpp source bundle)" >&2
npm pack --silent "node-llama-cpp@$NODE_LLAMA_CPP_VERSION" >/dev/null
tar xzf "node-llama-cpp-$NODE_LLAMA_CPP_VERSION.tgz" package/llama/gitRelease.bundle
git -c advice.detachedHead=false clone -q package/llama/gitRelease.bundle llama.cpp
actual=$(git -C llama.cpp rev-parse --short=7 HEAD)
if [ "$actual" != "$LLAMA_COMMIT" ]; then
  echo "llama-server: the bundle holds llama.cpp $actual, expected $LLAMA_COMMIT" >&2
  exit 1
fi

echo "llama-server: building llama.cpp $LLAMA_COMMIT (6-14 min on 2 cores)" >&2
start=$(date +%s)
# LLAMA_USE_PREBUILT_UI=OFF: by default cmake downloads the web UI, which cannot be fetched here (and is not needed).
nice cmake -S llama.cpp -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DBUILD_SHARED_LIBS=OFF -DGGML_NATIVE=ON >build.log 2>&1 \
  || { tail -30 build.log >&2; exit 1; }
nice cmake --build build --target llama-server -j"$(nproc)" >>build.log 2>&1 || { tail -30 build.log >&2; exit 1; }

staging=$prefix.partial
rm -rf "$staging"
mkdir -p "$staging/bin" "$staging/models"
cp build/bin/llama-server "$staging/bin/"
strip "$staging/bin/llama-server" 2>/dev/null || true
cp llama.cpp/models/ggml-vocab-llama-spm.gguf "$staging/models/"
echo "llama.cpp $LLAMA_COMMIT from node-llama-cpp@$NODE_LLAMA_CPP_VERSION, built $(date -u +%FT%TZ) in $(( $(date +%s) - start )) s" \
  >"$staging/BUILD-INFO"
rm -rf "$prefix"
mv "$staging" "$prefix"
echo "llama-server: built in $(( $(date +%s) - start )) s" >&2
echo "$binary"
