"""Every benchmark, one after another, then each figure against its target and its peers.

What ``make bench`` runs. Before the benchmarks it makes what they need, so a fresh clone runs them
all with nothing done by hand: a store loaded from DEVOLUTION_DATA (DEVOLUTION_STORE if given, else
build/bench.duckdb, loaded once and kept), the scenario kernels compiled into numba's cache, and
the OpenFisca-Core peer's own virtualenv (bench/openfisca_peer/.venv, made by its create_venv.sh:
OpenFisca pins its own numpy). Each
bench_*.py runs in its own process with its output shown as it comes; at the end every line that
names a target or a peer is printed again under its benchmark, with the benchmarks that failed.
The exit status is 1 if a benchmark failed or the peer's environment could not be made.

Run: .venv/bin/python bench/all.py [name ...]      (names: e.g. settlement scenarios; default all)
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PEER = HERE / "openfisca_peer"
#: Lines of a benchmark's output repeated in the summary: its figures against targets and peers.
FIGURE = re.compile(r"target|peer|floor|parts|\bMISS|\bPASS\b|\bmet\b|identical|agree|\dx (yes|no)\b",
                    re.IGNORECASE)


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DEVOLUTION_DATA", str((ROOT.parent / "shared" / "data").resolve()))
    env.setdefault("DEVOLUTION_STORE", str(ROOT / "build" / "bench.duckdb"))
    return env


def ensure_store(env: dict[str, str]) -> None:
    store = Path(env["DEVOLUTION_STORE"])
    if store.exists():
        print(f"store: {store} (delete it to load {env['DEVOLUTION_DATA']} again)")
        return
    store.parent.mkdir(parents=True, exist_ok=True)
    print(f"store: loading {env['DEVOLUTION_DATA']} into {store}", flush=True)
    subprocess.run([str(Path(sys.executable).parent / "devo"), "data", "load", env["DEVOLUTION_DATA"]], env=env,
                   check=True, stdout=subprocess.DEVNULL)


def compile_kernels(env: dict[str, str]) -> None:
    """Run a small scenario once, so numba compiles the Monte Carlo's kernels into its cache before
    any benchmark is timed (a server's workers would otherwise compile them while warming up)."""
    print("numba: compiling the scenario kernels once (kept in its cache for every later process)", flush=True)
    code = ("from devolution.scenarios import model, runner; from devolution.store import Store\n"
            "with Store(read_only=True) as store:\n"
            "    runner.run(model.check({'name': 'warm', 'years': '2025-26..2026-27'}), store, draws=20,"
            " memo=runner.Recent(1))")
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def ensure_peer() -> str | None:
    """The OpenFisca-Core peer's virtualenv, made if missing; a reason if it could not be."""
    if (PEER / ".venv" / "bin" / "python").exists():
        print(f"OpenFisca-Core peer: {PEER / '.venv'}")
        return None
    print(f"OpenFisca-Core peer: making its environment ({PEER / 'create_venv.sh'}, a minute or two)", flush=True)
    made = subprocess.run(["bash", str(PEER / "create_venv.sh")], capture_output=True, text=True)
    if made.returncode != 0:
        return f"could not make its environment: {(made.stderr or made.stdout).strip().splitlines()[-1:]}"
    print(made.stdout.strip())
    return None


def run(script: Path, env: dict[str, str]) -> tuple[int, float, list[str]]:
    """Run one benchmark, its output shown as it comes; (exit status, seconds, its figure lines)."""
    print(f"\n== {script.relative_to(ROOT)}", flush=True)
    start = time.perf_counter()
    figures = []
    with subprocess.Popen([sys.executable, str(script)], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, bufsize=1) as process:
        for line in process.stdout:
            print(line, end="", flush=True)
            if FIGURE.search(line) and "Warning" not in line:
                figures.append(line.rstrip())
    return process.returncode, time.perf_counter() - start, figures


def main(names: list[str]) -> int:
    env = environment()
    ensure_store(env)
    compile_kernels(env)
    peer_problem = ensure_peer()
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in names or s.stem in names]
        if not scripts:
            print(f"no benchmark named {', '.join(names)} (expected some of "
                  f"{', '.join(s.stem.removeprefix('bench_') for s in sorted(HERE.glob('bench_*.py')))})")
            return 1
    results = [(script, *run(script, env)) for script in scripts]

    print("\n" + "=" * 100 + "\nsummary: each figure against its target and its peers, measured in the same run")
    failed = []
    for script, status, seconds, figures in results:
        print(f"\n{script.stem} ({seconds:.0f} s){'' if status == 0 else f': FAILED (exit status {status})'}")
        for line in figures:
            print(f"  {line.strip()}")
        if status != 0:
            failed.append(script.stem)
    if peer_problem:
        print(f"\nOpenFisca-Core peer: {peer_problem}")
    missed = sum(len(re.findall(r"\bMISS", line)) for *_, figures in results for line in figures)
    print(f"\n{len(results)} benchmarks; {len(failed)} failed{': ' + ', '.join(failed) if failed else ''}; "
          f"{missed} figures missed their targets")
    return 1 if failed or peer_problem else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
