#!/bin/sh
# The benchmark behind `make bench` (never run by the tests): whole-process
# render time, merge throughput, bytes per letter and peak memory, printed
# and written to build/bench/results.txt (untracked: the README's table is
# the record).  Needs hyperfine and GNU time.
set -eu
LP=${LETTERPRESS:-./letterpress}
OUT=${BENCH_RESULTS:-build/bench/results.txt}
mkdir -p "$(dirname "$OUT")"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT INT TERM
TPL=templates/commitment-letter.md
export SOURCE_DATE_EPOCH=1700000000

python3 tests/bench/gen_data.py 100 >"$WORK/r100.csv"
python3 tests/bench/gen_data.py 1000 >"$WORK/r1000.csv"
python3 tests/bench/gen_data.py 10000 >"$WORK/r10000.csv"

# The median of hyperfine's runs, in seconds.
median() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$1"; }

hyperfine -N --warmup 3 --runs 30 --export-json "$WORK/render.json" \
  "$LP render $TPL -d templates/commitment-letter.json -o $WORK/demo.pdf" >/dev/null
render_ms=$(python3 -c "print('%.1f' % ($(median "$WORK/render.json") * 1000))")
demo_bytes=$(wc -c <"$WORK/demo.pdf")

rate() { # JOBS -> letters per second for the 1000-record merge (median of 3)
  hyperfine -N --runs 3 --prepare "rm -rf $WORK/m$1" --export-json "$WORK/m$1.json" \
    "$LP merge $TPL -d $WORK/r1000.csv -o $WORK/m$1/{{customer.id}}.pdf -j $1" >/dev/null
  python3 -c "print('%.0f' % (1000 / $(median "$WORK/m$1.json")))"
}
rate1=$(rate 1)
rate2=$(rate 2)
bytes=$(du -sb "$WORK/m2" | cut -f1)
per_letter=$(( bytes / 1000 ))

size() { # TEMPLATE -> "PAGES BYTES": pages of a letter, bytes per letter of
  # a 100-record merge of it (the targets' one- and two-page letters)
  rm -rf "$WORK/s"
  "$LP" merge "$1" -d "$WORK/r100.csv" -o "$WORK/s/{{customer.id}}.pdf" -j 2 2>/dev/null
  pages=$(pdfinfo "$WORK/s/C-000001.pdf" | sed -n 's/^Pages: *//p')
  echo "$pages $(( $(du -sb "$WORK/s" | cut -f1) / 100 ))"
}
one=$(size tests/bench/notice.md)
two=$(size tests/bench/letter.md)

peak() { # RECORDS -> peak resident memory (KB) of a -j 2 merge, median of 3
  for i in 1 2 3; do
    rm -rf "$WORK/p$1"
    /usr/bin/time -f %M -o "$WORK/p$1.time" \
      "$LP" merge $TPL -d "$WORK/r$1.csv" -o "$WORK/p$1/{{customer.id}}.pdf" -j 2 2>/dev/null
    cat "$WORK/p$1.time"
  done | sort -n | sed -n 2p
}
mem100=$(peak 100)
mem10000=$(peak 10000)

# A batch split as a cluster would run it: CLUSTER_RECORDS (100 000) records
# of tests/bench/short.md (a short letter, so that this stays about a
# minute) in 4 shards run one after the other, each with its manifest; then
# what a shard costs beyond its letters: reading the data and naming every
# record, measured by running shard 1 again when its letters are all there.
CLUSTER_RECORDS=${CLUSTER_RECORDS:-100000}
python3 tests/bench/gen_data.py "$CLUSTER_RECORDS" >"$WORK/big.csv"
start=$(date +%s.%N)
for k in 1 2 3 4; do
  "$LP" merge tests/bench/short.md -d "$WORK/big.csv" -o "$WORK/c/{{customer.region}}/{{customer.id}}.pdf" \
    --shard $k/4 --manifest "$WORK/shard-$k.jsonl" 2>/dev/null
done
cluster_s=$(python3 -c "import time; print('%.1f' % ($(date +%s.%N) - $start))")
cluster_rate=$(python3 -c "print('%.0f' % ($CLUSTER_RECORDS / $cluster_s))")
"$LP" manifest-check "$WORK"/shard-*.jsonl >/dev/null
hyperfine -N --runs 5 --export-json "$WORK/resume.json" \
  "$LP merge tests/bench/short.md -d $WORK/big.csv -o $WORK/c/{{customer.region}}/{{customer.id}}.pdf --shard 1/4 --skip-existing" >/dev/null
read_ms=$(python3 -c "print('%.0f' % ($(median "$WORK/resume.json") * 1000))")

{
  echo "letterpress $($LP --version | cut -d' ' -f2) benchmark, $(date -u +%Y-%m-%d)"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "demo letter ($TPL, 2 letters, 4 pages), whole process, median of 30: $render_ms ms ($demo_bytes bytes)"
  echo "merge, 1000 records from CSV, -j 1: $rate1 letters/s"
  echo "merge, 1000 records from CSV, -j 2: $rate2 letters/s"
  echo "bytes per letter (merge): $per_letter"
  echo "bytes per letter, merge of tests/bench/notice.md ($(echo $one | cut -d' ' -f1) page): $(echo $one | cut -d' ' -f2)"
  echo "bytes per letter, merge of tests/bench/letter.md ($(echo $two | cut -d' ' -f1) pages): $(echo $two | cut -d' ' -f2)"
  echo "peak memory (median of 3), -j 2 merge of 100 records: $mem100 KB; of 10000 records: $mem10000 KB"
  echo "merge of $CLUSTER_RECORDS records (tests/bench/short.md) in 4 shards with manifests, one after the other: $cluster_s s, $cluster_rate letters/s; manifest-check: complete"
  echo "a shard's cost beyond its letters (shard 1/4 again, every letter there: reading $CLUSTER_RECORDS records, naming them, checking its files), median of 5: $read_ms ms"
} | tee "$OUT"

# Signed merges (B-B, and B-T with a local TSA).
BENCH_RESULTS="$OUT" tests/bench/bench_sign.sh
