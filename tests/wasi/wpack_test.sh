#!/usr/bin/env bash
# The larger-program test: wpack (tests/wasi/wpack, a deflate/gzip/zlib compressor, digests,
# base64, its own archive format and ustar) is built natively and for wasm32-wasi, then the same
# command script runs both ways, each in its own scratch directory (preopened as "." for wasm).
# Every command's stdout, stderr and exit code, and every file left behind (contents, types,
# link targets, modification times) must be identical. The native outputs are also checked
# against independent tools: gzip, Python's zlib and hashlib, coreutils digests and base64,
# and the system tar, both reading our output and producing input for us.
#   wpack_test.sh WASMPP CLANG HOST_CC SOURCE_DIR WORKDIR
set -u
wasmpp=$1 clang=$2 cc=$3 src=$4 work=$5
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL wpack: $*"; exit 1; }
now() { date +%s%N; }

# One translation unit including every file: two compiler runs instead of sixty keep the test
# quick on a busy machine (the files keep their static names distinct for this).
for f in "$src"/*.c; do echo "#include \"$f\""; done > "$work/wpack_all.c"
"$clang" --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -o "$work/wpack.wasm" "$work/wpack_all.c" \
  || fail "wasm32-wasi compile"
"$cc" -O2 -Wall -Wextra -D_GNU_SOURCE -o "$work/wpack.native" "$work/wpack_all.c" || fail "native compile"

# Inputs made by other tools, identical for both runs: data from the native generator (the
# generators are compared later anyway), streams from gzip/zlib/tar, and damaged files.
prep=$work/prep
mkdir -p "$prep" && (cd "$prep" && "$work/wpack.native" gen data 20261123 3072 > /dev/null) || fail "gen"
have() { command -v "$1" > /dev/null 2>&1; }
python=$(command -v python3 || true)
foreign=$work/foreign
mkdir -p "$foreign"
if have gzip; then
  gzip -9 -n -c "$prep/data/text/words.txt" > "$foreign/sys.gz"
  # Two members, the second with a name: gzip -d concatenates them.
  { gzip -1 -n -c "$prep/data/text/ledger.csv"; gzip -c "$prep/data/bin/runs.bin"; } > "$foreign/multi.gz"
fi
if [ -n "$python" ]; then
  "$python" - "$prep/data" "$foreign" <<'PY' || fail "python inputs"
import io, sys, tarfile, zlib
data, out = sys.argv[1], sys.argv[2]
mixed = open(data + "/deep/a/b/mixed.bin", "rb").read()
open(out + "/py1.zz", "wb").write(zlib.compress(mixed, 1))
open(out + "/py9.zz", "wb").write(zlib.compress(mixed, 9))
c = zlib.compressobj(6, zlib.DEFLATED, -15)
open(out + "/py.raw", "wb").write(c.compress(mixed) + c.flush())
# A ustar archive naming a path outside the destination: must be refused.
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
    info = tarfile.TarInfo("../evil.txt"); info.size = 4
    t.addfile(info, io.BytesIO(b"evil"))
open(out + "/evil.tar", "wb").write(buf.getvalue())
# Raw deflate, fixed codes: a length 3 / distance 1 match before any output.
bits = [1, 1, 0] + [0, 0, 0, 0, 0, 0, 1] + [0] * 5 + [0] * 7
byte = bytearray((len(bits) + 7) // 8)
for i, b in enumerate(bits): byte[i // 8] |= b << (i % 8)
open(out + "/far.raw", "wb").write(bytes(byte))
PY
fi
have tar && (cd "$prep" && tar --format=ustar --sort=name -cf "$foreign/sys.tar" data) 2> /dev/null
printf '\007' > "$foreign/btype3.raw"    # BFINAL=1 with the reserved block type 3
echo "not base64!" > "$foreign/bad.b64"
cp "$prep/data/text/one.txt" "$foreign/plain.txt"

mapfile -t files < <(cd "$prep" && find data -type f | LC_ALL=C sort)

# Flips one byte of FILE at OFFSET (negative: from the end) into COPY.
damage() {
  local size off
  size=$(stat -c %s "$1")
  off=$2
  [ "$off" -lt 0 ] && off=$((size + off))
  cp "$1" "$3"
  printf "$(printf '\\%03o' $(( ($(od -An -tu1 -j "$off" -N1 "$1") ^ 0x55) )))" |
    dd of="$3" bs=1 seek="$off" conv=notrunc status=none
}

# The command script. `w` runs wpack and logs the command, exit code, stdout and stderr.
script() {
  w selftest
  w gen data 20261123 3072
  for algo in sha256 sha512 sha1 md5 crc32 adler32; do w sum "$algo" "${files[@]}"; done
  mkdir -p out
  for f in text/words.txt text/ledger.csv text/empty.txt text/one.txt "text/with space.txt" bin/random.bin \
           bin/runs.bin bin/records.bin bin/sparse.bin deep/a/b/mixed.bin; do
    b=$(basename "$f")
    w gzip -6 "data/$f" "out/$b.gz"
    w gunzip "out/$b.gz" "out/$b"
  done
  w gzip -1 data/text/words.txt out/words1.gz
  w gzip -9 data/text/words.txt out/words9.gz
  w gzip -0 data/bin/records.bin out/records0.gz
  w zlib -9 data/text/ledger.csv out/ledger.zz
  w unzlib out/ledger.zz out/ledger.back
  w zlib -3 data/bin/records.bin out/records.zz
  w deflate -4 data/deep/a/b/mixed.bin out/mixed.raw
  w inflate out/mixed.raw out/mixed.back
  wio data/text/words.txt out/piped.gz gzip -6 - -
  wio out/piped.gz out/piped.txt gunzip - -
  w roundtrip data/bin/runs.bin data/deep/a/b/c/d/leaf.txt data/text/one.txt data/text/empty.txt
  w b64enc data/bin/records.bin out/records.b64
  w b64dec out/records.b64 out/records.back

  w pack data.wpk data
  w list data.wpk
  w verify data.wpk
  w unpack data.wpk unpacked
  w cmp data unpacked
  w pack repack.wpk unpacked
  w pack -0 stored.wpk data
  w verify stored.wpk
  w tar data.tar data
  w tlist data.tar
  w untar data.tar untarred
  w cmp data untarred

  # Streams and archives made by other tools.
  [ -f sys.gz ] && w gunzip sys.gz out/sys.txt
  [ -f multi.gz ] && w gunzip multi.gz out/multi.out
  [ -f py1.zz ] && w unzlib py1.zz out/py1.out && w unzlib py9.zz out/py9.out && w inflate py.raw out/pyraw.out
  [ -f sys.tar ] && w tlist sys.tar && w untar sys.tar systar && w cmp data systar/data

  # Errors: each must end with a one-line message and exit code 2 (1 for failed checks).
  w
  w frobnicate
  w gunzip missing.gz out/x
  w gunzip plain.txt out/x
  damage out/words.txt.gz -5 crc.gz && w gunzip crc.gz out/x
  head -c 1000 out/words.txt.gz > short.gz && w gunzip short.gz out/x
  damage out/ledger.zz -1 adler.zz && w unzlib adler.zz out/x
  damage out/ledger.zz 0 header.zz && w unzlib header.zz out/x
  w inflate btype3.raw out/x
  [ -f far.raw ] && w inflate far.raw out/x
  damage out/mixed.raw 40 flipped.raw && w inflate flipped.raw out/x
  w b64dec bad.b64 out/x
  w sum sha3 data/text/one.txt
  damage stored.wpk 1000 damaged.wpk && w verify damaged.wpk
  damage data.wpk -40 index.wpk && w list index.wpk
  w list plain.txt
  w unpack data.wpk unpacked
  damage data.tar 10 header.tar && w tlist header.tar
  [ -f evil.tar ] && w untar evil.tar evil
  w pack x.wpk no-such-dir
  return 0
}

run_all() {  # run_all NAME RUNNER...
  local name=$1
  shift
  local dir=$work/$name
  mkdir -p "$dir/scratch"
  cp "$foreign"/* "$dir/scratch/"
  : > "$dir/log"
  # Logs stay in bash (no cat or sed per command): forks are most of the cost on a busy machine.
  log_stderr() {
    local line
    while IFS= read -r line || [ -n "$line" ]; do echo "stderr: $line"; done < "$dir/err" >> "$dir/log"
  }
  w() {
    { printf '$ wpack'; [ $# -gt 0 ] && printf ' %q' "$@"; echo; } >> "$dir/log"
    "${runner[@]}" "$@" >> "$dir/log" 2> "$dir/err" < /dev/null
    local rc=$?
    log_stderr
    echo "exit $rc" >> "$dir/log"
  }
  wio() {  # wio STDIN STDOUT ARGS...: data through the standard streams
    local in=$1 out=$2
    shift 2
    { printf '$ wpack'; printf ' %q' "$@"; echo " < $in > $out"; } >> "$dir/log"
    "${runner[@]}" "$@" < "$in" > "$out" 2> "$dir/err"
    local rc=$?
    log_stderr
    echo "exit $rc" >> "$dir/log"
  }
  runner=("$@")
  local start end
  start=$(now)
  (cd "$dir/scratch" && script)
  end=$(now)
  rm -f "$dir/err"
  echo "$(( (end - start) / 1000000 ))"
}

native_s=$(run_all native "$work/wpack.native")
wasm_s=$(run_all wasm "$wasmpp" run --dir .::. "$work/wpack.wasm")
n=$work/native/scratch
m=$work/wasm/scratch

ok=1
diff -u "$work/native/log" "$work/wasm/log" > "$work/log.diff" || { head -60 "$work/log.diff"; echo "logs differ"; ok=0; }
listing() { (cd "$1" && find . -printf '%y %p -> %l\n' | LC_ALL=C sort); }
# Times inside the trees wpack made and restored (not of the files it just wrote).
mtimes() {
  (cd "$1" && find data unpacked untarred systar/data -mindepth 1 ! -type l -printf '%T@ %p\n' 2> /dev/null |
    LC_ALL=C sort -k2)
}
diff -u <(listing "$n") <(listing "$m") || { echo "file trees differ"; ok=0; }
diff -r --no-dereference "$n" "$m" || { echo "file contents differ"; ok=0; }
diff -u <(mtimes "$n") <(mtimes "$m") || { echo "modification times differ"; ok=0; }
[ "$ok" = 1 ] || fail "native and wasm runs differ"

# The log must show what was meant to happen, not merely the same thing twice.
log=$work/native/log
expect() { grep -qF -- "$1" "$log" || fail "log lacks: $1"; }
expect "self test: 0 failures"
expect "data and unpacked: 0 differences"
expect "data and untarred: 0 differences"
expect "data.wpk: 22 entries, 0 bad"
expect "BAD bin/random.bin: CRC-32 mismatch"
expect "stderr: wpack: gzip data CRC mismatch"
expect "stderr: wpack: corrupt deflate stream: unexpected end of data"
expect "stderr: wpack: zlib Adler-32 mismatch"
expect "stderr: wpack: not in zlib format: header check failed"
expect "stderr: wpack: not in gzip format"
expect "stderr: wpack: corrupt deflate stream: reserved block type"
expect "stderr: wpack: cannot open missing.gz: ENOENT"
expect "stderr: wpack: corrupt archive: index checksum mismatch"
expect "stderr: wpack: corrupt tar archive: header checksum mismatch"
expect "stderr: wpack: invalid base64 input: bad.b64"
expect "stderr: wpack: cannot create directory unpacked/bin: EEXIST"
[ -f "$foreign/far.raw" ] && expect "stderr: wpack: corrupt deflate stream: distance too far back"
[ -f "$foreign/evil.tar" ] && expect "stderr: wpack: unsafe path in archive: ../evil.txt"
[ -f "$foreign/sys.tar" ] && expect "data and systar/data: 0 differences"
# Exit codes: everything before the error cases succeeded; after them (from the bare "wpack"
# on) each gave 2, except the verify of the damaged archive, which found a bad entry (1).
exits=$(awk '$0 == "$ wpack" { errors = 1 } /^exit / { print (errors ? "e" : "s") $2 }' "$log" | sort | uniq -c |
        awk '{ printf "%s:%s ", $2, $1 }')
case "$exits" in
  "e1:1 e2:"*" s0:"*) ;;
  *) fail "exit codes: $exits (want e1:1 e2:N s0:M)" ;;
esac
[ "$(echo "$exits" | wc -w)" = 3 ] || fail "exit codes: $exits"
cmp -s "$n/data.wpk" "$n/repack.wpk" || fail "pack, unpack, pack again is not the same archive"
cmp -s "$n/out/piped.txt" "$n/data/text/words.txt" || fail "stdin/stdout round trip"
for f in "$n"/out/*.gz; do
  b=$(basename "$f" .gz)
  [ -f "$n/out/$b" ] && { cmp -s "$n/out/$b" "$(find "$n/data" -name "$b" -type f)" || fail "gunzip $b"; }
done

# Independent checks of the native outputs (the wasm ones are byte-identical).
checks=0
if have gzip; then
  for f in "$n"/out/*.gz; do
    b=$(basename "$f" .gz)
    orig=$(find "$n/data" -name "${b%[019]}*" -type f | head -1)
    case $b in words1|words9) orig=$n/data/text/words.txt ;; records0) orig=$n/data/bin/records.bin ;;
                piped) orig=$n/data/text/words.txt ;; esac
    gzip -t "$f" || fail "gzip -t $b.gz"
    gzip -dc "$f" | cmp -s - "$orig" || fail "gzip -d of $b.gz differs from $orig"
    checks=$((checks + 1))
  done
  gzip -dc "$foreign/multi.gz" | cmp -s - "$n/out/multi.out" || fail "multi-member gzip"
fi
if [ -n "$python" ]; then
  "$python" - "$n" <<'PY' || fail "python checks"
import base64, hashlib, re, sys, zlib
n = sys.argv[1]
read = lambda p: open(n + "/" + p, "rb").read()
assert zlib.decompress(read("out/ledger.zz")) == read("data/text/ledger.csv")
assert zlib.decompress(read("out/records.zz")) == read("data/bin/records.bin")
assert zlib.decompress(read("out/mixed.raw"), -15) == read("data/deep/a/b/mixed.bin")
assert base64.b64decode(read("out/records.b64")) == read("data/bin/records.bin")
log = open(n + "/../log").read()
sums = re.findall(r"^([0-9a-f]+)  (data/\S.*)$", log, re.M)
assert len(sums) >= 6 * 10, len(sums)
algos = {64: "sha256", 128: "sha512", 40: "sha1", 32: "md5"}
for digest, path in sums:
    data = read(path)
    if len(digest) in algos:
        want = hashlib.new(algos[len(digest)], data).hexdigest()
    else:  # crc32 and adler32 print 8 digits, in that order per file
        want = digest if digest in ("%08x" % zlib.crc32(data), "%08x" % zlib.adler32(data)) else "mismatch"
    assert digest == want, (path, digest, want)
print("python: zlib, raw deflate, base64 and", len(sums), "digests agree")
PY
  checks=$((checks + 1))
fi
if have tar; then
  mkdir -p "$work/systar" && tar -xf "$n/data.tar" -C "$work/systar" || fail "tar -x of our ustar archive"
  diff -r --no-dereference "$n/data" "$work/systar" || fail "tar -x of our archive differs"
  checks=$((checks + 1))
fi
for algo in sha256 sha1 md5; do
  have ${algo}sum || continue
  (cd "$n" && ${algo}sum "${files[@]}") > "$work/$algo.sys"
  awk -v cmd="\$ wpack sum $algo " 'index($0, cmd) == 1 { on = 1; next } on && /^exit/ { exit } on' "$log" |
    diff - "$work/$algo.sys" || fail "${algo}sum differs"
done

sizes=$(grep -h '^gzip -6 data/text/words.txt\|^packed data.wpk' "$log" | tr '\n' ';')
echo "PASS wpack: $(grep -c '^\$ wpack' "$log") commands identical natively and under wasmpp," \
     "$checks independent checks; native ${native_s} ms, wasmpp ${wasm_s} ms; $sizes"
