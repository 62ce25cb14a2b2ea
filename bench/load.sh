#!/usr/bin/env bash
# Load benchmark of the public Säffle page: a release build on a fresh SQLite (or the given
# DATABASE_URL) database, wrk on loopback only, bounded in time. Prints requests/s and latency
# percentiles.  Usage: bench/load.sh [seconds] [connections]
# Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
conns=${2:-64}
port=${BENCH_PORT:-18080}
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
cargo build --release --locked -q
url=${DATABASE_URL:-"sqlite://$work/bench.db"}
RUST_LOG=warn DATABASE_URL="$url" ./target/release/lofte --addr "127.0.0.1:$port" &
server=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
for path in /kommun/saffle /api/v1/promises/01935f3a-8c00-7000-8000-000000001785; do
  echo "== GET $path (${secs}s, $conns connections, 2 threads)"
  wrk -t2 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$port$path" | grep -E 'Requests/sec|Latency|50%|90%|99%|Non-2xx|Socket errors'
  echo "server RSS: $(ps -o rss= -p "$server" | awk '{printf "%.1f MiB", $1/1024}')"
done
