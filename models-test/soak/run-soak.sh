#!/usr/bin/env bash
# Soak run (a benchmark, not a CI test): starts the real server on stories260K, stories260K-moe4x2 and
# all-MiniLM, runs dev.strata.models.soak.Soak against it (mixed concurrent chat, completion streamed and
# whole, embeddings, and load/unload through /admin/models where the server has it) and writes a markdown
# report. Exits 1 when a request failed or heap, RSS, threads or open files grew after warm-up.
#
#   models-test/soak/run-soak.sh                          # 20 minutes
#   models-test/soak/run-soak.sh --duration 120 --sample 5 --warmup 30
#
# Options (all passed on to Soak): --duration S (1200), --sample S (10), --warmup S (duration/5),
# --clients N (6). Environment: STRATA_MODELS (the shared models, default ../shared/models beside the
# repository), SOAK_OUT (report and server log, default target/soak under models-test), SOAK_HEAP (-Xmx of
# the server, default 512m), STRATA_API_KEY (the server requires it, as serve reads it, and Soak sends it).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
models_src="${STRATA_MODELS:-$root/../shared/models}"
out="${SOAK_OUT:-$root/models-test/target/soak}"
mkdir -p "$out"

if [[ ! -f http/target/strata.jar || ! -d models-test/target/classes/dev/strata/models/soak ]]; then
    mvn -B -o -q package -pl models-test -am -DskipTests
fi

models="$(mktemp -d /tmp/strata-soak-models.XXXXXX)"
for m in stories260K stories260K-moe4x2 all-MiniLM-L6-v2-Q8_0; do
    cp "$models_src/$m.gguf" "$models/"
done

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# serve reads STRATA_API_KEY from the environment it inherits; Soak sends the same key
serve_args=(serve --models-dir "$models" --port "$port" --sequences 4)
# Native Memory Tracking lets the report split RSS growth into the JVM's own and native memory outside it
java "-Xmx${SOAK_HEAP:-512m}" -XX:NativeMemoryTracking=summary -jar http/target/strata.jar "${serve_args[@]}" > "$out/server.log" 2>&1 &
server=$!
cleanup() {
    local rc=$?
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true   # 143 (stopped by our TERM) is not the soak's result
    rm -rf "$models"
    exit "$rc"
}
trap cleanup EXIT

for _ in $(seq 120); do
    if curl -fsS "http://127.0.0.1:$port/health" > /dev/null 2>&1; then break; fi
    kill -0 "$server" 2>/dev/null || { echo "the server exited; see $out/server.log"; tail -20 "$out/server.log"; exit 1; }
    sleep 0.5
done

report="$out/soak-report-$(date -u +%Y%m%dT%H%M%SZ).md"
status=0
java -cp "models-test/target/classes:http/target/strata.jar" dev.strata.models.soak.Soak \
    --url "http://127.0.0.1:$port" --pid "$server" --report "$report" "$@" || status=$?
echo "report: $report (server log: $out/server.log)"
exit $status
