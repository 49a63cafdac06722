#!/usr/bin/env bash
# Packs what the GPU machine needs into .device/ (ignored by git, carried to the device):
# a Java runtime (the device has none), the llama.cpp source, JNI headers, the test models, the
# runnable jar, the models-test classes and the JUnit console launcher. Run from the repo root:
#
#   models-test/gpu/prepare.sh
#
# then, on the device, with carry [".device", "http/target/strata.jar", "models-test/target/classes",
# "models-test/target/test-classes"]:
#
#   bash models-test/gpu/run-gpu.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
dev=.device
mkdir -p "$dev/lib"

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
[[ -f "$src/include/llama.h" ]] || { echo "no cached llama.cpp source at $src: run mvn install first" >&2; exit 1; }
excludes=()
for d in "$src"/ggml/src/ggml-*/; do
  case "$(basename "$d")" in ggml-cpu|ggml-cuda) ;; *) excludes+=("--exclude=./ggml/src/$(basename "$d")") ;; esac
done
tar -C "$src" -cJf "$dev/llama-src.tar.xz" "${excludes[@]}" --exclude='*.md' \
  --exclude=./tools/server --exclude=./tools/ui \
  ./CMakeLists.txt ./cmake ./ggml ./src ./include ./common ./vendor ./tools ./LICENSE ./.strata-source

# Models, and the tokenizers the zoo borrows (Llama 3's for the seed case), compressed: the carried tree
# must stay under the device tool's 64 MiB.
staging="$(mktemp -d)"
mkdir -p "$staging/models" "$staging/vocab"
cp ../shared/models/*.gguf ../shared/models/README.md "$staging/models/"
cp "$src"/models/ggml-vocab-{llama-bpe,llama-spm,qwen2,gemma-4,gpt-2,phi-3,bert-bge,deepseek-llm}.gguf "$staging/vocab/"
tar -C "$staging" -cJf "$dev/data.tar.xz" models vocab
rm -rf "$staging" "$dev/models" "$dev/vocab"
mvn -B -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.11.4 -DoutputDirectory="$dev/lib"
mvn -B -q dependency:copy -Dartifact=org.assertj:assertj-core:3.26.3 -DoutputDirectory="$dev/lib"
du -sh "$dev"/* | sort -h
