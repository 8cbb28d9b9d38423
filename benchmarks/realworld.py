"""Run hflint over fetched real repositories and print every finding as a row for benchmarks/realworld.md.

Usage: python benchmarks/realworld.py /work/.mirror/huggingface+peft/repo [...] [--select HF1,HF2,...]

Each argument is a git directory (as brought by the search tool's fetch). The HEAD tree is exported
to benchmarks/.work/<name> (ignored by git; fetched code is never committed), linted with the
`hflint` CLI (JSON output, no config), and the findings printed as Markdown table rows with the
repository, the commit, path:line, the code and the message. The verdict column is filled by hand.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

WORK = Path(__file__).resolve().parent / ".work"


def git_dir(path: Path) -> Path:
    return path / ".git" if (path / ".git").is_dir() else path


def export(repo: Path) -> tuple[str, str, Path]:
    gd = git_dir(repo)
    name = repo.resolve().parent.name if repo.name in ("repo", ".git") else repo.name
    commit = subprocess.run(["git", "--git-dir", str(gd), "rev-parse", "HEAD"], capture_output=True, text=True,
                            check=True).stdout.strip()
    dest = WORK / name
    if not (dest / ".commit").exists() or (dest / ".commit").read_text() != commit:
        dest.mkdir(parents=True, exist_ok=True)
        listing = subprocess.run(["git", "--git-dir", str(gd), "ls-tree", "-r", "HEAD"], capture_output=True,
                                 text=True, check=True).stdout.splitlines()
        wanted = [(line.split()[2], line.split("\t", 1)[1]) for line in listing
                  if line.split()[1] == "blob" and line.endswith((".py", ".ipynb"))]
        # one `git cat-file --batch`: blobs the snapshot lacks (large files) come back "missing" and are skipped
        batch = subprocess.run(["git", "--git-dir", str(gd), "cat-file", "--batch"], capture_output=True,
                               input="".join(sha + "\n" for sha, _ in wanted).encode()).stdout
        pos = 0
        for sha, path in wanted:
            header_end = batch.index(b"\n", pos)
            header = batch[pos:header_end].split()
            pos = header_end + 1
            if header[-1] == b"missing":
                continue
            size = int(header[2])
            out = dest / path
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(batch[pos:pos + size])
            pos += size + 1
        (dest / ".commit").write_text(commit)
    return name.replace("+", "/"), commit, dest


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--select", default="ALL")
    parser.add_argument("--subdir", action="append", default=[], help="repo=subdir to restrict the walk")
    args = parser.parse_args()
    subdirs = dict(s.split("=", 1) for s in args.subdir)
    total = 0
    for repo in args.repos:
        name, commit, dest = export(repo)
        target = dest / subdirs.get(name, "")
        files = [p for p in target.rglob("*") if p.suffix in (".py", ".ipynb")]
        proc = subprocess.run([sys.executable, "-m", "hflint", "check", "--no-config", "--exit-zero", "--format",
                               "json", "--select", args.select, str(target)], capture_output=True, text=True)
        findings = json.loads(proc.stdout or "[]")
        total += len(findings)
        print(f"<!-- {name} @ {commit[:12]}: {len(files)} files, {len(findings)} findings -->")
        for f in findings:
            rel = Path(f["filename"]).resolve().relative_to(dest.resolve()).as_posix()
            cell = f"cell {f['cell']}:" if f.get("cell") else ""
            msg = f["message"].replace("|", "\\|")
            print(f"| {name} | {commit[:12]} | {rel}:{cell}{f['location']['row']} | {f['code']} | ? | {msg} |")
    print(f"<!-- total findings: {total} -->")
    return 0


if __name__ == "__main__":
    sys.exit(main())
