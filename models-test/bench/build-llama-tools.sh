#!/usr/bin/env bash
# Builds llama.cpp's llama-bench and llama-batched-bench from the build tree native/build-native.sh
# keeps for libstrata (same pinned source, same objects and flags: no second compile of llama.cpp),
# and copies them to DIR/<variant>/. Extra arguments go to build-native.sh (--cuda=on,
# --cuda-architectures=90-real, --source=..., --java-home=...). Run from anywhere:
#
#   models-test/bench/build-llama-tools.sh DIR              # cpu (and cuda when a toolkit and a GPU are present)
#   models-test/bench/build-llama-tools.sh DIR --cuda=on --cuda-architectures=90-real
#
# The build trees it used are listed in DIR/build-dirs.properties.
set -euo pipefail
[[ $# -ge 1 && "$1" != --* ]] || { echo "usage: $0 DIR [build-native.sh options]" >&2; exit 2; }
out="$(mkdir -p "$1" && cd "$1" && pwd)"; shift
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
libs="$(mktemp -d)"; trap 'rm -rf "$libs"' EXIT
bash "$root/native/build-native.sh" --output="$libs" --tools-output="$out" --record="$out/build-dirs.properties" "$@"
ls -l "$out"/*/llama-bench "$out"/*/llama-batched-bench
