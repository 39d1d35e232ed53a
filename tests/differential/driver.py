#!/usr/bin/env python3
"""Differential execution of random modules: wasmpp (diff_runner) against V8 (node run_v8.mjs).

Each seed gives random bytes, binaryen's `wasm-opt -ttf` turns them into a valid module with
WebAssembly 2.0 features (SIMD on the seeds with seed % 4 == 2, made deterministic by
simd_rewrite below; reference types on one seed in eight), every global is exported so its
final value is compared, and both runners print a
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


# --- SIMD: binaryen 108's --denan leaves v128 values alone, so NaN lanes are rewritten here ---
#
# The spec lets a float operation that yields NaN give any NaN (sign and payload), and engines
# differ (x86 minps/maxps sequences, operand order): with SIMD on, every v128 float operation
# that can make a NaN is followed by a call of an added function that sets its NaN lanes to +0
# (x & (x == x), lane-wise), so the lanes are the same in every conforming engine. JS cannot pass
# v128 values: calls of a v128-taking import (binaryen's log-v128) go to an added function
# that logs the four i32 lanes through log-i32, and an exported v128 global becomes an exported
# function of the same name returning its four i32 lanes.

# 0xFD sub-opcodes whose result may be a fresh NaN, by lane shape.
F32X4_NAN_OPS = {103, 104, 105, 106, 227, 228, 229, 230, 231, 232, 233, 94}
F64X2_NAN_OPS = {116, 117, 122, 148, 239, 240, 241, 242, 243, 244, 245, 95}
VALTYPE_BYTES = {0x7F, 0x7E, 0x7D, 0x7C, 0x7B, 0x70, 0x6F}


class Unsupported(Exception):
    pass


def skip_leb(b, p):
    while b[p] & 0x80:
        p += 1
    return p + 1


def instr_end(b, p):
    """Position after the instruction at p (opcode and immediates); (end, simd sub-opcode)."""
    op = b[p]
    p += 1
    if op in (0x02, 0x03, 0x04):
        return (p + 1 if b[p] in VALTYPE_BYTES or b[p] == 0x40 else skip_leb(b, p)), None
    if op in (0x0C, 0x0D, 0x10, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0xD2, 0x41, 0x42):
        return skip_leb(b, p), None
    if op == 0x0E:
        n, p = read_leb(b, p)
        for _ in range(n + 1):
            p = skip_leb(b, p)
        return p, None
    if op == 0x11:
        return skip_leb(b, skip_leb(b, p)), None
    if op == 0x1C:
        n, p = read_leb(b, p)
        return p + n, None
    if 0x28 <= op <= 0x3E:
        return skip_leb(b, skip_leb(b, p)), None
    if op in (0x3F, 0x40, 0xD0):
        return p + 1, None
    if op == 0x43:
        return p + 4, None
    if op == 0x44:
        return p + 8, None
    if op == 0xFC:
        sub, p = read_leb(b, p)
        if sub <= 7:
            return p, None
        if sub == 8:
            return skip_leb(b, p) + 1, None
        if sub in (9, 13, 15, 16, 17):
            return skip_leb(b, p), None
        if sub == 10:
            return p + 2, None
        if sub == 11:
            return p + 1, None
        if sub in (12, 14):
            return skip_leb(b, skip_leb(b, p)), None
        raise Unsupported("0xfc %d" % sub)
    if op == 0xFD:
        sub, p = read_leb(b, p)
        if sub <= 11 or sub in (92, 93):
            return skip_leb(b, skip_leb(b, p)), sub
        if sub in (12, 13):
            return p + 16, sub
        if 21 <= sub <= 34:
            return p + 1, sub
        if 84 <= sub <= 91:
            return skip_leb(b, skip_leb(b, p)) + 1, sub
        return p, sub
    if op in (0x00, 0x01, 0x05, 0x0B, 0x0F, 0x1A, 0x1B, 0xD1) or 0x45 <= op <= 0xC4:
        return p, None
    raise Unsupported("opcode 0x%02x" % op)


def func_body_rewrite(body, f32_fix, f64_fix, call_map):
    """The body with NaN-canonicalizing calls inserted and calls redirected (call_map)."""
    n, p = read_leb(body, 0)
    for _ in range(n):
        p = skip_leb(body, p) + 1
    out = bytearray(body[:p])
    while p < len(body):
        q, sub = instr_end(body, p)
        if body[p] == 0x10 and call_map:
            callee, _ = read_leb(body, p + 1)
            if callee in call_map:
                out += b"\x10" + leb(call_map[callee])
                p = q
                continue
        out += body[p:q]
        if sub in F32X4_NAN_OPS:
            out += b"\x10" + leb(f32_fix)
        elif sub in F64X2_NAN_OPS:
            out += b"\x10" + leb(f64_fix)
        p = q
    return bytes(out)


def simd_rewrite(wasm):
    secs = sections(wasm)
    types = []          # (params bytes, results bytes)
    func_imports = []   # (type index, module, name)
    global_types = []   # value type byte per global index
    n_defined = 0
    for sid, body in secs:
        if sid == 1:
            n, p = read_leb(body, 0)
            for _ in range(n):
                if body[p] != 0x60:
                    raise Unsupported("type form")
                np_, p = read_leb(body, p + 1)
                params = body[p:p + np_]
                p += np_
                nr, p = read_leb(body, p)
                types.append((bytes(params), bytes(body[p:p + nr])))
                p += nr
        elif sid == 2:
            n, p = read_leb(body, 0)
            for _ in range(n):
                names = []
                for _ in range(2):
                    ln, p = read_leb(body, p)
                    names.append(bytes(body[p:p + ln]))
                    p += ln
                kind = body[p]
                p += 1
                if kind == 0:
                    t, p = read_leb(body, p)
                    func_imports.append((t, names[0], names[1]))
                elif kind in (1, 2):
                    if kind == 1:
                        p += 1
                    flags, p = read_leb(body, p)
                    p = skip_leb(body, p)
                    if flags & 1:
                        p = skip_leb(body, p)
                elif kind == 3:
                    global_types.append(body[p])
                    p += 2
        elif sid == 3:
            n_defined, _ = read_leb(body, 0)
        elif sid == 6:
            n, p = read_leb(body, 0)
            for _ in range(n):
                global_types.append(body[p])
                p += 2
                while body[p] != 0x0B:
                    p, _ = instr_end(body, p)
                p += 1
    n_funcs = len(func_imports) + n_defined
    # Added types and functions go last, so no existing index moves.
    new_types = [(b"\x7b", b"\x7b")]                      # canonicalizers: (v128) -> v128
    t_fix = len(types)
    new_funcs = []                                          # (type index, body)
    f32_fix, f64_fix = n_funcs, n_funcs + 1
    new_funcs.append((t_fix, b"\x00" + b"\x20\x00\x20\x00\x20\x00\xfd\x41\xfd\x4e\x0b"))
    new_funcs.append((t_fix, b"\x00" + b"\x20\x00\x20\x00\x20\x00\xfd\x47\xfd\x4e\x0b"))
    log_i32 = next((i for i, (t, m, nm) in enumerate(func_imports)
                    if types[t] == (b"\x7f", b"") and nm == b"log-i32"), None)
    call_map = {}
    t_log = None
    for i, (t, m, nm) in enumerate(func_imports):
        params, results = types[t]
        if 0x7B in params or 0x7B in results:
            if params != b"\x7b" or results != b"":
                raise Unsupported("v128 import %r" % nm)
            if t_log is None:
                t_log = len(types) + len(new_types)
                new_types.append((b"\x7b", b""))
            if log_i32 is None:
                code = b"\x20\x00\x1a"
            else:
                code = b"".join(b"\x20\x00\xfd\x1b" + bytes([lane]) + b"\x10" + leb(log_i32) for lane in range(4))
            call_map[i] = n_funcs + len(new_funcs)
            new_funcs.append((t_log, b"\x00" + code + b"\x0b"))
    getter = {}
    t_get = None
    for g, vt in enumerate(global_types):
        if vt != 0x7B:
            continue
        if t_get is None:
            t_get = len(types) + len(new_types)
            new_types.append((b"", b"\x7f\x7f\x7f\x7f"))
        code = b"".join(b"\x23" + leb(g) + b"\xfd\x1b" + bytes([lane]) for lane in range(4))
        getter[g] = n_funcs + len(new_funcs)
        new_funcs.append((t_get, b"\x00" + code + b"\x0b"))

    def vec(items):
        return leb(len(items)) + b"".join(items)

    def section(sid, body):
        return bytes([sid]) + leb(len(body)) + body

    out = bytearray(wasm[:8])
    have = {sid for sid, _ in secs}
    if 1 not in have or 3 not in have or 10 not in have:
        raise Unsupported("no type, function or code section")
    for sid, body in secs:
        if sid == 1:
            n, p = read_leb(body, 0)
            added = b"".join(b"\x60" + leb(len(a)) + a + leb(len(r)) + r for a, r in new_types)
            out += section(1, leb(n + len(new_types)) + body[p:] + added)
        elif sid == 3:
            n, p = read_leb(body, 0)
            out += section(3, leb(n + len(new_funcs)) + body[p:] + b"".join(leb(t) for t, _ in new_funcs))
        elif sid == 7 and getter:
            n, p = read_leb(body, 0)
            items = []
            for _ in range(n):
                start = p
                ln, p = read_leb(body, p)
                p += ln
                kind = body[p]
                idx, q = read_leb(body, p + 1)
                if kind == 3 and idx in getter:
                    items.append(bytes(body[start:p]) + b"\x00" + leb(getter[idx]))
                else:
                    items.append(bytes(body[start:q]))
                p = q
            out += section(7, vec(items))
        elif sid == 10:
            n, p = read_leb(body, 0)
            bodies = []
            for _ in range(n):
                size, p = read_leb(body, p)
                fb = func_body_rewrite(body[p:p + size], f32_fix, f64_fix, call_map)
                bodies.append(leb(len(fb)) + fb)
                p += size
            bodies += [leb(len(fb)) + fb for _, fb in new_funcs]
            out += section(10, vec(bodies))
        else:
            out += section(sid, body)
    return bytes(out)


def make_module(seed, workdir, simd_every=0):
    rng = random.Random(seed)
    data = rng.randbytes(rng.choice([1000, 4000, 8000, 16000, 32000]))
    features = list(BASE_FEATURES)
    # binaryen 108 still has the pre-2.0 reference types (funcref <: anyref): most modules it
    # makes with them are invalid 2.0, which both engines must agree on; a few seeds suffice.
    if seed % 8 == 0:
        features.append("--enable-reference-types")
    simd = bool(simd_every) and seed % simd_every == 2
    if simd:
        features.append("--enable-simd")
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
    b = export_globals(b)
    if simd:
        try:
            b = simd_rewrite(b)
        except Unsupported as e:  # an encoding the rewrite does not know: counted as "nogen"
            print("seed %d: simd rewrite: %s" % (seed, e), file=sys.stderr)
            return None
    with open(wasm, "wb") as f:
        f.write(b)
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
    ap.add_argument("--simd-every", type=int, default=4,
                    help="SIMD on the seeds with seed %% N == 2 (0: never)")
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
            p = make_module(s, work, args.simd_every)
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
