#!/usr/bin/env bash
# Builds libstrata (llama.cpp v0.5.0 + Strata's JNI bridge) per variant (cpu always, cuda when asked
# for or when a CUDA toolkit and a GPU are present) and copies it to an output directory. Maven's native module calls this; it can also be run by hand:
#
#   native/build-native.sh --output=DIR                     # cpu; cuda too when a toolkit and a GPU are present
#   native/build-native.sh --output=DIR --cuda=on --cuda-architectures=90-real
#   native/build-native.sh --output=DIR --tools-output=TOOLS   # also llama-bench, llama-batched-bench
#   native/build-native.sh --output=DIR --cuda=on --cpu=off     # cuda only (the GPU proof: saves a build)
#
# --tools-output builds llama.cpp's llama-bench and llama-batched-bench from the same build tree as
# the library (same objects, same flags: no second compile of llama.cpp) into TOOLS/<variant>/; the
# benchmarks in models-test/bench compare against them.
# Libraries land in DIR/<os>-<arch>/<variant>/libstrata.so with a strata-native.properties beside.
#
# llama.cpp's source comes from, in this order:
#   1. a directory the user names: --source=DIR, or STRATA_LLAMA_SOURCE=DIR
#   2. an unpacked copy cached outside the repository: $STRATA_CACHE_DIR/src/llama.cpp-v0.5.0
#   3. the upstream git tag v0.5.0 (github.com/ggml-org/llama.cpp)
#   4. the npm package node-llama-cpp@3.22.1, whose llama/gitRelease.bundle is the same release
# Built libraries are cached under $STRATA_CACHE_DIR/lib, keyed by llama.cpp version, variant,
# a hash of the bridge sources and the flags; the llama.cpp build tree is kept per variant and
# flags, so a changed bridge recompiles only the bridge.
set -euo pipefail

readonly LLAMA_TAG="v0.5.0"
readonly LLAMA_VERSION="0.5.0"
readonly NPM_PACKAGE="node-llama-cpp@3.22.1"
# Commit id of the release inside node-llama-cpp@3.22.1's llama/gitRelease.bundle.
readonly BUNDLE_COMMIT="de3ff815ea7d559ee917f063901b8986f038abc6"
readonly UPSTREAM_REPO="https://github.com/ggml-org/llama.cpp"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cuda="${STRATA_CUDA:-auto}"
output=""
source_dir="${STRATA_LLAMA_SOURCE:-}"
cuda_arch="${STRATA_CUDA_ARCHITECTURES:-}"
cache_dir="${STRATA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/strata}"
java_home="${JAVA_HOME:-}"
record=""   # optional properties file: where the llama.cpp source (and its models/ vocab files) is, and the build trees
tools_output=""   # optional: llama-bench and llama-batched-bench go to DIR/<variant>/
cpu="on"          # off: skip the cpu variant (a GPU machine that only runs the cuda one)

# Options take the form --name=VALUE; an empty VALUE keeps the default (Maven passes unset
# properties as empty strings).
for arg in "$@"; do
  value="${arg#*=}"
  case "$arg" in
    --output=*) output="$value" ;;
    --source=*) [[ -n "$value" ]] && source_dir="$value" ;;
    --cuda=*) [[ -n "$value" ]] && cuda="$value" ;;
    --cpu=*) [[ -n "$value" ]] && cpu="$value" ;;
    --cuda-architectures=*) [[ -n "$value" ]] && cuda_arch="$value" ;;
    --cache-dir=*) [[ -n "$value" ]] && cache_dir="$value" ;;
    --java-home=*) [[ -n "$value" ]] && java_home="$value" ;;
    --record=*) [[ -n "$value" ]] && record="$value" ;;
    --tools-output=*) [[ -n "$value" ]] && tools_output="$value" ;;
    *) echo "build-native: unknown argument $arg (options are --name=VALUE)" >&2; exit 2 ;;
  esac
done

log() { echo "[strata-native] $*" >&2; }
die() { echo "[strata-native] ERROR: $*" >&2; exit 1; }

[[ -n "$output" ]] || die "--output=DIR is required"
if [[ -z "$java_home" ]]; then
  java_home="$(dirname "$(dirname "$(readlink -f "$(command -v javac || command -v java)")")")"
fi
[[ -f "$java_home/include/jni.h" ]] || die "no jni.h under $java_home/include: set JAVA_HOME to a JDK"
command -v cmake >/dev/null || die "cmake is not installed (needed to build llama.cpp)"
command -v c++ >/dev/null || command -v g++ >/dev/null || die "no C++ compiler (g++ or c++) on PATH"

is_release_tree() { # the tree's CMakeLists.txt declares version 0.5.0
  local d="$1"
  [[ -f "$d/include/llama.h" && -f "$d/CMakeLists.txt" ]] || return 1
  grep -q 'set(LLAMA_VERSION_MAJOR 0)' "$d/CMakeLists.txt" &&
    grep -q 'set(LLAMA_VERSION_MINOR 5)' "$d/CMakeLists.txt" &&
    grep -q 'set(LLAMA_VERSION_PATCH 0)' "$d/CMakeLists.txt"
}

cached_src="$cache_dir/src/llama.cpp-$LLAMA_TAG"
attempts=()

install_into_cache() { # $1: checked-out tree, $2: origin description
  local tree="$1" origin="$2" staging="$cache_dir/src/.staging-$$"
  rm -rf "$staging"; mkdir -p "$staging"
  # Everything but git metadata; models/ holds the vocab-only GGUFs the test tooling uses.
  (cd "$tree" && tar --exclude=.git -cf - .) | (cd "$staging" && tar -xf -)
  echo "origin=$origin" > "$staging/.strata-source"
  # Another build may have installed it meanwhile; the first complete copy wins.
  if ! mv -T "$staging" "$cached_src" 2>/dev/null; then rm -rf "$staging"; fi
}

resolve_source() {
  if [[ -n "$source_dir" ]]; then
    is_release_tree "$source_dir" && { log "source: $source_dir (named by the user)"; return 0; }
    die "the llama.cpp source named by --source=/STRATA_LLAMA_SOURCE ($source_dir) is not llama.cpp $LLAMA_VERSION"
  fi
  attempts+=("1. a directory you name: STRATA_LLAMA_SOURCE=DIR or -Dstrata.llama.source=DIR (none named)")

  if [[ -f "$cached_src/.strata-source" ]] && is_release_tree "$cached_src"; then
    log "source: $cached_src (cached, $(cat "$cached_src/.strata-source"))"; source_dir="$cached_src"; return 0
  fi
  attempts+=("2. the cached copy $cached_src (absent)")

  local tmp; tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' RETURN
  if command -v git >/dev/null && GIT_TERMINAL_PROMPT=0 timeout 300 git -c advice.detachedHead=false \
      clone --quiet --depth 1 --branch "$LLAMA_TAG" "$UPSTREAM_REPO" "$tmp/git" 2>"$tmp/git.err" &&
      is_release_tree "$tmp/git"; then
    install_into_cache "$tmp/git" "git tag $LLAMA_TAG of $UPSTREAM_REPO, commit $(git -C "$tmp/git" rev-parse HEAD)"
    log "source: upstream tag $LLAMA_TAG"; source_dir="$cached_src"; return 0
  fi
  attempts+=("3. git clone --branch $LLAMA_TAG $UPSTREAM_REPO ($(tail -n 1 "$tmp/git.err" 2>/dev/null || echo 'git not installed'))")

  if command -v npm >/dev/null && (cd "$tmp" && npm pack --silent "$NPM_PACKAGE" >"$tmp/npm.out" 2>"$tmp/npm.err"); then
    local tgz="$tmp/$(tail -n 1 "$tmp/npm.out")"
    tar -xzf "$tgz" -C "$tmp" package/llama/gitRelease.bundle package/llama/binariesGithubRelease.json
    grep -q "\"$LLAMA_TAG\"" "$tmp/package/llama/binariesGithubRelease.json" ||
      die "$NPM_PACKAGE does not declare release $LLAMA_TAG"
    local head; head="$(git bundle list-heads "$tmp/package/llama/gitRelease.bundle" | awk '$2=="HEAD"{print $1}')"
    [[ "$head" == "$BUNDLE_COMMIT" ]] || die "$NPM_PACKAGE bundle HEAD is '$head', expected $BUNDLE_COMMIT"
    git -c advice.detachedHead=false clone --quiet "$tmp/package/llama/gitRelease.bundle" "$tmp/bundle"
    [[ "$(git -C "$tmp/bundle" rev-parse HEAD)" == "$BUNDLE_COMMIT" ]] || die "checked-out bundle is not $BUNDLE_COMMIT"
    is_release_tree "$tmp/bundle" || die "bundle commit $BUNDLE_COMMIT is not llama.cpp $LLAMA_VERSION"
    install_into_cache "$tmp/bundle" "npm $NPM_PACKAGE llama/gitRelease.bundle, commit $BUNDLE_COMMIT"
    log "source: $NPM_PACKAGE (bundle commit $BUNDLE_COMMIT verified)"; source_dir="$cached_src"; return 0
  fi
  attempts+=("4. npm pack $NPM_PACKAGE ($(tail -n 1 "$tmp/npm.err" 2>/dev/null || echo 'npm not installed'))")

  { echo "could not obtain llama.cpp $LLAMA_TAG source. Tried, in order:"; printf '    %s\n' "${attempts[@]}"
    echo "  Name a source tree with STRATA_LLAMA_SOURCE=DIR, or allow network access to GitHub or the npm registry."; } >&2
  exit 1
}

resolve_source
if [[ -n "$record" ]]; then
  mkdir -p "$(dirname "$record")"
  printf 'source.dir=%s\nmodels.dir=%s/models\n' "$source_dir" "$source_dir" > "$record"
fi

build_variant() { # $1: cpu or cuda, $2: output directory
  local variant="$1" out="$2"
  local flags=(-DCMAKE_BUILD_TYPE=Release "-DSTRATA_VARIANT=$variant")
  if [[ "$variant" == cuda ]]; then
    command -v nvcc >/dev/null || export PATH="/usr/local/cuda/bin:$PATH"
    command -v nvcc >/dev/null || die "variant cuda needs the CUDA toolkit (nvcc)"
    flags+=("-DCMAKE_CUDA_ARCHITECTURES=${cuda_arch:-native}")
  fi
  local flags_hash bridge_hash lib_dir build_dir
  # The source tree's location is part of the key: CMake ties a build tree to its source paths.
  flags_hash="$(printf '%s\n' "${flags[@]}" "$(c++ --version | head -n 1)" "$source_dir" | sha)"
  bridge_hash="$(cat "$here/CMakeLists.txt" "$here/strata.map" "$here"/src/main/cpp/* | sha)"
  lib_dir="$cache_dir/lib/llama.cpp-$LLAMA_VERSION/$variant/$bridge_hash-$flags_hash"
  build_dir="$cache_dir/build/llama.cpp-$LLAMA_VERSION-$variant-$flags_hash"

  if [[ -n "$record" ]]; then echo "build.dir.$variant=$build_dir" >> "$record"; fi
  if [[ ! -f "$lib_dir/libstrata.so" || -n "$tools_output" ]]; then
    log "building variant $variant in $build_dir (llama.cpp objects are reused across bridge changes)"
    local generator=(); command -v ninja >/dev/null && generator=(-G Ninja)
    if [[ -f "$build_dir/CMakeCache.txt" ]] &&
        ! grep -q "^CMAKE_GENERATOR:INTERNAL=${generator[1]:-Unix Makefiles}$" "$build_dir/CMakeCache.txt"; then
      rm -rf "$build_dir"
    fi
    mkdir -p "$build_dir"
    # Two builds of the same variant (parallel worktrees, two Maven runs) share this build tree:
    # take turns, or they compile over each other's objects.
    exec 9>"$build_dir.lock"
    command -v flock >/dev/null && flock 9
    # CMake also ties a build tree to the bridge's own source directory, and every CI run is a new
    # clone somewhere else: build from a stable copy beside the build tree instead.
    local bridge_src="$build_dir.src"
    sync_bridge_sources "$bridge_src"
    cmake -S "$bridge_src" -B "$build_dir" "${generator[@]}" "${flags[@]}" \
      "-DLLAMA_SOURCE_DIR=$source_dir" "-DSTRATA_JNI_INCLUDE=$java_home/include" >"$build_dir/configure.log" 2>&1 ||
      { cat "$build_dir/configure.log" >&2; die "cmake configure failed"; }
    cmake --build "$build_dir" --target strata --parallel "$(nproc)" >"$build_dir/build.log" 2>&1 ||
      { tail -n 60 "$build_dir/build.log" >&2; die "native build of $variant failed (full log: $build_dir/build.log)"; }
    if [[ ! -f "$lib_dir/libstrata.so" ]]; then
      mkdir -p "$lib_dir.tmp-$$"
      cp "$build_dir/libstrata.so" "$lib_dir.tmp-$$/"
      mv -T "$lib_dir.tmp-$$" "$lib_dir" 2>/dev/null || rm -rf "$lib_dir.tmp-$$"
    fi
    if [[ -n "$tools_output" ]]; then
      # Same tree, same objects: only the tools' own sources and llama-common's are compiled.
      log "building llama-bench and llama-batched-bench ($variant) in $build_dir"
      cmake --build "$build_dir" --target llama-bench llama-batched-bench --parallel "$(nproc)" \
        >"$build_dir/build-tools.log" 2>&1 ||
        { tail -n 60 "$build_dir/build-tools.log" >&2; die "building llama.cpp's bench tools ($variant) failed (full log: $build_dir/build-tools.log)"; }
      mkdir -p "$tools_output/$variant"
      cp "$build_dir/bin/llama-bench" "$build_dir/bin/llama-batched-bench" "$tools_output/$variant/"
      log "variant $variant tools -> $tools_output/$variant/"
    fi
    exec 9>&-
  else
    log "cached: $lib_dir/libstrata.so"
  fi

  mkdir -p "$out"
  cp "$lib_dir/libstrata.so" "$out/libstrata.so"
  {
    echo "variant=$variant"
    echo "llama.version=$LLAMA_VERSION"
    echo "build.key=$bridge_hash-$flags_hash"
    [[ "$variant" == cuda ]] && echo "cuda.architectures=${cuda_arch:-native}"
    echo "source=$(sed -n 's/^origin=//p' "$source_dir/.strata-source" 2>/dev/null || echo "$source_dir")"
  } > "$out/strata-native.properties"
  log "variant $variant -> $out/libstrata.so"
}

sha() { sha256sum | cut -c1-16; }

sync_bridge_sources() { # $1: stable copy of CMakeLists.txt, strata.map and src/main/cpp
  local dest="$1" f rel
  mkdir -p "$dest/src/main/cpp"
  # Copy only what changed, so unchanged files keep their timestamps and are not recompiled.
  for f in "$here/CMakeLists.txt" "$here/strata.map" "$here"/src/main/cpp/*; do
    rel="${f#"$here"/}"
    cmp -s "$f" "$dest/$rel" || cp "$f" "$dest/$rel"
  done
  for f in "$dest"/src/main/cpp/*; do
    [[ -e "$here/${f#"$dest"/}" ]] || rm -f "$f"
  done
}

want_cuda() {
  case "$cuda" in
    on) return 0 ;;
    off) return 1 ;;
    auto) # a toolkit and a GPU to build for; a toolkit alone would mean compiling every architecture
      { command -v nvcc >/dev/null || [[ -x /usr/local/cuda/bin/nvcc ]]; } &&
        command -v nvidia-smi >/dev/null && nvidia-smi -L 2>/dev/null | grep -q '^GPU' ;;
    *) die "--cuda= must be auto, on or off, not '$cuda'" ;;
  esac
}

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform="linux-x86_64" ;;
  Linux-aarch64) platform="linux-aarch64" ;;
  *) die "unsupported build platform $(uname -s)-$(uname -m); Strata builds on Linux x86_64 and aarch64" ;;
esac

case "$cpu" in
  on) build_variant cpu "$output/$platform/cpu" ;;
  off) rm -rf "$output/$platform/cpu"; log "variant cpu not built (--cpu=off)" ;;
  *) die "--cpu= must be on or off, not '$cpu'" ;;
esac
if want_cuda; then
  build_variant cuda "$output/$platform/cuda"
else
  rm -rf "$output/$platform/cuda"
  log "variant cuda not built (--cuda=$cuda; build it with -Dstrata.cuda=on or STRATA_CUDA=on)"
fi
