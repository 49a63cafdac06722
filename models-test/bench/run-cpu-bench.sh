#!/usr/bin/env bash
# Strata against llama.cpp's llama-bench and llama-batched-bench on the CPU, end to end from a fresh
# clone: builds the modules (libstrata included), builds the two tools from libstrata's llama.cpp build
# tree, then runs dev.strata.models.bench.GenerationBenchmark. Run from anywhere:
#
#   models-test/bench/run-cpu-bench.sh [MODEL]      # default ../shared/models/stories260K.gguf
#
# Environment: STRATA_BENCH_THREADS (default 2), STRATA_BENCH_REPS (default 5),
# STRATA_BENCH_OUT (default models-test/target/bench/cpu.md), MAVEN_ARGS (e.g. -o for offline).
# Exits 1 when a ratio is under its threshold.
set -euo pipefail
cd "$(dirname "$0")/../.."
model="$(readlink -f "${1:-../shared/models/stories260K.gguf}")"
threads="${STRATA_BENCH_THREADS:-2}"
out="${STRATA_BENCH_OUT:-models-test/target/bench/cpu.md}"
tools="models-test/target/llama-tools"

mvn -B -q ${MAVEN_ARGS:-} verify -pl models-test -am -DskipTests -Dstrata.cuda=off
models-test/bench/build-llama-tools.sh "$tools" --cuda=off

cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "CPU: $cpu, $(nproc) cores available; threads $threads"
java -cp "http/target/strata.jar:models-test/target/classes" dev.strata.models.bench.GenerationBenchmark \
  --model "$model" --tools "$tools/cpu" --out "$out" --threads "$threads" --gpu-layers 0 \
  --reps "${STRATA_BENCH_REPS:-5}" \
  --machine "CPU: $cpu, $(nproc) cores, $threads threads, load average $(cut -d" " -f1-3 /proc/loadavg) at start"
