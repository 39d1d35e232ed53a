#!/usr/bin/env python3
"""The benchmark suite behind bench/run.sh: times every program natively, under wasmpp and under
node (Liftoff only, TurboFan only), measures compile throughput and runs the API benchmarks,
then prints the results as a Markdown table and writes them to a file.

Times are whole-process wall-clock times (start to exit), the median of --runs runs; the runs of
one program alternate between the runtimes so that background load hits them alike. Each run's
stdout must equal the native one (the checksum), or the suite fails."""
import argparse
import datetime
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import time

LIFTOFF = ["--liftoff", "--no-wasm-tier-up"]
TURBOFAN = ["--no-liftoff"]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def timed_run(cmd):
    """Runs cmd; returns (stdout, wall seconds, user+sys CPU seconds, exit code)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate()
    wall = time.perf_counter() - t0
    # resource usage of that child alone: difference of RUSAGE_CHILDREN
    return out.decode(errors="replace"), wall, err.decode(errors="replace"), p.returncode


def children_cpu():
    import resource
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def geomean(xs):
    xs = [x for x in xs if x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def machine():
    """The CPU model, e.g. "AMD EPYC"."""
    model = platform.processor() or "unknown"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        m = re.search(r"Model name:\s*(.+)", out)
        if m:
            model = m.group(1).strip()
    except OSError:
        pass
    return model


def os_name():
    try:
        with open("/etc/os-release") as f:
            m = re.search(r'^PRETTY_NAME="?([^"\n]*)', f.read(), re.M)
            if m:
                return m.group(1)
    except OSError:
        pass
    return platform.system()


def memory_gb():
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    except (ValueError, OSError):
        return None


def wasmpp_commit():
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        out = subprocess.run(["git", "-C", here, "describe", "--always", "--dirty"], capture_output=True, text=True)
        return out.stdout.strip() if out.returncode == 0 else ""
    except OSError:
        return ""


def tool_version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()
        return out[0] if out else "?"
    except OSError:
        return "not found"


def run_programs(a):
    names = sorted(f for f in os.listdir(os.path.join(a.programs, "native")))
    if a.only:
        names = [n for n in names if n in a.only.split(",")]
    runtimes = [
        ("native", lambda n: [os.path.join(a.programs, "native", n)]),
        ("wasmpp", lambda n: [a.wasmpp, "run", os.path.join(a.programs, "wasm", n + ".wasm")]),
        # The optimizing tier first (what it declines runs on the baseline): Config's default from
        # the environment, the same binary.
        ("optimized", lambda n: ["env", "WASMPP_STRATEGY=optimized", a.wasmpp, "run",
                                 os.path.join(a.programs, "wasm", n + ".wasm")]),
        ("liftoff", lambda n: [a.node, "--no-warnings"] + LIFTOFF +
         [a.node_runner, os.path.join(a.programs, "wasm", n + ".wasm")]),
        ("turbofan", lambda n: [a.node, "--no-warnings"] + TURBOFAN +
         [a.node_runner, os.path.join(a.programs, "wasm", n + ".wasm")]),
    ]
    results = {}
    for name in names:
        wall = {r: [] for r, _ in runtimes}
        cpu = {r: [] for r, _ in runtimes}
        expected = None
        for i in range(a.runs):
            for rname, cmd in runtimes:
                before = children_cpu()
                out, t, err, rc = timed_run(cmd(name))
                used = children_cpu() - before
                if rc != 0 or (expected is not None and out != expected):
                    log(f"FAIL: {name} under {rname} (exit {rc}) printed {out!r}, expected {expected!r}\n{err}")
                    sys.exit(1)
                if expected is None:
                    expected = out
                wall[rname].append(t)
                cpu[rname].append(used)
        results[name] = {
            "optimized_functions": optimized_functions(a, name),
            "checksum": expected.strip().split()[-1],
            "wall": {r: statistics.median(v) for r, v in wall.items()},
            "cpu": {r: statistics.median(v) for r, v in cpu.items()},
        }
        w = results[name]["wall"]
        log(f"  {name:10s} native {w['native']:.3f}s  wasmpp {w['wasmpp']:.3f}s  optimized {w['optimized']:.3f}s  "
            f"liftoff {w['liftoff']:.3f}s  turbofan {w['turbofan']:.3f}s")
    return results


def optimized_functions(a, name):
    """`wasmpp compile`'s count of functions the optimizing tier compiled and declined."""
    out = subprocess.run(["env", "WASMPP_STRATEGY=optimized", a.wasmpp, "compile",
                          os.path.join(a.programs, "wasm", name + ".wasm")], capture_output=True, text=True).stdout
    m = re.search(r"optimizing tier: (\d+) functions, (\d+) declined", out)
    return {"compiled": int(m.group(1)), "declined": int(m.group(2))} if m else None


def compile_throughput(a, module, reps, tf_reps):
    wasmpp = json.loads(subprocess.run([a.compile_bench, module, str(reps)], check=True,
                                       capture_output=True, text=True).stdout)
    node = {}
    for key, flags, r in [("liftoff_1", LIFTOFF + ["--single-threaded"], reps),
                          ("liftoff_all", LIFTOFF, reps),
                          ("turbofan_1", TURBOFAN + ["--single-threaded"], tf_reps),
                          ("turbofan_all", TURBOFAN, tf_reps)]:
        out = subprocess.run([a.node, "--no-warnings", "--no-wasm-lazy-compilation"] + flags +
                             [a.node_compile, module, str(r)], check=True, capture_output=True, text=True).stdout
        node[key] = json.loads(out)
    return {"module": os.path.basename(module), "code_section_bytes": wasmpp["code_section_bytes"],
            "functions": wasmpp["functions"], "wasmpp": wasmpp, "node": node}


def api_figures(a):
    out = subprocess.run([a.api_bench, "--benchmark_format=json", "--benchmark_min_time=0.5",
                          f"--benchmark_repetitions={a.api_reps}", "--benchmark_report_aggregates_only=true"],
                         check=True, capture_output=True, text=True).stdout
    data = json.loads(out)
    med = {}
    want = "median" if a.api_reps > 1 else None
    for b in data["benchmarks"]:
        if b.get("aggregate_name") != want:
            continue
        name = b["run_name"]
        scale = {"ns": 1, "us": 1e3, "ms": 1e6}[b["time_unit"]]
        entry = {"cpu_ns": b["cpu_time"] * scale, "real_ns": b["real_time"] * scale}
        if "ns_per_trip" in b:
            entry["ns_per_trip"] = b["ns_per_trip"] * 1e9  # counter is in seconds per trip
        med[name] = entry
    return med


def fmt_s(x):
    return f"{x:.3f}"


def fmt_r(x):
    return f"{x:.2f}×"


def markdown(a, meta, progs, comp, api):
    L = []
    mem = f", {meta['memory_gb']} GB" if meta.get("memory_gb") else ""
    L.append(f"Measured {meta['date']} on {meta['machine']} ({meta['cpus']} CPUs{mem}), {meta['os']}, load average "
             f"{meta['load_before']} before and {meta['load_after']} after the run. "
             f"{meta['runs']} runs per program and runtime, medians. {meta['versions']}.")
    L.append("")
    if progs:
        L.append("**Run time** (whole process, seconds; ratio = time / native time):")
        L.append("")
        node = f"node {meta['node']}"
        L.append(f"| program | native | wasmpp | {node} Liftoff | {node} TurboFan | wasmpp / native | "
                 "Liftoff / native | TurboFan / native | wasmpp / Liftoff |")
        L.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
        ratios = {"wasmpp": [], "liftoff": [], "turbofan": [], "wl": []}
        for name, r in progs.items():
            w = r["wall"]
            rw, rl, rt = w["wasmpp"] / w["native"], w["liftoff"] / w["native"], w["turbofan"] / w["native"]
            ratios["wasmpp"].append(rw)
            ratios["liftoff"].append(rl)
            ratios["turbofan"].append(rt)
            ratios["wl"].append(w["wasmpp"] / w["liftoff"])
            L.append(f"| {name} | {fmt_s(w['native'])} | {fmt_s(w['wasmpp'])} | {fmt_s(w['liftoff'])} | "
                     f"{fmt_s(w['turbofan'])} | {fmt_r(rw)} | {fmt_r(rl)} | {fmt_r(rt)} | {fmt_r(w['wasmpp'] / w['liftoff'])} |")
        L.append(f"| **geometric mean** | | | | | **{fmt_r(geomean(ratios['wasmpp']))}** | "
                 f"**{fmt_r(geomean(ratios['liftoff']))}** | **{fmt_r(geomean(ratios['turbofan']))}** | "
                 f"**{fmt_r(geomean(ratios['wl']))}** |")
        cpu_g = {k: geomean([r["cpu"][k] / r["cpu"]["native"] for r in progs.values()])
                 for k in ("wasmpp", "optimized", "liftoff", "turbofan")}
        L.append("")
        L.append("**Optimizing tier** (`WASMPP_STRATEGY=optimized`: the optimizing tier first, what it declines on the "
                 "baseline; functions = compiled / declined by it):")
        L.append("")
        L.append("| program | functions | wasmpp baseline | wasmpp optimized | optimized / native | optimized / baseline | "
                 "optimized / TurboFan |")
        L.append("|---|--:|--:|--:|--:|--:|--:|")
        opt_r = {"native": [], "baseline": [], "turbofan": []}
        for name, r in progs.items():
            w = r["wall"]
            o = w["optimized"]
            fn = r.get("optimized_functions")
            fns = f"{fn['compiled']} / {fn['declined']}" if fn else "?"
            opt_r["native"].append(o / w["native"])
            opt_r["baseline"].append(o / w["wasmpp"])
            opt_r["turbofan"].append(o / w["turbofan"])
            L.append(f"| {name} | {fns} | {fmt_s(w['wasmpp'])} | {fmt_s(o)} | {fmt_r(o / w['native'])} | "
                     f"{fmt_r(o / w['wasmpp'])} | {fmt_r(o / w['turbofan'])} |")
        L.append(f"| **geometric mean** | | | | **{fmt_r(geomean(opt_r['native']))}** | "
                 f"**{fmt_r(geomean(opt_r['baseline']))}** | **{fmt_r(geomean(opt_r['turbofan']))}** |")
        L.append("")
        L.append(f"Geometric mean of CPU-time (user + sys) ratios to native, less sensitive to other load: "
                 f"wasmpp {fmt_r(cpu_g['wasmpp'])}, wasmpp optimized {fmt_r(cpu_g['optimized'])}, Liftoff {fmt_r(cpu_g['liftoff'])}, "
                 f"TurboFan {fmt_r(cpu_g['turbofan'])}.")
        L.append("")
    if comp:
        L.append("**Compile throughput** (MB of code section per second, in process, median; wasmpp "
                 "\"JIT\" = the compiler alone, \"full\" = decode + validate + compile like V8's "
                 "`new WebAssembly.Module`; V8 with `--no-wasm-lazy-compilation`, 1 thread = `--single-threaded`; "
                 "1-thread figures by wall clock and, in parentheses, per CPU second, which other load on the machine "
                 "does not change):")
        L.append("")
        L.append("| module | code section | wasmpp JIT 1 thread | wasmpp JIT all threads | wasmpp full 1 thread | "
                 "wasmpp full all threads | Liftoff 1 thread | Liftoff all threads | TurboFan 1 thread | TurboFan all threads |")
        L.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
        for c in comp:
            wp, nd = c["wasmpp"], c["node"]
            def one(t, digits=1):  # one thread: wall clock (per CPU second)
                return f"{t['mb_per_s']:.{digits}f} ({t['mb_per_cpu_s']:.{digits}f})"
            L.append(f"| {c['module']} ({c['functions']} functions) | {c['code_section_bytes'] / 1e6:.2f} MB | "
                     f"{one(wp['jit_1_thread'])} | {wp['jit_all_threads']['mb_per_s']:.1f} | "
                     f"{one(wp['full_1_thread'])} | {wp['full_all_threads']['mb_per_s']:.1f} | "
                     f"{one(nd['liftoff_1'])} | {nd['liftoff_all']['mb_per_s']:.1f} | "
                     f"{one(nd['turbofan_1'], 2)} | {nd['turbofan_all']['mb_per_s']:.2f} |")
        L.append("")
    if api:
        def g(name, key="cpu_ns"):
            return api.get(name, {}).get(key, float("nan"))
        L.append("**Embedding API** (Google Benchmark, median of "
                 f"{a.api_reps} repetitions, CPU time per operation; target ≤ 5 ns per typed call):")
        L.append("")
        L.append("| operation | time |")
        L.append("|---|--:|")
        L.append(f"| host → wasm, `TypedFunc::call` of an empty function | {g('BM_HostToWasm_TypedCall'):.1f} ns |")
        L.append(f"| host → wasm, `TypedFunc::call` of `(i32, i32) -> i32` add | {g('BM_HostToWasm_TypedCall_Add'):.1f} ns |")
        host = g("BM_WasmToHost_TypedCall", "ns_per_trip")
        loop = g("BM_WasmLoop_NoCall", "ns_per_trip")
        L.append(f"| wasm → host, call of an empty typed host function (loop trip with the call, "
                 f"minus the empty loop trip of {loop:.2f} ns) | {host - loop:.2f} ns |")
        L.append(f"| wasm → wasm, call of an empty function (same loop, for comparison) | "
                 f"{g('BM_WasmToWasm_Call', 'ns_per_trip') - loop:.2f} ns |")
        L.append(f"| host → wasm, untyped `Func::call` of an empty function | {g('BM_HostToWasm_UntypedCall'):.1f} ns |")
        L.append(f"| host → wasm, untyped `Func::call` of add (2 `Val` args, 1 result) | {g('BM_HostToWasm_UntypedCall_Add'):.1f} ns |")
        L.append(f"| new `Store` + instantiate a module with a memory and a 256-byte data segment (and drop both) | "
                 f"{g('BM_Instantiate_MemoryAndData') / 1e3:.1f} µs |")
        L.append(f"| the same through `InstancePre` | {g('BM_InstancePre_MemoryAndData') / 1e3:.1f} µs |")
        L.append(f"| new `Store` alone (and drop it) | {g('BM_Store_New'):.0f} ns |")
        L.append("")
    return "\n".join(L)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--programs", required=True, help="build_programs.sh's output directory")
    p.add_argument("--wasmpp", required=True)
    p.add_argument("--api-bench", required=True)
    p.add_argument("--compile-bench", required=True)
    p.add_argument("--node", default="node")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--api-reps", type=int, default=3)
    p.add_argument("--only", help="comma-separated program names")
    p.add_argument("--skip", default="", help="comma-separated parts to skip: programs,compile,api")
    p.add_argument("--out", required=True, help="Markdown file to write")
    p.add_argument("--prep", default="", help="what came before the measurement, for the closing line "
                                             "(bench/run.sh: \"packages 0 s, build 12 s, ...\")")
    a = p.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    a.node_runner = os.path.join(here, "node_wasi_runner.mjs")
    a.node_compile = os.path.join(here, "node_compile.mjs")
    skip = set(filter(None, a.skip.split(",")))

    start = time.time()
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(), "cpus": os.cpu_count(), "memory_gb": memory_gb(), "os": os_name(),
        "load_before": "%.1f" % os.getloadavg()[0], "runs": a.runs,
        "node": tool_version([a.node, "--version"]),
        "wasmpp": wasmpp_commit(),
    }
    meta["versions"] = "; ".join([tool_version(["gcc", "--version"]), tool_version(["clang-14", "--version"]),
                                  "node " + meta["node"]] + (["wasmpp " + meta["wasmpp"]] if meta["wasmpp"] else []))
    progs = {}
    if "programs" not in skip:
        log(f"programs ({a.runs} runs each):")
        progs = run_programs(a)
    comp = []
    if "compile" not in skip:
        wasm_dir = os.path.join(a.programs, "wasm")
        largest = max((os.path.join(wasm_dir, f) for f in os.listdir(wasm_dir)), key=os.path.getsize)
        log("compile throughput: " + os.path.basename(largest))
        comp.append(compile_throughput(a, largest, 11, 5))
        large = os.path.join(a.programs, "large", "large.wasm")
        if os.path.exists(large):
            log("compile throughput: large.wasm")
            comp.append(compile_throughput(a, large, 5, 1))
    api = {}
    if "api" not in skip:
        log("API benchmarks")
        api = api_figures(a)
    meta["load_after"] = "%.1f" % os.getloadavg()[0]
    md = markdown(a, meta, progs, comp, api)
    meta["measure_seconds"] = round(time.time() - start)
    md += f"\nThe measurement took {meta['measure_seconds']} s" + (f" ({a.prep} before it)" if a.prep else "") + ".\n"
    with open(a.out, "w") as f:
        f.write(md)
    with open(os.path.splitext(a.out)[0] + ".json", "w") as f:
        json.dump({"meta": meta, "programs": progs, "compile": comp, "api": api}, f, indent=1)
    print(md)


if __name__ == "__main__":
    main()
