#!/usr/bin/env bash
# Packs what the GPU machine needs (ignored by git, carried to the device). Run from the repo root:
#
#   models-test/gpu/prepare.sh
#
# .device/ (about 30 MB):
#   jre.tar.xz        a jlink Java 17 runtime (the device has none), 13 MB
#   jni-include.tar.gz the JDK's JNI headers, for the native build
#   llama-src.tar.xz  the llama.cpp v0.5.0 tree the CPU build used, less unused backends, 3.6 MB
#   data.tar.xz       the test models less all-MiniLM, and the vocab-only GGUFs the zoo borrows, 9 MB
#   app/              Strata's module jars (the native one without its cpu library: the device builds
#                     its own) and what the engine, the command line and the GPU mains need at run time:
#                     picocli, Jackson, JCuda (its natives cut to the driver library). Not the server's
#                     Javalin/Jetty/Kotlin stack: the device runs no server. About 3 MB.
# .device-suite/ (about 28 MB; only for the whole models-test suite):
#   minilm.tar.xz     all-MiniLM-L6-v2-Q8_0.gguf (EmbeddingTest), 23 MB
#   lib/              the JUnit console launcher and AssertJ
#
# Carry lists for the device tool (the tree and the carried paths must stay under 64 MiB together;
# the totals are printed at the end):
#   GPU proof, STRATA_GPU_PROOF=h100 or x2, and the speed benchmark, STRATA_GPU_BENCH=1:
#     [".device"]
#   the whole models-test suite (the default run of run-gpu.sh):
#     [".device", ".device-suite", "models-test/target/classes", "models-test/target/test-classes"]
# On the device, run-gpu.sh makes http/target/strata.jar a launcher over .device/app when it was not
# carried (the suite's command-line tests run `java -jar` on it).
set -euo pipefail
cd "$(dirname "$0")/../.."
dev=.device
suite=.device-suite
mkdir -p "$dev" "$suite/lib"

# verify, not install: everything the device needs is under target/, and ~/.m2 stays as it was
mvn -B -q ${MAVEN_ARGS:-} verify -DskipTests

java_home="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
if [[ ! -f "$dev/jre.tar.xz" ]]; then
  tmp="$(mktemp -d)"
  jlink --add-modules java.base,java.logging,java.management,jdk.unsupported,java.naming,java.net.http,java.sql,java.xml \
    --strip-debug --no-header-files --no-man-pages --output "$tmp/jre"
  tar -C "$tmp" -cJf "$dev/jre.tar.xz" jre
  rm -rf "$tmp"
fi
tar -C "$java_home" -czf "$dev/jni-include.tar.gz" include

# The llama.cpp tree the CPU build used, less the backends Strata does not build; tools/ (less the server
# and its web UI, which are not configured) for llama-bench and llama-batched-bench.
src="${STRATA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/strata}/src/llama.cpp-v0.5.0"
[[ -f "$src/include/llama.h" ]] || { echo "no cached llama.cpp source at $src: run mvn verify first" >&2; exit 1; }
excludes=()
for d in "$src"/ggml/src/ggml-*/; do
  case "$(basename "$d")" in ggml-cpu|ggml-cuda) ;; *) excludes+=("--exclude=./ggml/src/$(basename "$d")") ;; esac
done
tar -C "$src" -cJf "$dev/llama-src.tar.xz" "${excludes[@]}" --exclude='*.md' \
  --exclude=./tools/server --exclude=./tools/ui \
  ./CMakeLists.txt ./cmake ./ggml ./src ./include ./common ./vendor ./tools ./LICENSE ./.strata-source

# Models, and the tokenizers the zoo borrows (Llama 3's for the seed case), compressed. all-MiniLM goes
# into .device-suite: only the suite's embedding tests use it, and it is most of the bytes.
staging="$(mktemp -d)"
mkdir -p "$staging/models" "$staging/vocab" "$staging/minilm/models"
for f in ../shared/models/*.gguf; do
  case "$(basename "$f")" in
    all-MiniLM-*) cp "$f" "$staging/minilm/models/" ;;
    *) cp "$f" "$staging/models/" ;;
  esac
done
cp ../shared/models/README.md "$staging/models/"
cp "$src"/models/ggml-vocab-{llama-bpe,llama-spm,qwen2,gemma-4,gpt-2,phi-3,bert-bge,deepseek-llm}.gguf "$staging/vocab/"
tar -C "$staging" -cJf "$dev/data.tar.xz" models vocab
tar -C "$staging/minilm" -cJf "$suite/minilm.tar.xz" models
rm -rf "$staging" "$dev/models" "$dev/vocab" "$dev/lib"

# The slim class path: Strata's jars from target/ and the run-time libraries of the engine and the
# command line, copied by Maven from the reactor's own dependency lists.
app="$dev/app"
rm -rf "$app" && mkdir -p "$app"
mvn -B -q ${MAVEN_ARGS:-} -pl http -am dependency:copy-dependencies -DincludeScope=runtime \
  -DincludeArtifactIds=picocli,jackson-core,jackson-databind,jackson-annotations,jcuda,jcuda-natives \
  -DoutputDirectory="$PWD/$app"
for jar in native/target/strata-native-*.jar memory-manager/target/strata-memory-*.jar \
    runtime/target/strata-runtime-*.jar http/target/strata-http-*.jar models-test/target/strata-models-test-*.jar; do
  case "$jar" in *-sources.jar|*-javadoc.jar|*-tests.jar) continue ;; esac
  cp "$jar" "$app/"
done
# The device builds its own libstrata, and JCuda's driver API needs only libJCudaDriver: leave the rest out.
python3 - "$app" <<'PY'
import sys, os, zipfile, glob
app = sys.argv[1]
def keep_only(jar, keep):
    tmp = jar + ".tmp"
    with zipfile.ZipFile(jar) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if keep(item.filename):
                dst.writestr(item, src.read(item.filename))
    os.replace(tmp, jar)
for jar in glob.glob(os.path.join(app, "strata-native-*.jar")):
    keep_only(jar, lambda n: not n.startswith("META-INF/native/"))
for jar in glob.glob(os.path.join(app, "jcuda-natives-*.jar")):
    keep_only(jar, lambda n: not n.startswith("lib/") or "JCudaDriver" in n)
PY

mvn -B -q ${MAVEN_ARGS:-} dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.11.4 -DoutputDirectory="$suite/lib"
mvn -B -q ${MAVEN_ARGS:-} dependency:copy -Dartifact=org.assertj:assertj-core:3.26.3 -DoutputDirectory="$suite/lib"

du -sh "$dev"/* "$suite"/* | sort -h
tree_bytes=$(git ls-files -co --exclude-standard -z | xargs -0 du -cb 2>/dev/null | tail -n 1 | cut -f1)
proof=$(( tree_bytes + $(du -sb "$dev" | cut -f1) ))
whole=$(( proof + $(du -sb "$suite" models-test/target/classes models-test/target/test-classes | awk '{s+=$1} END {print s}') ))
printf 'carried, with the tree: proof/bench [".device"] %d MiB; suite [".device", ".device-suite", classes, test-classes] %d MiB (limit 64)\n' \
  $(( proof >> 20 )) $(( whole >> 20 ))
(( whole < 64 << 20 )) || echo "WARNING: the suite's carry is over 64 MiB" >&2
