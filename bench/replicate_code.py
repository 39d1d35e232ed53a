#!/usr/bin/env python3
"""Makes a large module out of a clang-compiled one: every defined function's body is appended
K-1 more times as new functions of the same type (direct calls in the copies still reach the
original callees, so the module stays valid). Custom sections are dropped. The result is the
compile-throughput input: real compiler output, in bulk.

Usage: replicate_code.py IN.wasm OUT.wasm K"""
import sys


def uleb(data, pos):
    result = shift = 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return result, pos


def enc_uleb(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def main():
    src, dst, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
    data = open(src, "rb").read()
    assert data[:8] == b"\0asm\x01\0\0\0", "not a wasm module"
    pos, sections = 8, []
    while pos < len(data):
        sid = data[pos]
        size, body = uleb(data, pos + 1)
        sections.append((sid, data[body:body + size]))
        pos = body + size
    out = bytearray(data[:8])
    for sid, payload in sections:
        if sid == 0:
            continue
        if sid == 3:  # function section: type indices of defined functions
            n, p = uleb(payload, 0)
            types = payload[p:]
            payload = enc_uleb(n * k) + types * k
        elif sid == 10:  # code section: bodies, each prefixed with its size
            n, p = uleb(payload, 0)
            bodies = payload[p:]
            payload = enc_uleb(n * k) + bodies * k
        out.append(sid)
        out += enc_uleb(len(payload)) + payload
    open(dst, "wb").write(out)


if __name__ == "__main__":
    main()
