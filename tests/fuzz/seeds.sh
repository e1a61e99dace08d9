#!/bin/sh
# Builds the seed corpora of the fuzz targets in DIR (one folder a target)
# from the templates, cases and data of the repository.
set -eu
dir=$1
rm -rf "$dir"
mkdir -p "$dir/fuzz_template" "$dir/fuzz_fill" "$dir/fuzz_render" \
         "$dir/fuzz_data" "$dir/fuzz_sign"
for f in templates/*.md tests/cases/*.md; do
  n=$(basename "$f")
  cp "$f" "$dir/fuzz_template/$n"
  cp "$f" "$dir/fuzz_render/$n"
  # fill: the template, a NUL, then its data when there is some
  j=${f%.md}.json
  if [ -f "$j" ]; then { cat "$f"; printf '\0'; cat "$j"; } >"$dir/fuzz_fill/$n"
  else cp "$f" "$dir/fuzz_fill/$n"; fi
done
for f in templates/*.json templates/*.csv templates/*.jsonl \
         tests/cases/*.json tests/cases/*.csv tests/cases/*.jsonl; do
  [ -f "$f" ] && cp "$f" "$dir/fuzz_data/$(basename "$f")"
done
# data as spreadsheets save it: encodings, delimiters, booleans, numbers
python3 tests/fuzz/data_seeds.py "$dir/fuzz_data"
# sign: PDFs with signature fields, one signed already
lp=./letterpress
[ -x "$lp" ] || lp=build/asan/letterpress
for f in templates/*.md; do
  n=$(basename "$f" .md)
  j=templates/$n.json
  if [ -f "$j" ]; then "$lp" render "$f" -d "$j" -o "$dir/fuzz_sign/$n.pdf"; fi
done
"$lp" sign "$dir/fuzz_sign/commitment-letter.pdf" -o "$dir/fuzz_sign/signed.pdf" \
  --key tests/fuzz/key.pem --cert tests/fuzz/cert.pem
qpdf --object-streams=generate "$dir/fuzz_sign/signed.pdf" "$dir/fuzz_sign/streams.pdf"
echo "seed corpora in $dir"
