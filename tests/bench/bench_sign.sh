#!/bin/sh
# The signed-merge part of `make bench` (run by bench.sh; runs alone too):
# a 1 000-letter merge of the demo template with --sign-key, -j 2, without
# and with a local time-stamping authority (tests/bench/tsa_server.py:
# `openssl ts -reply` per request, one at a time).  Prints letters per
# second (medians of 3) and appends them to BENCH_RESULTS.
set -eu
LP=${LETTERPRESS:-./letterpress}
OUT=${BENCH_RESULTS:-build/bench/results.txt}
mkdir -p "$(dirname "$OUT")"
WORK=$(mktemp -d)
TSA_PID=
trap '[ -n "$TSA_PID" ] && kill "$TSA_PID"; rm -rf "$WORK"' EXIT INT TERM
TPL=templates/commitment-letter.md
export SOURCE_DATE_EPOCH=1700000000
python3 tests/bench/gen_data.py 1000 >"$WORK/r1000.csv"

python3 tests/bench/tsa_server.py "$WORK" >"$WORK/tsa.txt" &
TSA_PID=$!
for _ in $(seq 100); do [ -s "$WORK/tsa.txt" ] && break; sleep 0.1; done
read -r URL KEY CERT <"$WORK/tsa.txt"

median() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$1"; }

signed() { # NAME EXTRA-OPTIONS -> letters per second (median of 3)
  hyperfine -N --runs 3 --prepare "rm -rf $WORK/$1" --export-json "$WORK/$1.json" \
    "$LP merge $TPL -d $WORK/r1000.csv -o $WORK/$1/{{customer.id}}.pdf -j 2 --sign-key $KEY --sign-cert $CERT $2" >/dev/null
  python3 -c "print('%.0f' % (1000 / $(median "$WORK/$1.json")))"
}
plain=$(signed plain "")
unsigned_rate=$(hyperfine -N --runs 3 --prepare "rm -rf $WORK/u" --export-json "$WORK/u.json" \
  "$LP merge $TPL -d $WORK/r1000.csv -o $WORK/u/{{customer.id}}.pdf -j 2" >/dev/null &&
  python3 -c "print('%.0f' % (1000 / $(median "$WORK/u.json")))")
stamped=$(signed stamped "--tsa $URL")
{
  echo "merge, 1000 records, -j 2, unsigned (same hour): $unsigned_rate letters/s"
  echo "merge, 1000 records, -j 2, --sign-key (PAdES B-B): $plain letters/s"
  echo "merge, 1000 records, -j 2, --sign-key --tsa (B-T, local openssl TSA): $stamped letters/s"
} | tee -a "$OUT"
