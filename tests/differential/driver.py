#!/usr/bin/env python3
"""Differential execution of random modules: wasmpp (diff_runner) against V8 (node run_v8.mjs).

Each seed gives random bytes, binaryen's `wasm-opt -ttf` turns them into a valid module with only
the features wasmpp's JIT runs (WebAssembly 2.0 without SIMD; reference types on a third of the
seeds), every global is exported so its final value is compared, and both runners print a
transcript (see diff_runner.cpp). A module whose transcripts differ before the first
"exhausted" line (fuel, stack: limits the engines need not share) is a mismatch: its module and
both transcripts are kept in OUT/mismatch-SEED.*.

  driver.py --runner BUILD/tests/differential/diff_runner --seeds 0:1000 --out /tmp/diff
Prints one summary line per batch and a final 'N passed, N failed' line; exits 1 on mismatches.
"""
import argparse
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BASE_FEATURES = ["--mvp-features", "--enable-sign-ext", "--enable-nontrapping-float-to-int",
                 "--enable-bulk-memory", "--enable-multivalue", "--enable-mutable-globals"]


def leb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def read_leb(b, p):
    r = s = 0
    while True:
        x = b[p]
        p += 1
        r |= (x & 0x7F) << s
        s += 7
        if not x & 0x80:
            return r, p


def sections(b):
    p = 8
    out = []
    while p < len(b):
        sid = b[p]
        size, q = read_leb(b, p + 1)
        out.append((sid, b[q:q + size]))
        p = q + size
    return out


def export_globals(wasm):
    """Adds an export "g<i>" for every global, so that the runners compare them all."""
    secs = sections(wasm)
    n_imported = n_defined = 0
    for sid, body in secs:
        if sid == 2:
            n, p = read_leb(body, 0)
            for _ in range(n):
                for _ in range(2):
                    ln, p = read_leb(body, p)
                    p += ln
                kind = body[p]
                p += 1
                if kind == 0:
                    _, p = read_leb(body, p)
                elif kind == 1:
                    p += 1
                    flags, p = read_leb(body, p)
                    _, p = read_leb(body, p)
                    if flags & 1:
                        _, p = read_leb(body, p)
                elif kind == 2:
                    flags, p = read_leb(body, p)
                    _, p = read_leb(body, p)
                    if flags & 1:
                        _, p = read_leb(body, p)
                elif kind == 3:
                    p += 2
                    n_imported += 1
        elif sid == 6:
            n_defined, _ = read_leb(body, 0)
    total = n_imported + n_defined
    if total == 0:
        return wasm
    extra = [(b"g%d" % i, i) for i in range(total)]
    out = bytearray(wasm[:8])
    done = False

    def export_section(existing_count, existing_body):
        body = leb(existing_count + len(extra)) + existing_body
        for name, i in extra:
            body += leb(len(name)) + name + b"\x03" + leb(i)
        return b"\x07" + leb(len(body)) + body

    for sid, body in secs:
        if sid == 7:
            n, p = read_leb(body, 0)
            out += export_section(n, body[p:])
            done = True
            continue
        if not done and sid in (8, 9, 10, 11, 12):
            out += export_section(0, b"")
            done = True
        out += bytes([sid]) + leb(len(body)) + body
    if not done:
        out += export_section(0, b"")
    return bytes(out)


def make_module(seed, workdir):
    rng = random.Random(seed)
    data = rng.randbytes(rng.choice([1000, 4000, 8000, 16000, 32000]))
    features = list(BASE_FEATURES)
    # binaryen 108 still has the pre-2.0 reference types (funcref <: anyref): most modules it
    # makes with them are invalid 2.0, which both engines must agree on; a few seeds suffice.
    if seed % 8 == 0:
        features.append("--enable-reference-types")
    raw = os.path.join(workdir, "s%d.bin" % seed)
    wasm = os.path.join(workdir, "s%d.wasm" % seed)
    with open(raw, "wb") as f:
        f.write(data)
    # --denan: NaN results of arithmetic may differ in sign and payload between conforming
    # engines (the spec allows any arithmetic NaN), and would show as memory or global
    # mismatches; binaryen's pass makes every float operation's NaN result a fixed number.
    r = subprocess.run(["wasm-opt", "-ttf", raw, *features, "--denan", "-o", wasm],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    os.unlink(raw)
    if r.returncode != 0:
        return None
    with open(wasm, "rb") as f:
        b = f.read()
    with open(wasm, "wb") as f:
        f.write(export_globals(b))
    return wasm


def split_transcripts(text):
    mods = {}
    cur = None
    for line in text.splitlines():
        if line.startswith("module "):
            cur = line[7:]
            mods[cur] = []
        elif cur is not None:
            if line == "end":
                mods[cur].append(line)
                cur = None
            elif not line.startswith("#"):
                mods[cur].append(line)
    return mods


def run_batch(cmd, paths, timeout):
    try:
        r = subprocess.run(cmd + paths, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        out = split_transcripts(r.stdout.decode(errors="replace"))
        complete = all(p in out and out[p] and out[p][-1] == "end" for p in paths)
        return out, complete, r.returncode, r.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        out = split_transcripts((e.stdout or b"").decode(errors="replace"))
        return out, False, "timeout", ""


def run_each(cmd, paths, timeout):
    """Runs the batch; on a crash or time-out, runs each module alone to pin it down."""
    out, complete, rc, err = run_batch(cmd, paths, timeout * len(paths))
    if complete and rc == 0:
        return out
    result = {}
    for p in paths:
        o, c, rc1, err1 = run_batch(cmd, [p], timeout)
        lines = o.get(p, [])
        if not c:
            tail = "timeout" if rc1 == "timeout" else "crash rc=%s %s" % (rc1, err1.strip().splitlines()[-1:] if err1 else "")
            lines = [l for l in lines if l != "end"] + ["runner-" + tail]
        result[p] = lines
    return result


# V8 reports a float-to-int truncation out of range and of a NaN with one message ("float
# unrepresentable in integer range"); wasmpp tells integer overflow from invalid conversion as
# the spec does.
EQUIVALENT = {("trap overflow", "trap conversion")}


def compare(a, b):
    """'same', 'inconclusive' (same up to a limit one side hit) or 'mismatch'."""
    for x, y in zip(a, b):
        if (x, y) in EQUIVALENT:
            continue
        ex = x.startswith("exhausted") or x.startswith("runner-timeout")
        ey = y.startswith("exhausted") or y.startswith("runner-timeout")
        if ex or ey:
            return "inconclusive"
        if x != y:
            return "mismatch"
    return "same" if len(a) == len(b) else "mismatch"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True)
    ap.add_argument("--node", default="node")
    ap.add_argument("--seeds", default="0:100", help="FIRST:END")
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--out", default="/tmp/wasmpp-diff")
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds per module")
    ap.add_argument("--keep", action="store_true", help="keep every module, not only mismatches")
    args = ap.parse_args()
    first, end = (int(x) for x in args.seeds.split(":"))
    os.makedirs(args.out, exist_ok=True)
    work = os.path.join(args.out, "work")
    os.makedirs(work, exist_ok=True)
    v8 = [args.node, "--stack-size=900", os.path.join(HERE, "run_v8.mjs")]
    counts = {"same": 0, "inconclusive": 0, "mismatch": 0, "invalid": 0, "nogen": 0}
    mismatches = []
    start = time.time()
    for bstart in range(first, end, args.batch):
        seeds = range(bstart, min(end, bstart + args.batch))
        paths = {}
        for s in seeds:
            p = make_module(s, work)
            if p is None:
                counts["nogen"] += 1
            else:
                paths[p] = s
        plist = list(paths)
        ours = run_each([args.runner], plist, args.timeout)
        theirs = run_each(v8, plist, args.timeout)
        for p in plist:
            a, b = ours.get(p, ["missing"]), theirs.get(p, ["missing"])
            verdict = compare(a, b)
            if verdict == "same" and a[:1] == ["invalid"]:
                counts["invalid"] += 1
            else:
                counts[verdict] += 1
            if verdict == "mismatch":
                s = paths[p]
                base = os.path.join(args.out, "mismatch-%d" % s)
                os.replace(p, base + ".wasm")
                with open(base + ".wasmpp.txt", "w") as f:
                    f.write("\n".join(a) + "\n")
                with open(base + ".v8.txt", "w") as f:
                    f.write("\n".join(b) + "\n")
                mismatches.append(s)
            elif not args.keep:
                os.unlink(p)
        done = min(end, bstart + args.batch) - first
        print("[%5.0fs] %d modules: %s" % (time.time() - start, done,
              " ".join("%s=%d" % kv for kv in counts.items())), flush=True)
    if mismatches:
        print("mismatching seeds:", " ".join(map(str, mismatches)))
    total = end - first
    print("differential: %d passed, %d failed" % (total - len(mismatches), len(mismatches)))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
