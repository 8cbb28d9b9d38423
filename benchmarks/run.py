"""hflint's speed against flake8's own cost, on the same files. One command; prints a table of ratios.

    python benchmarks/run.py [--repeat 3] [--write]

Corpora (all offline once the test extras are installed):
  stdlib        a fixed slice of the installed standard library (code without Hugging Face)
  transformers  a fixed slice of the installed transformers sources (Hugging Face heavy)
  fixtures      hflint's golden fixtures
  <repo>        every repository exported under benchmarks/.work by benchmarks/realworld.py, if any

Measured in child processes, CPU seconds (user+sys, from os.wait4), median of --repeat runs:
  flake8+hflint   flake8 with hflint installed (this environment)
  flake8          the same flake8 version without hflint (a second venv under benchmarks/.work)
  pyflakes, ruff  from that second venv
  hflint          `hflint check` single process, and with --jobs 2
In process: per-rule time share, libcst parse/analysis share and the prefilter's pass rate; peak memory
(max RSS) of `hflint check`; the time to lint one 1,000-line file after start-up (what an editor pays).
--write stores the table in benchmarks/RESULTS.md with the machine and versions.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import sysconfig
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
BASELINE_VENV = WORK / "venv-flake8"

TARGETS = {  # name: (ratio row, limit)
    "flake8+hflint / flake8 (stdlib)": 1.05,
    "flake8+hflint / flake8 (transformers)": 1.5,
    "hflint / flake8 (transformers)": 1.0,
}


def stdlib_slice(n: int = 400) -> list[Path]:
    lib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in lib.rglob("*.py")
                   if "site-packages" not in p.parts and "test" not in p.parts and "tests" not in p.parts
                   and "lib2to3" not in p.parts and "idlelib" not in p.parts)
    return files[:n]


def transformers_slice() -> list[Path]:
    spec = metadata.distribution("transformers")
    pkg = Path(spec.locate_file("transformers"))
    picked = sorted(pkg.glob("*.py")) + sorted((pkg / "pipelines").glob("*.py")) + \
        sorted((pkg / "data").rglob("*.py")) + sorted((pkg / "generation").glob("*.py"))
    for model in ("bert", "roberta", "gpt2", "t5", "llama", "distilbert", "bart", "clip", "whisper", "vit"):
        picked += sorted((pkg / "models" / model).glob("*.py"))
    return picked


def corpora(extra: list[str]) -> dict[str, list[Path]]:
    found = {"stdlib": stdlib_slice(), "transformers": transformers_slice(),
             "fixtures": sorted((ROOT / "fixtures").rglob("*.py"))}
    if WORK.is_dir():
        for repo in sorted(p for p in WORK.iterdir() if p.is_dir() and (p / ".commit").exists()):
            found[repo.name] = sorted(repo.rglob("*.py"))
    for item in extra:  # NAME=DIR
        name, _, folder = item.partition("=")
        found[name] = sorted(Path(folder).rglob("*.py"))
    return found


def ensure_baseline_venv() -> Path:
    """flake8 of the same version, without hflint, plus pyflakes and ruff."""
    py = BASELINE_VENV / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BASELINE_VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", f"flake8=={metadata.version('flake8')}", "ruff"],
                       check=True)
    return BASELINE_VENV / "bin"


def cpu_of(cmd: list[str], cwd: Path) -> tuple[float, int]:
    """CPU seconds (user+sys) and max RSS in kB of one child process."""
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=null, stderr=null)
        _, _, usage = os.wait4(proc.pid, 0)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def median_cpu(cmd, cwd, repeat) -> tuple[float, int]:
    runs = [cpu_of(cmd, cwd) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def in_process(files: list[Path]) -> dict:
    from hflint.config import Settings
    from hflint.engine import lint_source

    settings = Settings(select=["ALL"])
    totals: dict[str, float] = {}
    parsed = mentions = 0
    for path in files:
        data = path.read_bytes()
        mentions += b"transformers" in data
        result = lint_source(data, str(path), settings)
        parsed += result.parsed
        for key, seconds in result.seconds.items():
            totals[key] = totals.get(key, 0.0) + seconds
    return {"files": len(files), "mention": mentions, "parsed": parsed, "seconds": totals}


def one_file_latency() -> float:
    """Median wall time to lint a 1,000-line Hugging Face script, imports already done."""
    from hflint.config import Settings
    from hflint.engine import lint_source

    fixtures = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "fixtures").rglob("*.py"))]
    parts: list[str] = []
    while sum(part.count("\n") for part in parts) < 1000:  # whole scripts, so the file stays valid Python
        i = len(parts)
        parts.append(fixtures[i % len(fixtures)].replace("def ", f"def v{i}_").replace("class ", f"class V{i}"))
    source = "\n".join(parts)
    lint_source(source, "warmup.py", Settings())
    times = []
    for _ in range(5):
        start = time.perf_counter()
        lint_source(source, "big.py", Settings())
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="store the results in benchmarks/RESULTS.md")
    parser.add_argument("--only", action="append", help="corpus names to run (default: all)")
    parser.add_argument("--corpus", action="append", default=[], metavar="NAME=DIR",
                        help="another folder of Python files to measure, e.g. a transformers examples/ tree")
    args = parser.parse_args()

    base = ensure_baseline_venv()
    here = Path(sys.executable).parent
    rows = []
    ratios = {}
    memory = {}
    for name, files in corpora(args.corpus).items():
        if args.only and name not in args.only:
            continue
        if not files:
            continue
        paths = [str(p) for p in files]
        tools = {
            "flake8": [str(base / "flake8"), "--jobs", "1", *paths],
            "flake8+hflint": [str(here / "flake8"), "--jobs", "1", *paths],
            "pyflakes": [str(base / "pyflakes"), *paths],
            "ruff": [str(base / "ruff"), "check", "--no-cache", "--isolated", "--exit-zero", *paths],
            "hflint": [str(here / "hflint"), "check", "--no-config", "--exit-zero", *paths],
            "hflint -j2": [str(here / "hflint"), "check", "--no-config", "--exit-zero", "--jobs", "2", *paths],
        }
        cpu = {}
        for tool, cmd in tools.items():
            cpu[tool], rss = median_cpu(cmd, ROOT, args.repeat)
            if tool == "hflint":
                memory[name] = rss / 1024
        inproc = in_process(files)
        total = sum(inproc["seconds"].values()) or 1e-9
        rule_share = {k: v / total for k, v in inproc["seconds"].items() if k.startswith("HF")}
        worst = max(rule_share.items(), key=lambda kv: kv[1]) if rule_share else ("-", 0.0)
        ratios[f"flake8+hflint / flake8 ({name})"] = cpu["flake8+hflint"] / cpu["flake8"]
        ratios[f"hflint / flake8 ({name})"] = cpu["hflint"] / cpu["flake8"]
        rows.append((name, len(files), inproc["mention"], inproc["parsed"], cpu, worst, inproc["seconds"]))

    latency = one_file_latency()
    out = []
    out.append("| corpus | files | mention HF | parsed by libcst | flake8 | flake8+hflint | ratio | hflint | "
               "hflint -j2 | hflint/flake8 | pyflakes | ruff | slowest rule (share of engine time) |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, n, mention, parsed, cpu, worst, _ in rows:
        out.append(f"| {name} | {n} | {mention} | {parsed} ({parsed / n:.0%}) | {cpu['flake8']:.2f} | "
                   f"{cpu['flake8+hflint']:.2f} | {cpu['flake8+hflint'] / cpu['flake8']:.2f} | {cpu['hflint']:.2f} | "
                   f"{cpu['hflint -j2']:.2f} | {cpu['hflint'] / cpu['flake8']:.2f} | {cpu['pyflakes']:.2f} | "
                   f"{cpu['ruff']:.2f} | {worst[0]} {worst[1]:.0%} |")
    out.append("")
    out.append("Engine time split (in process, seconds): " + "; ".join(
        f"{name}: " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(secs.items(), key=lambda kv: -kv[1])[:6])
        for name, _, _, _, _, _, secs in rows))
    out.append("")
    out.append(f"Peak memory of `hflint check` (max RSS): " + ", ".join(f"{k} {v:.0f} MB" for k, v in memory.items()))
    out.append(f"One 1,000-line Hugging Face file after start-up: {latency * 1000:.0f} ms (target < 100 ms)")
    out.append("")
    out.append("| target | measured | limit | met |")
    out.append("|---|---|---|---|")
    for key, limit in TARGETS.items():
        if key in ratios:
            out.append(f"| {key} | {ratios[key]:.2f} | {limit} | {'yes' if ratios[key] <= limit else 'NO'} |")
    worst_rule = max((w[1] for *_, w, _ in rows), default=0.0)
    out.append(f"| no rule over 20% of engine time | {worst_rule:.0%} | 20% | {'yes' if worst_rule <= 0.2 else 'NO'} |")
    peak = max(memory.values(), default=0.0)
    out.append(f"| peak memory | {peak:.0f} MB | 300 MB | {'yes' if peak < 300 else 'NO'} |")
    out.append(f"| 1,000-line file | {latency * 1000:.0f} ms | 100 ms | {'yes' if latency < 0.1 else 'NO'} |")
    table = "\n".join(out)
    print(table)
    if args.write:
        versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("hflint", "flake8", "libcst", "transformers"))
        machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
        (HERE / "RESULTS.md").write_text(
            "# Benchmark results\n\nProduced by `python benchmarks/run.py --write` on "
            f"{time.strftime('%Y-%m-%d')} ({machine}; {versions}). CPU seconds, median of {args.repeat} runs.\n\n"
            + table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
