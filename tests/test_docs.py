"""Rule pages: docs/rules/HFxxx.md are generated from the rule classes (tools/gen_docs.py) and never stale;
the README's rules table and every finding's `url` point at them."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from hflint.docs import render_rule
from hflint.finding import Finding
from hflint.rules import all_rules

ROOT = Path(__file__).resolve().parent.parent
GEN = [sys.executable, str(ROOT / "tools" / "gen_docs.py")]


def test_rule_pages_are_up_to_date():
    proc = subprocess.run([*GEN, "--check"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr + "\n(run `python tools/gen_docs.py`)"


def test_check_notices_a_stale_missing_or_extra_page(tmp_path):
    out = tmp_path / "rules"
    assert subprocess.run([*GEN, "--out", str(out)], capture_output=True, timeout=120).returncode == 0
    assert subprocess.run([*GEN, "--check", "--out", str(out)], capture_output=True, timeout=120).returncode == 0
    page = out / "HF301.md"
    page.write_text(page.read_text() + "edited by hand\n")
    (out / "HF302.md").unlink()
    (out / "HF999.md").write_text("# gone\n")
    proc = subprocess.run([*GEN, "--check", "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "stale" in proc.stdout and "HF301.md" in proc.stdout and "HF302.md" in proc.stdout
    assert "HF999.md" in proc.stdout


def test_every_rule_has_its_page_rendered_from_the_class():
    for rule in all_rules():
        page = (ROOT / "docs" / "rules" / f"{rule.code}.md").read_text(encoding="utf-8")
        assert page.endswith(render_rule(rule))
        assert f"[{rule.code}]({rule.code}.md)" in (ROOT / "docs" / "rules" / "README.md").read_text(encoding="utf-8")


def test_readme_rules_table_links_each_code_to_its_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if re.match(r"^\| \[?HF\d{3}", line)]
    assert rows
    for row in rows:
        m = re.match(r"^\| \[(HF\d{3})\]\(docs/rules/(HF\d{3})\.md\) \|", row)
        assert m and m.group(1) == m.group(2), row
        assert (ROOT / "docs" / "rules" / f"{m.group(1)}.md").is_file(), row


def test_finding_url_points_at_the_page_in_the_repository():
    url = Finding("x.py", 1, 0, "HF301", "m").url
    assert url == "https://github.com/hflint/hflint/blob/main/docs/rules/HF301.md"
    assert (ROOT / url.split("/blob/main/", 1)[1]).is_file()


def test_readme_rules_table_lists_every_rule():
    from hflint.rules import all_rules

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| \[(HF\d{3})\]", readme, flags=re.M))
    assert listed == {r.code for r in all_rules()}
