#!/usr/bin/env bash
# Interestingness test for wasm-reduce: prints the first differing line pair of the two
# transcripts (wasmpp vs V8) of MODULE, or "same". wasm-reduce keeps a reduction while this
# output stays what it was for the original module:
#   RUNNER=build/tests/differential/diff_runner \
#   wasm-reduce mismatch.wasm --command="bash tests/differential/interesting.sh t.wasm" \
#     -t t.wasm -w w.wasm --mvp-features --enable-sign-ext --enable-nontrapping-float-to-int \
#     --enable-bulk-memory --enable-multivalue --enable-mutable-globals
# (add --enable-simd for a SIMD seed, and reduce the module the driver kept: it is already
# rewritten, see README.md.)
# With MATCH=REGEX it prints only whether a differing wasmpp line matches REGEX (a looser test
# that lets the reducer change values).
here=$(dirname "$0")
module=$1
a=$(timeout 10 "${RUNNER:?set RUNNER to diff_runner}" "$module" 2>/dev/null | grep -v '^#')
b=$(timeout 10 node --stack-size=900 "$here/run_v8.mjs" "$module" 2>/dev/null | grep -v '^#')
python3 - "$a" "$b" <<'PY'
import os, re, sys
a, b = sys.argv[1].splitlines(), sys.argv[2].splitlines()
m = os.environ.get("MATCH")
for x, y in zip(a, b):
    if (x, y) == ("trap overflow", "trap conversion"):
        continue
    if x.startswith("exhausted") or y.startswith("exhausted"):
        break
    if x != y:
        if m:
            print("interesting" if re.search(m, x) else "other")
        else:
            print(x.split(" ")[0], "|", x, "|", y)
        sys.exit(0)
print("same")
PY
