#!/usr/bin/env python3
"""Time what the pre-commit hook costs: neon-lint on ONE named file in a synthetic tree
(the file is judged with its project's context: `.env` files, manifests, workflows, its own
crate's sources), against the full lint of the same tree. Warm cache, median of --runs.

    python3 bench/staged.py --bin target/release/neon-lint [--files 10000] [--runs 15]
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def cpu_of_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def median_seconds(cmd, cwd, runs):
    """Median wall time and median CPU time (user + sys) of `runs` runs."""
    for _ in range(3):  # warm-up
        subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    walls, cpus = [], []
    for _ in range(runs):
        cpu = cpu_of_children()
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        cpus.append(cpu_of_children() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def pick_staged_file(tree):
    """A Rust source of a database crate: the case the context exists for."""
    for path in sorted(tree.glob("crates/*/src/*.rs")):
        text = path.read_text(errors="replace")
        if "migrate!" in text or "PgPoolOptions" in text:
            return path.relative_to(tree)
    sys.exit("no database crate in the tree")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True, help="the neon-lint binary to time")
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--tree", help="tree folder (default /tmp/neon-lint-staged-FILES)")
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    tree = Path(args.tree or f"/tmp/neon-lint-staged-{args.files}")
    if not tree.is_dir():
        subprocess.run(
            [sys.executable, str(HERE / "gen_tree.py"), "--files", str(args.files),
             "--seed", str(args.seed), "--out", str(tree), "--quiet"],
            check=True,
        )
    staged = pick_staged_file(tree)
    one = median_seconds([binary, "--format", "json", str(staged)], tree, args.runs)
    full = median_seconds([binary, "--format", "json"], tree, args.runs)
    print(f"tree: {tree} ({args.files} files, seed {args.seed})")
    # CPU time says more than wall time on a busy machine.
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"one named file ({staged}): {one[0] * 1000:.0f} ms wall, {one[1] * 1000:.0f} ms CPU")
    print(f"full lint of the tree: {full[0] * 1000:.0f} ms wall, {full[1] * 1000:.0f} ms CPU")


if __name__ == "__main__":
    main()
