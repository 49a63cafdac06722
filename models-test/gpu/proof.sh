#!/usr/bin/env bash
# The GPU proof for one machine in one call (docs/gpu-proof.md). run-gpu.sh runs this after it has
# unpacked .device/ and built the cuda variant (and llama-bench for x2); it is not meant to be run alone.
#
#   STRATA_GPU_PROOF=h100   one GPU: the seed case, models bigger than 24 and 16 GiB caps with their context
#                           filled, 100 random load/unload/generate over three models under a 10 GiB cap,
#                           then the accuracy matrix (12 shapes, 5 quantization mixes) while time is left
#   STRATA_GPU_PROOF=x2     two GPUs: the seed case on two 24 GiB cards, layer splits (dense and MoE, caps
#                           24+24 and 24+12 GiB), placement and eviction of three models, split speed
#                           against llama-bench -sm layer -ts a/b
#
# Each case runs in a JVM of its own (dev.strata.models.gpu.ProofRun) and appends its result to
# results.jsonl; dev.strata.models.proof.ProofReport then writes $OUT/summary.md and one $OUT/<part>.md
# per part, and its verdict is the exit status: 0 passed, 1 a check failed, 2 a case did not run.
#
# Subsets (space-separated names; unset = the machine's default, empty = none):
#   STRATA_PROOF_PARTS      h100: "seed pressure ops accuracy"; x2: "seed split placement speed"
#   STRATA_PROOF_ACCURACY   accuracy cases (ProofCases.H100_ACCURACY), default all, new shapes first
#   STRATA_PROOF_PRESSURE   pressure cases, default "70b-24g qwen3moe-16g" ("8b-4g" also exists)
#   STRATA_PROOF_SPLIT      x2 split cases, default "dense-24+24 dense-24+12 moe-24+24 moe-24+12"
#   STRATA_OPS_COUNT, STRATA_OPS_SEED   the random operations (default 100, seed 20261124)
# Time: every case gets at most STRATA_PROOF_CASE_TIMEOUT seconds (default 200), and none starts after
# the deadline STRATA_PROOF_DEADLINE (epoch seconds, set by run-gpu.sh: its start + STRATA_PROOF_BUDGET_S,
# default 570) less 25 s; what does not start is reported as NOT RUN.
#
# Needs from run-gpu.sh: OUT, WORK (unpacked models/ and vocab/), PROOF_CP (class path), TOOLS (llama-bench's
# directory, x2), STRATA_PROOF_DEADLINE.
set -uo pipefail
: "${OUT:?}" "${WORK:?}" "${PROOF_CP:?}" "${STRATA_PROOF_DEADLINE:?}"
machine="${STRATA_GPU_PROOF:?set STRATA_GPU_PROOF=h100 or x2}"
results="$WORK/proof/results.jsonl"
planned="$WORK/proof/planned.tsv"
mkdir -p "$WORK/proof/cases"
: > "$results"; : > "$planned"
case_timeout="${STRATA_PROOF_CASE_TIMEOUT:-200}"
printf '%s\n' 'handlers=java.util.logging.ConsoleHandler' 'java.util.logging.ConsoleHandler.level=INFO' '.level=WARNING' \
  'dev.strata.llama.native.level=OFF' 'dev.strata.runtime.load.PlannedLoader.level=INFO' \
  'dev.strata.runtime.ModelRegistry.level=INFO' > "$WORK/proof/logging.properties"

case "$machine" in
  h100)
    parts="${STRATA_PROOF_PARTS-seed pressure ops accuracy}"
    gpus_needed=1 ;;
  x2)
    parts="${STRATA_PROOF_PARTS-seed split placement speed}"
    gpus_needed=2 ;;
  *) echo "STRATA_GPU_PROOF must be h100 or x2, not '$machine'" >&2; exit 64 ;;
esac
gpus_here=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU' || true)
if (( gpus_here < gpus_needed )); then
  echo "no GPU: STRATA_GPU_PROOF=$machine needs $gpus_needed NVIDIA GPU(s); nvidia-smi lists $gpus_here on this machine" >&2
  exit 3
fi

cases_of() { # $1: part -> case names, in the order they run
  case "$1" in
    seed) [[ "$machine" == x2 ]] && echo seed-x2 || echo seed ;;
    accuracy) echo "${STRATA_PROOF_ACCURACY-qwen25-7b-f16-full phi3-q4_0-full gemma2-9b-q5ks-6g mixtral-q4km-16g dsv2lite-q8-full gptoss-mxfp4-full qwen25-32b-q4km-16g llama3-8b-full gemma3-27b-16g qwen3moe-12g mistral-7b-6g}" ;;
    pressure) echo "${STRATA_PROOF_PRESSURE-70b-24g qwen3moe-16g}" ;;
    ops) echo ops-10g ;;
    split) echo "${STRATA_PROOF_SPLIT-dense-24+24 dense-24+12 moe-24+24 moe-24+12}" ;;
    placement) echo three-models-12+12 ;;
    speed) echo llama3-8b-split ;;
    *) echo "unknown part '$1' in STRATA_PROOF_PARTS (h100: seed pressure ops accuracy; x2: seed split placement speed)" >&2
       return 64 ;;
  esac
}

fail_line() { # part name seconds reason: a result for a case whose JVM could not write one
  printf '{"part":"%s","name":"%s","title":"%s","seconds":%s,"devices":[],"notes":[],"failures":["%s"]}\n' \
    "$1" "$2" "$2" "$3" "$4" >> "$results"
}

for part in $parts; do
  names="$(cases_of "$part")" || exit 64
  for name in $names; do printf '%s\t%s\t%s\n' "$part" "$name" "$name" >> "$planned"; done
done

[[ -s "$planned" ]] || { echo "nothing to run: STRATA_PROOF_PARTS and the case lists select no case" >&2; exit 64; }

for part in $parts; do
  for name in $(cases_of "$part"); do
    now=$(date +%s)
    left=$(( STRATA_PROOF_DEADLINE - now - 25 ))
    if (( left < 20 )); then
      echo "=== $part $name: not started, ${left}s left before the deadline"
      continue
    fi
    limit=$(( left < case_timeout ? left : case_timeout ))
    echo; echo "=== $part $name (at most ${limit}s; $(date -u +%H:%M:%S))"
    start=$(date +%s)
    timeout --kill-after=5 "$limit" java -Djava.util.logging.config.file="$WORK/proof/logging.properties" \
      -Dstrata.llama.models.dir="$WORK/vocab" -Dstrata.native.cache="$WORK/native-cache" \
      -Dstrata.overhead.file="$WORK/proof/overheads-$name.properties" -cp "$PROOF_CP" \
      dev.strata.models.gpu.ProofRun "$part" "$name" "$WORK/proof/cases" "$WORK/models/stories260K.gguf" "$results" \
      "${TOOLS:-$WORK/llama-tools/cuda}"
    rc=$?
    took=$(( $(date +%s) - start ))
    echo "--- $part $name: exit $rc after ${took}s"
    rm -rf "$WORK/proof/cases"/*.gguf
    case $rc in
      0|1) ;;
      124|137)
        # cut by the deadline: no result (NOT RUN); by its own limit: a failure
        (( limit < case_timeout )) || fail_line "$part" "$name" "$took" "stopped by its time limit of ${limit} s (STRATA_PROOF_CASE_TIMEOUT)" ;;
      3) fail_line "$part" "$name" "$took" "no GPU: see gpu-run.log" ;;
      64) fail_line "$part" "$name" "$took" "bad case name or arguments: see gpu-run.log" ;;
      *) fail_line "$part" "$name" "$took" "the JVM died (exit $rc): a crash, see gpu-run.log" ;;
    esac
  done
done

gpu_line="$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | sort | uniq -c | sed 's/^ *//' | paste -sd ';')"
cuda_line="$(nvcc --version 2>/dev/null | grep -o 'release [0-9.]*' | head -n 1)"
subset="$(env | grep -E '^STRATA_(PROOF_(PARTS|ACCURACY|PRESSURE|SPLIT|CASE_TIMEOUT|BUDGET_S)|OPS_(COUNT|SEED))=' | sort | sed 's/=\(.*\)/="\1"/' | paste -sd ' ')"
java -cp "$PROOF_CP" dev.strata.models.proof.ProofReport "$results" "$planned" "$OUT" \
  "Machine: $gpu_line; CUDA $cuda_line; $(nproc) CPU cores; $(uname -sr)" \
  "Date: $(date -u +%Y-%m-%dT%H:%MZ)" \
  "Command: ${subset:+$subset }STRATA_GPU_PROOF=$machine bash models-test/gpu/run-gpu.sh (after models-test/gpu/prepare.sh; carry [\".device\"])"
verdict=$?
cp "$results" "$OUT/results.jsonl"
exit $verdict
