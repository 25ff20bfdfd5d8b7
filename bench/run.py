#!/usr/bin/env python3
"""Benchmark neon-lint against `rg -l` over the same synthetic trees, in one run.

    python3 bench/run.py                 # sizes 1000 10000 100000
    python3 bench/run.py 1000 10000      # chosen sizes
    python3 bench/run.py --bin PATH      # skip the cargo build, time this binary instead
    python3 bench/run.py --tree DIR      # an existing directory (repeatable), e.g. the real tree

For each size: generate the tree once (bench/gen_tree.py, seeded; reused while the generator, size
and seed are unchanged), run neon-lint once under /usr/bin/time -v (exit 0 or 1 is fine, anything
else fails the benchmark; the JSON output is parsed and its findings counted), the same for rg,
then time both with hyperfine (or, without hyperfine, with an interleaved loop and medians).
Prints one table; writes hyperfine JSON and a summary under <scratch>/results/.

Exit status: 0 ok; 1 the run looks broken (no findings, findings inside ignored folders, fewer
sslmode findings than planted insecure URLs); 2 neon-lint could not be built, crashed, or a tool
is missing.
"""

import argparse
import hashlib
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
GEN = os.path.join(HERE, "gen_tree.py")
RG_NEEDLES = ["-i", "-e", "postgres", "-e", "neon.tech", "-e", "sslmode", "-e", "DATABASE_URL"]
IGNORED_PARTS = {"target", "node_modules", ".git"}
# issue 7 targets
TARGET_RATIO = 1.5
TARGET_RSS_MB = 64
LAST_CPU_S = 0.0


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def die(msg, code=2):
    log("bench: error: " + msg)
    sys.exit(code)


# ---------------------------------------------------------------------------------- tools

def ensure_tools(allow_install):
    missing = [pkg for tool, pkg in (("rg", "ripgrep"), ("hyperfine", "hyperfine")) if not shutil.which(tool)]
    if not os.path.exists("/usr/bin/time"):
        missing.append("time")
    if missing and allow_install and shutil.which("apt-get") and os.geteuid() == 0:
        log("bench: installing %s with apt-get" % " ".join(missing))
        cmd = ["apt-get", "install", "-y", "-qq"] + missing
        if subprocess.run(cmd, stdout=subprocess.DEVNULL).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], stdout=subprocess.DEVNULL)
            subprocess.run(cmd, stdout=subprocess.DEVNULL)
    if not shutil.which("rg"):
        die("ripgrep (rg) is required: apt-get install -y ripgrep")
    if not shutil.which("hyperfine"):
        log("bench: hyperfine not found; timing with an interleaved loop and medians instead")
    if not os.path.exists("/usr/bin/time"):
        log("bench: /usr/bin/time not found; peak RSS taken from wait4() rusage instead")


def build_neon_lint():
    if not shutil.which("cargo"):
        die("cargo not found; cannot build neon-lint (pass --bin PATH to time an existing binary)")
    cmd = ["cargo", "build", "--release", "--bin", "neon-lint", "--message-format=json-render-diagnostics"]
    log("bench: building neon-lint: (cd %s && %s)" % (REPO, " ".join(cmd)))
    p = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True)
    exe = None
    for line in p.stdout.splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") and \
                msg.get("target", {}).get("name") == "neon-lint":
            exe = msg["executable"]
    if p.returncode != 0:
        die("`cargo build --release --bin neon-lint` failed (exit %d); see the compiler output above. "
            "Nothing was timed." % p.returncode)
    if not exe or not os.path.exists(exe):
        exe = os.path.join(REPO, "target", "release", "neon-lint")
        if not os.path.exists(exe):
            die("cargo build succeeded but no neon-lint executable was reported or found at %s" % exe)
    return exe


# ---------------------------------------------------------------------------------- trees

def ensure_tree(size, seed, scratch, regen):
    tree = os.path.join(scratch, "tree-%d" % size)
    mpath = tree + ".manifest.json"
    with open(GEN, "rb") as f:  # same digest gen_tree.py records in the manifest
        gen_sha = hashlib.sha256(f.read()).hexdigest()
    if not regen and os.path.isdir(tree) and os.path.exists(mpath):
        with open(mpath) as f:
            m = json.load(f)
        if m.get("files") == size and m.get("seed") == seed and m.get("generator_sha256") == gen_sha:
            log("bench: reusing %s (%d files, %.0f MB)" % (tree, size, m["bytes"] / 1e6))
            return tree, m
    log("bench: generating %s ..." % tree)
    subprocess.run([sys.executable, GEN, "--files", str(size), "--seed", str(seed), "--out", tree], check=True)
    with open(mpath) as f:
        return tree, json.load(f)


# ---------------------------------------------------------------------------------- running

def run_once(argv, cwd, out_path):
    """Run argv once with stdout to out_path; return (exit code, peak RSS in KB, stderr text).
    The CPU seconds (user + system) of the run are left in LAST_CPU_S."""
    global LAST_CPU_S
    use_time = os.path.exists("/usr/bin/time")
    full = (["/usr/bin/time", "-v"] + argv) if use_time else argv
    with open(out_path, "wb") as out:
        p = subprocess.Popen(full, cwd=cwd, stdout=out, stderr=subprocess.PIPE)
        # read stderr fully before waiting (it may be large), then reap with rusage
        err = p.stderr.read()
        _, status, rusage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
    err = err.decode("utf-8", "replace")
    rss = rusage.ru_maxrss
    LAST_CPU_S = rusage.ru_utime + rusage.ru_stime
    if use_time:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
        ex = re.search(r"Exit status: (\d+)", err)
        cmd_sig = re.search(r"Command terminated by signal (\d+)", err)
        rss = int(m.group(1)) if m else rss
        rc = int(ex.group(1)) if ex else p.returncode
        if cmd_sig:
            rc = 128 + int(cmd_sig.group(1))
        err = err.split("\tCommand being timed:")[0]
    else:
        rc = p.returncode
    return rc, rss, err


def time_hyperfine(cmds, cwd, warmup, runs, export):
    argv = ["hyperfine", "-N", "-i", "--style", "basic", "--output=pipe", "--warmup", str(warmup),
            "--runs", str(runs), "--export-json", export]
    for name, cmd in cmds:
        argv += ["-n", name, " ".join(shlex.quote(c) for c in cmd)]
    p = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        log(p.stdout)
        die("hyperfine failed (exit %d)" % p.returncode)
    with open(export) as f:
        res = json.load(f)["results"]
    return {r["command"]: {"median": r["median"], "mean": r["mean"], "stddev": r.get("stddev"),
                           "min": r["min"], "max": r["max"], "runs": len(r["times"])} for r in res}


def time_loop(cmds, cwd, warmup, runs, export):
    """Fallback without hyperfine: warm up, then interleave the commands and take medians."""
    times = {name: [] for name, _ in cmds}

    def one(cmd):
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        while p.stdout.read(1 << 16):
            pass
        p.wait()
        return time.perf_counter() - t0

    for _ in range(warmup):
        for _, cmd in cmds:
            one(cmd)
    for _ in range(runs):
        for name, cmd in cmds:
            times[name].append(one(cmd))
    with open(export, "w") as f:
        json.dump({"results": [{"command": n, "times": t} for n, t in times.items()]}, f, indent=1)
    return {n: {"median": statistics.median(t), "mean": statistics.mean(t),
                "stddev": statistics.stdev(t) if len(t) > 1 else 0.0, "min": min(t), "max": max(t), "runs": len(t)}
            for n, t in times.items()}


def findings_summary(json_path, tree):
    """Parse neon-lint's JSON output: (count, {code: n}, findings inside ignored folders)."""
    with open(json_path, "rb") as f:
        raw = f.read()
    if not raw.strip():
        return None, {}, [], "printed nothing on stdout (is `--format json` implemented yet?)"
    try:
        data = json.loads(raw)
    except ValueError as e:
        return None, {}, [], "output is not JSON (%s): %r" % (e, raw[:200])
    if not isinstance(data, list):
        return None, {}, [], "output is not a JSON array"
    by_code, bad = {}, []
    for d in data:
        code = "%s" % (d.get("code") or d.get("rule") or "?")
        by_code[code] = by_code.get(code, 0) + 1
        path = str(d.get("path", ""))
        rel = os.path.relpath(os.path.join(tree, path), tree) if not os.path.isabs(path) else os.path.relpath(path, tree)
        if IGNORED_PARTS & set(rel.split(os.sep)):
            bad.append(rel)
    return len(data), by_code, bad, None


# ---------------------------------------------------------------------------------- report

def fmt_s(x):
    return "%.3f s" % x if x >= 0.1 else "%.1f ms" % (x * 1000)


def fmt_mb(kb):
    return "%.1f MB" % (kb / 1024.0)


def print_table(rows):
    head = ["size", "files", "scanned", "neon-lint", "rg -l", "ratio", "neon-lint RSS", "rg RSS",
            "neon-lint us/file", "rg us/file", "findings", "rg files"]
    body = []
    for r in rows:
        body.append([str(r["size"]), str(r["files"]), str(r["files_scanned"]), fmt_s(r["nl_median"]), fmt_s(r["rg_median"]),
                     "%.2fx" % r["ratio"], fmt_mb(r["nl_rss_kb"]), fmt_mb(r["rg_rss_kb"]),
                     "%.2f" % r["nl_us_per_file"], "%.2f" % r["rg_us_per_file"],
                     str(r["findings"]) + ("  <-- BROKEN?" if not r["findings"] else ""), str(r["rg_files"])])
    w = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]
    line = lambda cells: "| " + " | ".join(c.rjust(w[i]) for i, c in enumerate(cells)) + " |"
    print(line(head))
    print("|" + "|".join("-" * (x + 1) + ":" for x in w) + "|")
    for b in body:
        print(line(b))


def main(argv=None):
    ap = argparse.ArgumentParser(description="Benchmark neon-lint against rg -l on synthetic trees.")
    ap.add_argument("sizes", nargs="*", type=int, default=[1000, 10000, 100000], help="tree sizes in files (default: 1000 10000 100000)")
    ap.add_argument("--runs", type=int, default=10, help="timed runs per command (>= 5; default 10)")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--scratch", default=os.environ.get("NEON_LINT_BENCH_DIR", "/tmp/neon-lint-bench"),
                    help="where trees and results go (default /tmp/neon-lint-bench)")
    ap.add_argument("--bin", default=os.environ.get("NEON_LINT_BIN"),
                    help="time this binary instead of building target/release/neon-lint (env NEON_LINT_BIN)")
    ap.add_argument("--baseline-bin", metavar="PATH",
                    help="with --tree: also time this (earlier) neon-lint in the same run, compare its "
                         "findings with the timed binary's (exit 1 when they differ) and its phases")
    ap.add_argument("--tree", action="append", default=[], metavar="DIR",
                    help="benchmark this existing directory (repeatable) instead of synthetic trees; "
                         "see bench/README.md for the six-repository real tree")
    ap.add_argument("--regen", action="store_true", help="regenerate trees even if an identical one exists")
    ap.add_argument("--no-install", action="store_true", help="never apt-get install missing tools")
    ap.add_argument("--no-hyperfine", action="store_true", help="use the built-in timing loop even if hyperfine exists")
    args = ap.parse_args(argv)
    if args.runs < 5:
        die("--runs must be at least 5")

    ensure_tools(not args.no_install)
    if args.bin:
        nl = os.path.abspath(args.bin)
        if not (os.path.isfile(nl) and os.access(nl, os.X_OK)):
            die("--bin %s is not an executable file" % args.bin)
        log("bench: using %s (no build)" % nl)
    else:
        nl = build_neon_lint()
    rg = shutil.which("rg")
    results_dir = os.path.join(args.scratch, "results")
    os.makedirs(results_dir, exist_ok=True)
    use_hf = shutil.which("hyperfine") and not args.no_hyperfine
    versions = {"rg": subprocess.run([rg, "--version"], stdout=subprocess.PIPE, text=True).stdout.splitlines()[0],
                "hyperfine": subprocess.run(["hyperfine", "--version"], stdout=subprocess.PIPE, text=True).stdout.strip() if use_hf else None,
                "neon-lint": nl, "nproc": os.cpu_count()}

    if args.tree:
        return bench_real_trees(args, nl, rg, results_dir, use_hf, versions)

    rows, problems, warnings = [], [], []
    for size in args.sizes:
        tree, m = ensure_tree(size, args.seed, args.scratch, args.regen)
        nl_cmd = [nl, "--format", "json", tree]
        rg_cmd = [rg, "-l"] + RG_NEEDLES + [tree]

        # one checked run of each: exit codes, findings, peak RSS (also warms the page cache)
        nl_out = os.path.join(results_dir, "neon-lint-%d.json" % size)
        rc, nl_rss, err = run_once(nl_cmd, tree, nl_out)
        if rc not in (0, 1):
            log(err[-4000:])
            die("neon-lint exited %d on the %d-file tree (expected 0 or 1); command: %s"
                % (rc, size, " ".join(shlex.quote(c) for c in nl_cmd)))
        count, by_code, in_ignored, perr = findings_summary(nl_out, tree)
        if perr:
            if err.strip():
                log(err[-4000:])
            die("neon-lint --format json on the %d-file tree: %s (raw output in %s)" % (size, perr, nl_out))
        rg_out = os.path.join(results_dir, "rg-%d.txt" % size)
        rrc, rg_rss, rerr = run_once(rg_cmd, tree, rg_out)
        if rrc not in (0, 1):
            log(rerr[-2000:])
            die("rg exited %d on the %d-file tree" % (rrc, size))
        with open(rg_out, "rb") as f:
            rg_files = sum(1 for _ in f)

        log("bench: timing %d files (%s) ..." % (size, "hyperfine" if use_hf else "loop"))
        export = os.path.join(results_dir, "hyperfine-%d.json" % size)
        timer = time_hyperfine if use_hf else time_loop
        t = timer([("neon-lint", nl_cmd), ("rg", rg_cmd)], tree, args.warmup, args.runs, export)
        row = {
            "size": size, "files": m["files"], "files_scanned": m["files_scanned"], "bytes": m["bytes"],
            "nl_median": t["neon-lint"]["median"], "rg_median": t["rg"]["median"],
            "nl_timing": t["neon-lint"], "rg_timing": t["rg"],
            "ratio": t["neon-lint"]["median"] / t["rg"]["median"],
            "nl_rss_kb": nl_rss, "rg_rss_kb": rg_rss,
            "nl_us_per_file": t["neon-lint"]["median"] / m["files"] * 1e6,
            "rg_us_per_file": t["rg"]["median"] / m["files"] * 1e6,
            "nl_exit": rc, "findings": count, "findings_by_code": by_code,
            "findings_in_ignored_folders": len(in_ignored), "rg_files": rg_files,
            "planted_url_files": m["url_files"], "planted_urls": m["urls"],
            "planted_insecure_urls": m["urls_missing_or_insecure_sslmode"],
            "hyperfine_json": export if use_hf else None, "neon_lint_output": nl_out,
        }
        rows.append(row)
        if not count:
            problems.append("%d files: neon-lint reported 0 findings, but %d Neon URLs were planted (%d without a secure sslmode)"
                            % (size, m["urls"], m["urls_missing_or_insecure_sslmode"]))
        if in_ignored:
            problems.append("%d files: %d findings inside target/, node_modules/ or .git/ (e.g. %s): ignore rules not honoured"
                            % (size, len(in_ignored), in_ignored[0]))
        ssl = by_code.get("NL001", 0) + by_code.get("NL002", 0)
        if count and ssl < m["urls_missing_or_insecure_sslmode"]:
            warnings.append("%d files: %d NL001/NL002 findings < %d planted URLs with missing/insecure sslmode"
                            % (size, ssl, m["urls_missing_or_insecure_sslmode"]))

    print()
    print("neon-lint vs rg -l, warm cache, %s, %d cores, median of %d runs (%s)"
          % (versions["rg"], versions["nproc"], args.runs, versions["hyperfine"] or "built-in loop"))
    print("  neon-lint: %s --format json TREE" % nl)
    print("  rg:        rg -l %s TREE" % " ".join(RG_NEEDLES))
    print()
    print_table(rows)
    print()
    for r in rows:
        codes = ", ".join("%s %d" % kv for kv in sorted(r["findings_by_code"].items()))
        print("  %6d files: %d findings (%s); planted %d URLs in %d files, %d without a secure sslmode; neon-lint exit %d; tree %.0f MB"
              % (r["size"], r["findings"], codes or "none", r["planted_urls"], r["planted_url_files"],
                 r["planted_insecure_urls"], r["nl_exit"], r["bytes"] / 1e6))
    if len(rows) > 1:
        lo, hi = min(rows, key=lambda r: r["size"]), max(rows, key=lambda r: r["size"])
        print("  scaling: neon-lint per-file cost %d -> %d files: %.2f -> %.2f us/file (x%.2f); rg x%.2f"
              % (lo["size"], hi["size"], lo["nl_us_per_file"], hi["nl_us_per_file"],
                 hi["nl_us_per_file"] / lo["nl_us_per_file"], hi["rg_us_per_file"] / lo["rg_us_per_file"]))
        # the slope between consecutive sizes removes fixed start-up cost from the per-file figure
        srt = sorted(rows, key=lambda r: r["size"])
        steps = []
        for a, b in zip(srt, srt[1:]):
            if b["files"] > a["files"]:
                d = b["files"] - a["files"]
                steps.append("%d->%d: neon-lint %.2f, rg %.2f" % (a["size"], b["size"], (b["nl_median"] - a["nl_median"]) / d * 1e6,
                                                                 (b["rg_median"] - a["rg_median"]) / d * 1e6))
        print("  marginal cost (us per added file, start-up excluded): " + "; ".join(steps))
    targets = []
    for r in rows:
        if r["size"] >= 10000:
            targets.append("ratio at %d %s %.2fx (target <= %.1fx)" % (r["size"], "ok" if r["ratio"] <= TARGET_RATIO else "MISSED", r["ratio"], TARGET_RATIO))
        if r["size"] >= 100000:
            targets.append("RSS at %d %s %s (target < %d MB)" % (r["size"], "ok" if r["nl_rss_kb"] < TARGET_RSS_MB * 1024 else "MISSED", fmt_mb(r["nl_rss_kb"]), TARGET_RSS_MB))
    if targets:
        print("  targets (issue 7): " + "; ".join(targets))

    summary = os.path.join(results_dir, "summary.json")
    with open(summary, "w") as f:
        json.dump({"versions": versions, "runs": args.runs, "warmup": args.warmup, "seed": args.seed,
                   "rows": rows, "problems": problems, "warnings": warnings}, f, indent=1)
    print("  results: %s (hyperfine JSON and raw outputs beside it)" % summary)
    if warnings or problems:
        print()
    for w in warnings:
        print("WARNING: " + w)
    for p in problems:
        print("BROKEN RUN? " + p)
    if problems:
        return 1
    return 0


def phase_timings(binary, tree):
    """One run with NEON_LINT_TIMINGS=1: {"phases": {name: ms}, "kinds": {kind: {...}}}."""
    env = dict(os.environ, NEON_LINT_TIMINGS="1")
    p = subprocess.run([binary, "--format", "json", tree], cwd=tree, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace")
    phases, kinds = {}, {}
    for line in p.stderr.splitlines():
        m = re.match(r"timings: phase (.+) ([0-9.]+) ms(?: \(resident [0-9.]+ MB\))?$", line)
        if m:
            phases[m.group(1)] = float(m.group(2))
            continue
        m = re.match(r"timings: kind (\w+) read (\d+) candidates (\d+) bytes (\d+) parsed (\d+) "
                     r"parse ([0-9.]+) ms extract ([0-9.]+) ms$", line)
        if m:
            kinds[m.group(1)] = {"read": int(m.group(2)), "candidates": int(m.group(3)),
                                 "bytes": int(m.group(4)), "parsed": int(m.group(5)),
                                 "parse_ms": float(m.group(6)), "extract_ms": float(m.group(7))}
    return {"phases": phases, "kinds": kinds}


def normalized_findings(path):
    with open(path, "rb") as f:
        data = json.loads(f.read().decode("utf-8", "replace") or "[]")
    return sorted(json.dumps(d, sort_keys=True) for d in data)


def print_phases(label, new, old):
    """Per-phase wall times (and per-kind counts) of one run of each binary."""
    print()
    print("Phases on %s (one run each with NEON_LINT_TIMINGS=1; wall ms; extraction is thread time):" % label)
    print()
    names = list(new["phases"]) + [n for n in (old or {}).get("phases", {}) if n not in new["phases"]]
    if old:
        print("| phase | baseline | now |")
        print("|---|---:|---:|")
        for n in names:
            print("| %s | %.0f | %.0f |" % (n, old["phases"].get(n, 0), new["phases"].get(n, 0)))
    else:
        print("| phase | ms |")
        print("|---|---:|")
        for n in names:
            print("| %s | %.0f |" % (n, new["phases"].get(n, 0)))
    print()
    print("| kind | files read | candidates | candidate MB | parsed | parse ms | extract ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for k, v in sorted(new["kinds"].items(), key=lambda kv: -kv[1]["extract_ms"]):
        print("| %s | %d | %d | %.1f | %d | %.0f | %.0f |" % (k, v["read"], v["candidates"], v["bytes"] / 1e6,
                                                       v["parsed"], v["parse_ms"], v["extract_ms"]))


def bench_real_trees(args, nl, rg, results_dir, use_hf, versions):
    """Time neon-lint against `rg -l` on existing directories: median wall time, CPU seconds,
    peak RSS, and the files each tool looked at (rg --files counts what rg walks). With
    --baseline-bin, an earlier neon-lint is timed in the same run and must report the same
    findings."""
    rows = []
    status = 0
    base = os.path.abspath(args.baseline_bin) if args.baseline_bin else None
    for i, tree in enumerate(args.tree):
        tree = os.path.abspath(tree)
        if not os.path.isdir(tree):
            die("--tree %s is not a directory" % tree)
        nl_cmd = [nl, "--format", "json", tree]
        rg_cmd = [rg, "-l"] + RG_NEEDLES + [tree]
        nl_out = os.path.join(results_dir, "neon-lint-tree%d.json" % i)
        rc, nl_rss, err = run_once(nl_cmd, tree, nl_out)
        nl_cpu = LAST_CPU_S
        if rc not in (0, 1):
            log(err[-4000:])
            die("neon-lint exited %d on %s" % (rc, tree))
        count, by_code, _, perr = findings_summary(nl_out, tree)
        if perr:
            die("neon-lint --format json on %s: %s" % (tree, perr))
        row_base = {}
        cmds = [("neon-lint", nl_cmd)]
        if base:
            base_cmd = [base, "--format", "json", tree]
            base_out = os.path.join(results_dir, "baseline-tree%d.json" % i)
            brc, b_rss, berr = run_once(base_cmd, tree, base_out)
            b_cpu = LAST_CPU_S
            if brc not in (0, 1):
                log(berr[-4000:])
                die("the baseline neon-lint exited %d on %s" % (brc, tree))
            same = normalized_findings(base_out) == normalized_findings(nl_out)
            if not same:
                log("bench: FINDINGS DIFFER from the baseline on %s (see %s and %s)" % (tree, base_out, nl_out))
                status = 1
            row_base = {"baseline_rss_kb": b_rss, "baseline_cpu_s": b_cpu, "same_findings": same}
            cmds.append(("baseline", base_cmd))
        rg_out = os.path.join(results_dir, "rg-tree%d.txt" % i)
        rrc, rg_rss, _ = run_once(rg_cmd, tree, rg_out)
        rg_cpu = LAST_CPU_S
        if rrc not in (0, 1):
            die("rg exited %d on %s" % (rrc, tree))
        files = len(subprocess.run([rg, "--files", "--hidden", "-g", "!.git", tree], stdout=subprocess.PIPE).stdout.splitlines())
        with open(rg_out, "rb") as f:
            rg_files = sum(1 for _ in f)
        log("bench: timing %s (%s) ..." % (tree, "hyperfine" if use_hf else "loop"))
        export = os.path.join(results_dir, "hyperfine-tree%d.json" % i)
        timer = time_hyperfine if use_hf else time_loop
        t = timer(cmds + [("rg", rg_cmd)], tree, args.warmup, args.runs, export)
        phases = phase_timings(nl, tree)
        row = {"tree": tree, "files": files, "nl_median": t["neon-lint"]["median"],
               "rg_median": t["rg"]["median"], "ratio": t["neon-lint"]["median"] / t["rg"]["median"],
               "nl_cpu_s": nl_cpu, "rg_cpu_s": rg_cpu, "nl_rss_kb": nl_rss, "rg_rss_kb": rg_rss,
               "findings": count, "findings_by_code": by_code, "rg_files": rg_files, "phases": phases}
        if base:
            row.update(row_base)
            row["baseline_median"] = t["baseline"]["median"]
            row["baseline_ratio"] = t["baseline"]["median"] / t["rg"]["median"]
            row["baseline_phases"] = phase_timings(base, tree)
        rows.append(row)
    print()
    print("neon-lint vs rg -l on real trees, warm cache, %s, %d cores, median of %d runs (%s)"
          % (versions["rg"], versions["nproc"], args.runs, versions["hyperfine"] or "built-in loop"))
    print()
    print("| tree | files | neon-lint | rg -l | ratio | neon-lint CPU | rg CPU | neon-lint RSS | rg RSS | findings |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print("| %s | %d | %s | %s | %.2fx | %.2f s | %.2f s | %s | %s | %d |"
              % (os.path.basename(r["tree"]) or r["tree"], r["files"], fmt_s(r["nl_median"]), fmt_s(r["rg_median"]),
                 r["ratio"], r["nl_cpu_s"], r["rg_cpu_s"], fmt_mb(r["nl_rss_kb"]), fmt_mb(r["rg_rss_kb"]), r["findings"]))
        if base:
            print("| %s (baseline) | | %s | | %.2fx | %.2f s | | %s | | %s |"
                  % (os.path.basename(r["tree"]) or r["tree"], fmt_s(r["baseline_median"]), r["baseline_ratio"],
                     r["baseline_cpu_s"], fmt_mb(r["baseline_rss_kb"]),
                     "same" if r["same_findings"] else "DIFFERENT"))
    for r in rows:
        print_phases(os.path.basename(r["tree"]) or r["tree"], r["phases"], r.get("baseline_phases"))
    print()
    for r in rows:
        ok_ratio = r["ratio"] <= TARGET_RATIO
        ok_rss = r["nl_rss_kb"] / 1024 <= TARGET_RSS_MB
        print("issue 15 targets on %s: ratio %.2fx (target <= %.1fx: %s), peak RSS %s (target <= %d MB: %s)"
              % (os.path.basename(r["tree"]), r["ratio"], TARGET_RATIO, "met" if ok_ratio else "NOT met",
                 fmt_mb(r["nl_rss_kb"]), TARGET_RSS_MB, "met" if ok_rss else "NOT met"))
    summary = os.path.join(results_dir, "summary-trees.json")
    with open(summary, "w") as f:
        json.dump({"versions": versions, "runs": args.runs, "rows": rows}, f, indent=1)
    print("  results: %s" % summary)
    return status


if __name__ == "__main__":
    sys.exit(main())
