#!/usr/bin/env bash
# Runs on the GPU machine (see prepare.sh for what to carry): builds the cuda variant from the same
# llama.cpp source, runs the models-test suite with the cuda variant on the class path (the loader must
# choose it on its own), then the command line with all layers on the GPU. Everything it prints
# also goes to $OUT/gpu-run.log.
#
#   STRATA_GPU_PROOF=h100 | x2   the GPU proof of one machine instead (models-test/gpu/proof.sh,
#                                docs/gpu-proof.md): cuda variant only, then the proof's cases; markdown
#                                reports in $OUT. Carry [".device"].
#   STRATA_GPU_BENCH=1           only the speed benchmark (dev.strata.models.bench.GenerationBenchmark;
#                                the table lands in $OUT/bench-gpu.md); STRATA_BENCH_ARGS adds its
#                                options (e.g. "--backend-sampling off"). Carry [".device"].
#   (neither)                    the whole suite and the command line. Carry [".device", ".device-suite",
#                                "models-test/target/classes", "models-test/target/test-classes"].
set -uo pipefail
started=$(date +%s)
cd "$(dirname "$0")/../.."
out="${OUT:-/tmp/strata-out}"; mkdir -p "$out"
exec > >(tee "$out/gpu-run.log") 2>&1
dev="$PWD/.device"
root="$PWD"
work=/tmp/strata-gpu; rm -rf "$work"; mkdir -p "$work"
step() { echo; echo "=== $* ($(date -u +%H:%M:%S))"; }

step "machine ($(date -u +%Y-%m-%d))"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
nvcc --version | tail -n 2
uname -srm

step "unpack runtime, headers, llama.cpp source"
tar -C "$work" -xJf "$dev/jre.tar.xz"
mkdir -p "$work/jdk" && tar -C "$work/jdk" -xzf "$dev/jni-include.tar.gz"
mkdir -p "$work/llama.cpp" && tar -C "$work/llama.cpp" -xJf "$dev/llama-src.tar.xz"
tar -C "$work" -xJf "$dev/data.tar.xz"   # models/ and vocab/
[[ -f .device-suite/minilm.tar.xz ]] && tar -C "$work" -xJf .device-suite/minilm.tar.xz   # models/all-MiniLM-*
# Strata's jars and their run-time libraries (prepare.sh): the class path of everything below
app="$(ls "$dev"/app/*.jar | paste -sd: -)"
export PATH="$work/jre/bin:$PATH"
java -version 2>&1 | head -n 1

# The proof and the benchmark run only the cuda variant: the cpu one is not built for them (saves ~30 s).
cpu_variant=on
[[ -n "${STRATA_GPU_PROOF:-}" || ( -n "${STRATA_GPU_BENCH:-}" && "${STRATA_GPU_BENCH_THEN:-0}" != 1 ) ]] && cpu_variant=off
tools=""
# STRATA_GPU_MAIN gets them too, so that a diagnostic can be followed by llama-bench in the same call
[[ -n "${STRATA_GPU_BENCH:-}" || "${STRATA_GPU_PROOF:-}" == x2 || -n "${STRATA_GPU_MAIN:-}" ]] && tools="--tools-output=$work/llama-tools"
step "build the cuda variant (CUDA architecture ${STRATA_CUDA_ARCHITECTURES:-90-real}), cpu variant $cpu_variant${tools:+, llama-bench}"
start=$(date +%s)
STRATA_CACHE_DIR=/tmp/strata-cache bash native/build-native.sh --output="$work/natives/META-INF/native" \
  --source="$work/llama.cpp" --cuda=on --cpu="$cpu_variant" --cuda-architectures="${STRATA_CUDA_ARCHITECTURES:-90-real}" \
  --java-home="$work/jdk" $tools \
  || { echo "native build failed"; tail -n 80 /tmp/strata-cache/build/*cuda*/build.log; exit 1; }
echo "native build took $(( $(date +%s) - start )) s"
ldd "$work/natives/META-INF/native/linux-x86_64/cuda/libstrata.so" | grep -E "cuda|cublas"
cat "$work/natives/META-INF/native/linux-x86_64/cuda/strata-native.properties"

if [[ -n "${STRATA_GPU_PROOF:-}" ]]; then
  step "GPU proof: $STRATA_GPU_PROOF (${STRATA_PROOF_BUDGET_S:-570} s from the start of this script)"
  OUT="$out" WORK="$work" PROOF_CP="$work/natives:$app" TOOLS="$work/llama-tools/cuda" \
    STRATA_PROOF_DEADLINE=$(( started + ${STRATA_PROOF_BUDGET_S:-570} )) bash models-test/gpu/proof.sh
  proof=$?
  step "result: proof exit $proof (0 passed, 1 failed, 2 incomplete, 3 no GPU)"
  exit $proof
fi

# `java -jar http/target/strata.jar` (the command-line steps, and the suite's command-line tests): when the
# shaded jar was not carried, a launcher jar whose manifest puts the natives and .device/app on the class path.
if [[ ! -f http/target/strata.jar ]]; then
  mkdir -p http/target
  python3 - http/target/strata.jar "$work/natives" "$dev/app" <<'PY'
import sys, os, zipfile, glob
jar, natives, app = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
entries = ["file:" + natives + "/"] + ["file:" + j for j in sorted(glob.glob(app + "/*.jar"))]
lines, line = [], "Class-Path:"
for e in entries:                      # manifest lines are at most 72 bytes; continuations start with a space
    piece = " " + e
    while len(line) + len(piece) > 70:
        cut = 70 - len(line)
        lines.append(line + piece[:cut]); line, piece = " ", piece[cut:]
    line += piece
lines.append(line)
manifest = "Manifest-Version: 1.0\nMain-Class: dev.strata.cli.StrataCommand\n" + "\n".join(lines) + "\n\n"
with zipfile.ZipFile(jar, "w") as z:
    z.writestr("META-INF/MANIFEST.MF", manifest)
PY
fi

if [[ -n "${STRATA_GPU_BENCH:-}" ]]; then
  # Only the speed benchmark: Strata against llama-bench and llama-batched-bench (built above from the
  # same cuda build tree) on a Llama-3-8B-shaped Q4_0 with seeded random weights, written here (4.3 GiB).
  step "benchmark model: llama3-8b Q4_0, random weights"
  bcp="$work/natives:$root/models-test/target/classes:$app"
  java -Dstrata.llama.models.dir="$work/vocab" -cp "$bcp" dev.strata.models.bench.BenchModel "$work/llama3-8b-q4_0.gguf" 1 ||
    exit 1
  step "benchmark: Strata against llama.cpp, all layers on the GPU"
  printf '%s\n' 'handlers=java.util.logging.ConsoleHandler' '.level=WARNING' 'dev.strata.llama.native.level=OFF' > "$work/logging.properties"
  gpu="$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | head -n 1)"
  java -Djava.util.logging.config.file="$work/logging.properties" -Dstrata.native.cache="$work/native-cache" -cp "$bcp" \
    dev.strata.models.bench.GenerationBenchmark --model "$work/llama3-8b-q4_0.gguf" --tools "$work/llama-tools/cuda" \
    --out "$out/bench-gpu.md" --gpu-layers -1 --threads "$(nproc)" --reps "${STRATA_BENCH_REPS:-5}" \
    --machine "GPU: $gpu; CUDA architectures ${STRATA_CUDA_ARCHITECTURES:-90-real}; $(nproc) CPU threads" \
    ${STRATA_BENCH_ARGS:-}
  bench=$?
  # STRATA_GPU_BENCH=1 alone stops here; with STRATA_GPU_BENCH_THEN=1 the other steps follow
  [[ "${STRATA_GPU_BENCH_THEN:-0}" == 1 ]] || exit $bench
fi

if [[ -n "${STRATA_GPU_MAIN:-}" ]]; then
  # one diagnostic main class instead of the whole run, llama.cpp's debug log on
  step "$STRATA_GPU_MAIN"
  # STRATA_GPU_MAIN_LOG=quiet for timings: at ALL, ggml-cuda's debug line per decode is written to main.log
  native_level=ALL; [[ "${STRATA_GPU_MAIN_LOG:-debug}" == quiet ]] && native_level=OFF
  printf '%s\n' 'handlers=java.util.logging.ConsoleHandler' 'java.util.logging.ConsoleHandler.level=ALL' \
    '.level=WARNING' "dev.strata.llama.native.level=$native_level" > "$work/debug-logging.properties"
  java -Djava.util.logging.config.file="$work/debug-logging.properties" -Dstrata.llama.models.dir="$work/vocab" \
    -Dstrata.native.cache="$work/native-cache" -cp "$work/natives:$PWD/models-test/target/classes:$app" \
    $STRATA_GPU_MAIN > "$out/main.log" 2>&1
  echo "exit $?"; grep -c . "$out/main.log"; grep BUFFER "$out/main.log"
  exit 0
fi

printf '%s\n' 'handlers=java.util.logging.ConsoleHandler' '.level=WARNING' 'dev.strata.llama.native.level=OFF' > "$work/logging.properties"
suite=0
if [[ "${STRATA_GPU_SUITE:-1}" == 1 ]]; then
step "models-test suite, cuda variant on the class path"
# The zoo and estimate-comparison tests compare with CPU-only dry runs; they run in CI. The zoo's
# tokenizers come from vocab/ (packed by prepare.sh).
# llama.cpp's own log lines (many expected errors from the bad-input tests) stay out of this report.
cp="$work/natives:$root/models-test/target/classes:$root/models-test/target/test-classes:$app:$(ls "$root"/.device-suite/lib/assertj-core-*.jar)"
# STRATA_GPU_SELECT="a.Test b.Test" runs those classes instead of the whole package
select=(--select-package dev.strata.models)
if [[ -n "${STRATA_GPU_SELECT:-}" ]]; then select=(); for c in $STRATA_GPU_SELECT; do select+=(--select-class "$c"); done; fi
(cd models-test && java -Djava.util.logging.config.file="$work/logging.properties" -Dstrata.models.dir="$work/models" -Dstrata.llama.models.dir="$work/vocab" -Dstrata.native.cache="$work/native-cache" \
  -jar "$(ls "$root"/.device-suite/lib/junit-platform-console-standalone-*.jar)" execute \
  --class-path "$cp" "${select[@]}" \
  --exclude-classname '.*\.(ZooEstimate|EstimateVsLlamaCpp|ComputeVsLlamaCpp)Test' \
  --details=tree --disable-banner --reports-dir="$out/junit")
suite=$?
fi

step "command line: all layers of stories260K on cuda:0"
cp http/target/strata.jar "$work/strata-cuda.jar"
python3 - "$work/strata-cuda.jar" "$work/natives" <<'PY'
import sys, zipfile, os
jar, root = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(jar, 'a') as z:
    base = os.path.join(root, 'META-INF/native/linux-x86_64/cuda')
    for f in os.listdir(base):
        z.write(os.path.join(base, f), 'META-INF/native/linux-x86_64/cuda/' + f)
PY
STRATA_NATIVE_CACHE="$work/native-cache" java -jar "$work/strata-cuda.jar" run --model "$work/models/stories260K.gguf" \
  --prompt "Once upon a time" --max-tokens 64 --gpu-layers -1
cli=$?

step "command line: measure this card's runtime overhead once, then plan with it"
overheads="$work/overheads.properties"
java -Dstrata.overhead.file="$overheads" -Dstrata.native.cache="$work/native-cache" -jar "$work/strata-cuda.jar" \
  overhead --model "$work/models/stories260K.gguf" --file "$overheads" || cli=1
cat "$overheads"
java -Dstrata.overhead.file="$overheads" -Dstrata.native.cache="$work/native-cache" -jar "$work/strata-cuda.jar" \
  plan --model "$work/models/stories260K.gguf" --ctx 2048 || cli=1

step "predicted against measured peak: the seed case (DeepSeek-R1-Distill-Llama-70B Q5_K_S shape under 24 GiB) and four more"
seed=0
for case in ${STRATA_PEAK_CASES-seed llama3-8b-full gemma3-27b-16g qwen3moe-12g mistral-7b-6g}; do
  java -Djava.util.logging.config.file="$work/logging.properties" -Dstrata.llama.models.dir="$work/vocab" \
    -Dstrata.native.cache="$work/native-cache" -cp "$work/natives:$root/models-test/target/classes:$app" \
    dev.strata.models.gpu.PeakAccuracy "$work/peak" "$work/models/stories260K.gguf" "$case" || seed=1
done

step "a model bigger than a per-device cap, loaded by the engine, context filled: the cap holds, no out-of-memory"
cap=0
for case in ${STRATA_CAP_CASES-8b-4g 70b-24g}; do
  java -Djava.util.logging.config.file="$work/logging.properties" -Dstrata.llama.models.dir="$work/vocab" \
    -Dstrata.overhead.file="$work/cap-overheads.properties" -Dstrata.native.cache="$work/native-cache" \
    -cp "$work/natives:$root/models-test/target/classes:$app" \
    dev.strata.models.gpu.CapPressure "$work/cap" "$work/models/stories260K.gguf" "$case" || cap=1
done

step "CUDA compute buffers of the zoo (dry runs), last: it is data, not a check"
if [[ "${STRATA_GPU_PROBE:-1}" == 1 ]]; then
  timeout "${STRATA_GPU_PROBE_TIMEOUT:-150}" java -Djava.util.logging.config.file="$work/logging.properties" \
    -Dstrata.llama.models.dir="$work/vocab" -Dstrata.native.cache="$work/native-cache" \
    -cp "$work/natives:$root/models-test/target/classes:$app" \
    dev.strata.models.gpu.CudaComputeBuffers "$work/probe" | grep CUDAPROBE > "$out/cuda-compute.txt"
  wc -l "$out/cuda-compute.txt"
fi

step "result"
echo "suite exit $suite, command line exit $cli, peak cases exit $seed, cap cases exit $cap, benchmark exit ${bench:-not run}"
[[ $suite -eq 0 && $cli -eq 0 && $seed -eq 0 && $cap -eq 0 && ${bench:-0} -eq 0 ]]
