#!/usr/bin/env bash
# Exceptions thrown through frames that clean up on the way out (unwind_*.wat), checked against
# values worked out by hand from the programs' rules (see unwind_legacy.wat), not against a run.
#   unwind_test.sh WASMPP WORKDIR
# The legacy module is assembled by wabt's wat2wasm; wabt 1.0.32 has no try_table, so the
# exnref module goes through wasmpp's own text parser.
set -u
wasmpp=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" || exit 1
wat2wasm --enable-exceptions "$here/unwind_legacy.wat" -o "$work/unwind_legacy.wasm" || exit 1

# run's arguments (depth fail_at catch_at kind) => payload, live resources, cleanups, log.
cases=(
  "3 0 0 0 => -1 0 0 123876"               # nothing thrown: acquire 1 2 3, release 3 2 1
  "4 2 0 0 => 20 0 2 12076"                # frame 2 throws: frames 2 and 1 clean up
  "4 4 2 1 => -1 0 2 1234098576"           # $other from 4, cleanups 4 3, frame 2 catches (5)
  "4 4 2 0 => 40 0 4 123409876"            # $err passes frame 2's catch $other: all clean up
  "4 1 1 1 => 1000010 0 1 106"             # frame 1 throws before its own catch can apply
  "2000 2000 0 0 => 20000 0 2000 123409876"  # deep: 2000 cleanups, frames above 4 do not log
  "2000 2000 3 1 => -1 0 1997 1234095876"  # deep, caught in frame 3 after 1997 cleanups
)
failures=0
for module in "$work/unwind_legacy.wasm" "$here/unwind_exnref.wat"; do
  for c in "${cases[@]}"; do
    read -r -a args <<< "${c%% =>*}"
    want=${c#*=> }
    got=$("$wasmpp" run --enable-exceptions --invoke run "$module" "${args[@]}" 2>&1 | tr '\n' ' ')
    if [ "${got% }" = "$want" ]; then
      echo "ok: $(basename "$module") run ${args[*]} => $want"
    else
      echo "FAILED: $(basename "$module") run ${args[*]}: got '${got% }', want '$want'"
      failures=$((failures + 1))
    fi
  done
done
echo "$failures failures"
[ "$failures" = 0 ]
