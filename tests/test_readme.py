"""The README's quick start is what CI runs."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _quick_start_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.split("\n", 1)[1].strip() for block in section.split("```sh")[1:]]


def test_quick_start_has_two_commands():
    commands = [c.split("```")[0].strip() for c in _quick_start_commands()]
    assert len(commands) == 2
    assert "hflint check fixtures/demo" in commands[0]
    assert "pip install torch==2.13.0" in commands[1] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_unchanged():
    test_command = _quick_start_commands()[1].split("```")[0].strip()
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
