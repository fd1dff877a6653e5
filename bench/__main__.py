"""``python -m bench``: every size with every solver, then bench/RESULTS.md.

Each measurement runs in its own process (``python -m bench.run``) so build time, solve
time and peak memory of one run do not leak into the next.  Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import signal
import subprocess
import sys
import time
from importlib import metadata

from bench.generate import SIZES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "RESULTS.md")

# Targets the optimizer must meet (issue 5).
TARGET_M_SOLVE_S = 10.0
TARGET_M_GAP = 0.001
TARGET_L_GAP = 0.01
TARGET_L_SOLVE_S = 120.0
TARGET_L_BUILD_S = 15.0
TARGET_T_GAP = 0.01          # bench M with 2, 4, 8 competing training runs (issue 17)
TARGET_T_SOLVE_S = 120.0
TARGET_WALL_RATIO = 1.05     # wall time / time limit, or the limit plus 5 s if larger
TARGET_WALL_SLACK_S = 5.0


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def child(args: list[str], timeout_s: float) -> dict:
    """Run ``python -m bench.run ARGS`` and return its JSON (or an error record)."""
    cmd = [sys.executable, "-m", "bench.run", *args]
    start = time.perf_counter()
    # own process group, so a timeout also ends the CBC process the child started
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        _, stderr = proc.communicate()
        out = {"error": f"killed after {timeout_s:.0f} s", "wall_seconds": time.perf_counter() - start}
        out.update(built(stderr or ""))
        return out
    for line in reversed(stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    tail = (stderr or stdout).strip().splitlines()[-3:]
    return {"error": f"exit {proc.returncode}: " + " | ".join(tail)}


_BUILT = re.compile(r"model built: (\d+) variables \((\d+) integer\), (\d+) constraints in ([\d.]+) s")


def built(progress: str) -> dict:
    """Model size and build time from a run's progress lines (for runs killed mid-solve)."""
    found = _BUILT.findall(progress)
    if not found:
        return {}
    n_vars, n_int, n_cons, seconds = found[-1]
    return {"variables": int(n_vars), "integer_variables": int(n_int),
            "constraints": int(n_cons), "build_seconds": float(seconds)}


# ------------------------------------------------------------------------- machine
def machine() -> dict[str, str]:
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ram = "?"
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("MemTotal"):
                    ram = f"{int(line.split()[1]) / 1024 ** 2:.1f} GiB"
                    break
    except OSError:
        pass

    def version(pkg: str) -> str:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "not installed"

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], check=False, cwd=ROOT, capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return "?"

    dirty = git("status", "--porcelain", "--", "planner/optimize")
    try:
        with open("/proc/loadavg", encoding="utf-8") as fh:
            load = " ".join(fh.read().split()[:3])
    except OSError:
        load = "?"
    return {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "python": platform.python_version(),
        "pulp": version("pulp"),
        "highspy": version("highspy"),
        "numpy": version("numpy"),
        "commit": git("rev-parse", "--short", "HEAD") + (" (planner/optimize modified)" if dirty else ""),
        "load average at start (1, 5, 15 min)": load,
    }


# ------------------------------------------------------------------------- runs
def rank(row: dict) -> tuple:
    """Better solver first: proven within the requested gap (then faster), else the
    smaller gap reached (then faster)."""
    mip = row.get("mip", {})
    gap = mip.get("gap")
    if mip.get("termination") == "optimal":
        return (0, 0.0, mip.get("solve_seconds", float("inf")))
    return (1, gap if gap is not None else float("inf"), mip.get("solve_seconds", float("inf")))


def faster_solver(rows: list[dict], solvers: list[str]) -> str:
    """The solver that did better (see :func:`rank`; a failed run ranks last) on more of the
    sizes measured so far; ties go to the better one on the largest size, then HiGHS."""
    wins = {s: 0 for s in solvers}
    last = None
    for size in SIZES:
        runs = [r for r in rows if r["size"] == size and r["solver"] in wins]
        if len(runs) < 2:
            continue
        best = min(runs, key=lambda r: (1, ()) if "error" in r["mip"] else (0, rank(r)))
        wins[best["solver"]] += 1
        last = best["solver"]
    top = max(wins.values())
    tied = [s for s in solvers if wins[s] == top]
    if len(tied) == 1:
        return tied[0]
    if last in tied:
        return last
    return "highs" if "highs" in tied else tied[0]


def run_all(sizes: list[str], solvers: list[str], seed: int, profile_size: str | None) -> dict:
    greedy: dict[str, dict] = {}
    rows: list[dict] = []
    for size in sizes:
        spec = SIZES[size]
        margin = 2 * spec.time_limit_s + 120
        log(f"{size}: greedy baseline")
        greedy[size] = g = child(["--size", size, "--seed", str(seed), "--greedy"], margin)
        if "error" in g:
            log(f"{size}: greedy failed: {g['error']}")
        else:
            log(f"{size}: {g['instance']}; greedy ${g['cost_usd']:,.0f} in {g['seconds']:.2f} s")
        size_solvers = solvers
        if (size == "XL" or SIZES[size].base) and len(solvers) > 1:
            faster = faster_solver(rows, solvers)
            size_solvers = [faster]
            log(f"{size}: only with the faster solver, {faster}")
        for solver in size_solvers:
            common = ["--size", size, "--seed", str(seed), "--solver", solver]
            log(f"{size}/{solver}: MIP (time limit {spec.time_limit_s:g} s, gap {spec.mip_gap:g})")
            mip = child(common, margin)
            if "error" in mip:
                log(f"{size}/{solver}: MIP failed: {mip['error']}")
            else:
                gap = mip["gap"]
                log(f"{size}/{solver}: {mip['termination']}, build {mip['build_seconds']:.2f} s, "
                    f"solve {mip['solve_seconds']:.2f} s, gap "
                    f"{'-' if gap is None else f'{gap:.4%}'}, peak {mip['peak_rss_mb']:.0f} MB")
            log(f"{size}/{solver}: LP relaxation")
            lp = child(common + ["--relax"], margin)
            if "error" in lp:
                log(f"{size}/{solver}: LP failed: {lp['error']}")
            rows.append({"size": size, "solver": solver, "mip": mip, "lp": lp})
    profile = None
    if profile_size:
        log(f"profiling the model build at size {profile_size}")
        profile = child(["--size", profile_size, "--seed", str(seed), "--profile", "--top", "15"], 900)
    return {"seed": seed, "greedy": greedy, "rows": rows, "profile": profile}


# ------------------------------------------------------------------------- report
def money(x: float | None) -> str:
    if x is None:
        return "-"
    if abs(x) >= 1e9:
        return f"{x / 1e9:,.3f} B"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.3f} M"
    return f"{x:,.0f}"


def pct(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{100 * x:.{digits}f}%"


def secs(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def cpu_share(run: dict) -> str:
    """CPU seconds over wall seconds of the measuring process: ~100 % single-threaded on
    an idle machine, less when other work competes for the cores."""
    if not run.get("process_seconds"):
        return "-"
    return f"{100 * run['cpu_seconds'] / run['process_seconds']:.0f}"


def saving(row: dict, greedy: dict) -> tuple[float | None, float | None]:
    obj = row["mip"].get("objective_usd")
    g = greedy.get("cost_usd")
    if obj is None or g is None:
        return None, None
    return g - obj, (g - obj) / g


def table(results: dict) -> list[str]:
    head = ("| size | solver | vars (int) | cons | build s | solve s | wall / limit | termination "
            "| objective $ | best bound $ | gap | LP bound $ | greedy $ | MIP saving $ | saving % "
            "| peak MB | CPU % |")
    lines = [head, "|" + "---|" * 17]
    for row in results["rows"]:
        mip, lp = row["mip"], row["lp"]
        g = results["greedy"].get(row["size"], {})
        if "error" in mip:
            size = (f"{mip['variables']:,} ({mip['integer_variables']:,}) | {mip['constraints']:,} "
                    f"| {secs(mip['build_seconds'])}" if "variables" in mip else " | |")
            lines.append(f"| {row['size']} | {row['solver']} | {size} | | | {mip['error']} | | | | "
                         f"{money(lp.get('objective_usd'))} | {money(g.get('cost_usd'))} | | | | |")
            continue
        save, save_pct = saving(row, g)
        lines.append(
            f"| {row['size']} | {row['solver']} | {mip['variables']:,} ({mip['integer_variables']:,}) "
            f"| {mip['constraints']:,} | {secs(mip['build_seconds'])} | {secs(mip['solve_seconds'])} "
            f"| {wall_ratio(mip)} | {mip['termination']} | {money(mip['objective_usd'])} | {money(mip['best_bound_usd'])} "
            f"| {pct(mip['gap'], 3)} | {money(lp.get('objective_usd'))} | {money(g.get('cost_usd'))} "
            f"| {money(save)} | {pct(save_pct)} | {mip['peak_rss_mb']:.0f} | {cpu_share(mip)} |")
    return lines


def wall_ratio(mip: dict) -> str:
    """The whole ``solve_plan`` call (build, every solver stage, reading the plan out) over
    the time limit asked."""
    if not mip.get("wall_seconds") or not mip.get("time_limit_s"):
        return "-"
    return f"{mip['wall_seconds'] / mip['time_limit_s']:.3f}"


def within_limit(mip: dict) -> bool:
    limit = mip["time_limit_s"]
    return mip["wall_seconds"] <= max(TARGET_WALL_RATIO * limit, limit + TARGET_WALL_SLACK_S)


def best_for(results: dict, size: str) -> dict | None:
    rows = [r for r in results["rows"] if r["size"] == size and "error" not in r["mip"]]
    return min(rows, key=rank) if rows else None


def targets(results: dict) -> list[str]:
    out = []

    def verdict(ok: bool | None) -> str:
        return "not run" if ok is None else ("**met**" if ok else "**not met**")

    def outcome(r: dict) -> str:
        if "error" in r["mip"]:
            return f"{r['solver']}: {r['mip']['error']}"
        return (f"{r['solver']}: gap {pct(r['mip']['gap'], 3)} after {r['mip']['solve_seconds']:.1f} s "
                f"({r['mip']['termination']})")

    m_all = [r for r in results["rows"] if r["size"] == "M"]
    m = [r for r in m_all if "error" not in r["mip"]]
    ok = None
    detail = ""
    if m_all:
        good = [r for r in m if r["mip"]["gap"] is not None and r["mip"]["gap"] <= TARGET_M_GAP + 1e-12
                and r["mip"]["solve_seconds"] < TARGET_M_SOLVE_S]
        ok = bool(good)
        detail = "; ".join(outcome(r) for r in m_all)
    out.append(f"- M solves to gap <= {pct(TARGET_M_GAP, 1)} in < {TARGET_M_SOLVE_S:g} s: "
               f"{verdict(ok)} ({detail or 'M not run'})")
    l_all = [r for r in results["rows"] if r["size"] == "L"]
    lrows = [r for r in l_all if "error" not in r["mip"]]
    ok = None
    detail = ""
    if l_all:
        good = [r for r in lrows if r["mip"]["gap"] is not None and r["mip"]["gap"] <= TARGET_L_GAP + 1e-12
                and r["mip"]["solve_seconds"] <= TARGET_L_SOLVE_S + 5]
        ok = bool(good)
        detail = "; ".join(outcome(r) for r in l_all)
    out.append(f"- L solves to gap <= {pct(TARGET_L_GAP, 0)} within {TARGET_L_SOLVE_S:g} s: "
               f"{verdict(ok)} ({detail or 'L not run'})")
    ok = None
    builds = [run["build_seconds"] for r in l_all for run in (r["mip"], r["lp"]) if "build_seconds" in run]
    if builds:
        ok = max(builds) < TARGET_L_BUILD_S
        detail = f"{max(builds):.2f} s at most over {len(builds)} builds"
    out.append(f"- Building the L model takes < {TARGET_L_BUILD_S:g} s: {verdict(ok)} "
               f"({detail if builds else 'L not run'})")
    sizes = sorted({r["size"] for r in results["rows"]}, key=list(SIZES).index)
    parts, all_ok = [], True
    for size in sizes:
        best = min((r for r in results["rows"] if r["size"] == size and "error" not in r["mip"]
                    and r["mip"].get("objective_usd") is not None),
                   key=lambda r: r["mip"]["objective_usd"], default=None)
        g = results["greedy"].get(size, {})
        if best is None or "cost_usd" not in g:
            parts.append(f"{size}: no comparison")
            all_ok = False
            continue
        save, save_pct = saving(best, g)
        all_ok &= save > 0
        parts.append(f"{size}: {pct(save_pct)} ({best['solver']})")
    out.append(f"- The MIP costs less than greedy on every size: "
               f"{verdict(all_ok if sizes else None)} ({'; '.join(parts)})")
    out += competing_targets(results, verdict, outcome)
    timed = [r for r in results["rows"] if "error" not in r["mip"] and r["mip"].get("wall_seconds")]
    late = [f"{r['size']}/{r['solver']} {wall_ratio(r['mip'])}" for r in timed if not within_limit(r["mip"])]
    late += [f"{r['size']}/{r['solver']} {r['mip']['error']}" for r in results["rows"]
             if "killed" in r["mip"].get("error", "")]
    worst = max(timed, key=lambda r: r["mip"]["wall_seconds"] / r["mip"]["time_limit_s"], default=None)
    out.append(f"- Every solve ends within {TARGET_WALL_RATIO:g} x its time limit (or the limit + "
               f"{TARGET_WALL_SLACK_S:g} s): {verdict(not late if timed or late else None)} ("
               + (f"late: {', '.join(late)}" if late else
                  f"worst {worst['size']}/{worst['solver']} {wall_ratio(worst['mip'])}" if worst else "none run")
               + ")")
    return out


def competing_targets(results: dict, verdict, outcome) -> list[str]:
    """Bench M with 2, 4 and 8 competing training runs: gap <= 1% within 120 s."""
    out = []
    for size in [s for s in SIZES if SIZES[s].competing]:
        rows = [r for r in results["rows"] if r["size"] == size]
        if not rows:
            continue
        good = [r for r in rows if "error" not in r["mip"] and r["mip"]["gap"] is not None
                and r["mip"]["gap"] <= TARGET_T_GAP + 1e-12
                and r["mip"]["wall_seconds"] <= TARGET_T_SOLVE_S + TARGET_WALL_SLACK_S]
        out.append(f"- {size} solves to gap <= {pct(TARGET_T_GAP, 0)} within {TARGET_T_SOLVE_S:g} s: "
                   f"{verdict(bool(good))} ({'; '.join(outcome(r) for r in rows)})")
    return out


def reading(results: dict) -> list[str]:
    """A short, data-driven reading of the table."""
    lines = []
    for size in sorted({r["size"] for r in results["rows"]}, key=list(SIZES).index):
        rows = [r for r in results["rows"] if r["size"] == size and "error" not in r["mip"]]
        g = results["greedy"].get(size, {})
        lps = [r["lp"]["objective_usd"] for r in results["rows"] if r["size"] == size
               and r["lp"].get("objective_usd") is not None]
        headroom = ""
        if lps and g.get("cost_usd"):
            headroom = (f"greedy is {pct((g['cost_usd'] - max(lps)) / g['cost_usd'])} above the LP "
                        "bound, the most any plan could save")
        if not rows:
            errors = [f"{r['solver']} {r['mip']['error']} (time limit {SIZES[size].time_limit_s:g} s"
                      + (f", model built in {r['mip']['build_seconds']:.1f} s" if "build_seconds" in r["mip"] else "")
                      + ")" for r in results["rows"] if r["size"] == size]
            lines.append(f"- **{size}**: no solver returned a plan: " + "; ".join(errors)
                         + (f"; {headroom}" if headroom else "") + ".")
            continue
        best = min(rows, key=rank)
        mip = best["mip"]
        if mip.get("objective_usd") is None:
            parts = [(f"no plan found: {best['solver']} {mip['termination']} after "
                     f"{mip['solve_seconds']:.1f} s")]
        else:
            parts = [(f"best solver {best['solver']} ({mip['termination']}, gap {pct(mip['gap'], 3)}, "
                     f"{mip['solve_seconds']:.1f} s)")]
        over = [f"{r['solver']} by {r['mip']['solve_seconds'] - r['mip']['time_limit_s']:.0f} s"
                for r in rows if r["mip"]["solve_seconds"] > 1.05 * r["mip"]["time_limit_s"] + 1]
        if over:
            parts.append("time limit overrun: " + ", ".join(over))
        if len(rows) > 1 and mip.get("objective_usd") is not None:
            other = next(r for r in rows if r is not best)
            parts.append(f"{other['solver']}: {other['mip']['termination']}, gap "
                         f"{pct(other['mip']['gap'], 3)}, {other['mip']['solve_seconds']:.1f} s")
        parts += [f"{r['solver']}: {r['mip']['error']} (time limit {SIZES[size].time_limit_s:g} s)"
                  for r in results["rows"] if r["size"] == size and "error" in r["mip"]]
        lp = best["lp"].get("objective_usd")
        if lp and mip.get("objective_usd"):
            parts.append(f"the incumbent is {pct((mip['objective_usd'] - lp) / mip['objective_usd'])} "
                         f"above the LP relaxation")
        save, save_pct = saving(best, g)
        if save is None and headroom:
            parts.append(headroom)
        if save is not None:
            word = "saves" if save > 0 else "costs more than greedy by"
            parts.append(f"the MIP {word} {money(abs(save))} ({pct(abs(save_pct))})"
                         + ("" if save > 0 else " - the solver stopped before beating a simple heuristic"))
        lines.append(f"- **{size}**: " + "; ".join(parts) + ".")
    prof = results.get("profile")
    if prof and "by_cumulative" in prof:
        top = [r for r in prof["by_cumulative"] if r["function"] not in ("build_model",)][:3]
        lines.append(f"- **Model build** ({prof['size']}, under cProfile, {prof['build_seconds']:.2f} s): "
                     + ", ".join(f"`{r['function']}` ({r['where']}) {r['cumtime_s']:.2f} s" for r in top)
                     + ".")
    return lines


def write_results(results: dict, info: dict, path: str) -> None:
    lines = ["# Benchmark results", "",
             ("Generated by `python -m bench` (see bench/README.md for what each column means); "
             "do not edit by hand."), "",
             "## Machine", ""]
    lines += [f"- {k}: {v}" for k, v in info.items()]
    lines += ["", "## Instances", "", f"Seed {results['seed']}; `bench.generate.generate(size, seed)`.", ""]
    for size, g in results["greedy"].items():
        spec = SIZES[size]
        lines.append(f"- **{size}** (time limit {spec.time_limit_s:g} s, gap {pct(spec.mip_gap, 1)}): "
                     + (g.get("instance") or g.get("error", "?")))
    lines += ["", "## Results", ""] + table(results)
    lines += ["", "Greedy run time: " + ", ".join(
        f"{size} {g['seconds']:.2f} s" for size, g in results["greedy"].items() if "seconds" in g) + ".",
        "", "## Targets", ""] + targets(results)
    lines += ["", "## Reading", ""] + reading(results)
    prof = results.get("profile")
    if prof and "by_cumulative" in prof:
        lines += ["", f"## Model build profile ({prof['size']})", "",
                  (f"cProfile of `prepare` + `build_model`: {prof['build_seconds']:.2f} s under the "
                  f"profiler (peak {prof['peak_rss_mb']:.0f} MB). Functions under planner/, by "
                  "cumulative time:"), "",
                  "| cumulative s | own s | calls | function | where |", "|---|---|---|---|---|"]
        for r in prof["by_cumulative"]:
            lines.append(f"| {r['cumtime_s']:.2f} | {r['tottime_s']:.2f} | {r['calls']:,} | "
                         f"`{r['function']}` | {r['where']} |")
        lines += ["", "All functions by own time:", "",
                  "| own s | cumulative s | calls | function | where |", "|---|---|---|---|---|"]
        for r in prof["by_self"]:
            lines.append(f"| {r['tottime_s']:.2f} | {r['cumtime_s']:.2f} | {r['calls']:,} | "
                         f"`{r['function']}` | {r['where']} |")
    with open(path + ".tmp", "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    os.replace(path + ".tmp", path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=",".join(SIZES),
                    help=f"comma-separated, from {','.join(SIZES)}")
    ap.add_argument("--solvers", default="cbc,highs", help="comma-separated, from cbc,highs")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--profile-size", default="L",
                    help="size whose model build is profiled ('' to skip)")
    ap.add_argument("--out", default=RESULTS, help="where to write the results (Markdown)")
    ap.add_argument("--json", default=None, help="also write the raw measurements here")
    args = ap.parse_args(argv)
    sizes = [s.strip().upper() for s in args.sizes.split(",") if s.strip()]
    solvers = [s.strip().lower() for s in args.solvers.split(",") if s.strip()]
    for s in sizes:
        if s not in SIZES:
            ap.error(f"unknown size {s}")
    for s in solvers:
        if s not in ("cbc", "highs"):
            ap.error(f"unknown solver {s}")
    info = machine()
    log(f"machine: {info['cpu']}, {info['cores']} cores, {info['ram']}; commit {info['commit']}; "
        f"load {info['load average at start (1, 5, 15 min)']}")
    results = run_all(sizes, solvers, args.seed, args.profile_size.upper() or None)
    info["load average at end (1, 5, 15 min)"] = machine()["load average at start (1, 5, 15 min)"]
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"machine": info, **results}, fh, indent=1)
    write_results(results, info, args.out)
    log(f"wrote {args.out}")
    print("\n".join(table(results) + [""] + targets(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
