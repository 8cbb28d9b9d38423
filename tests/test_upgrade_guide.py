"""docs/upgrading-to-transformers-5.md is generated from the knowledge (tools/gen_upgrade_guide.py) and linked from
the README; it names the breaks issue 11 lists with the release each came in."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "upgrading-to-transformers-5.md"


def test_guide_is_up_to_date():
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_upgrade_guide.py"), "--check"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr + "\n(run `python tools/gen_upgrade_guide.py`)"


def test_readme_links_the_guide():
    assert "(docs/upgrading-to-transformers-5.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_guide_names_the_breaks_with_their_release_and_fix():
    text = GUIDE.read_text(encoding="utf-8")
    for row in ("| `AutoModelForVision2Seq` | 5.0 | `AutoModelForImageTextToText` | safe",
                "| `AdamW` | 4.50 | `torch.optim.AdamW` | unsafe",
                "| `ViTFeatureExtractor` | 5.0 | `ViTImageProcessor` |",
                "| `evaluation_strategy` | removed in 4.51 | `eval_strategy` | HF502 | safe: renamed |",
                "| `load_in_8bit` | removed in 5.0 |", "| `from_tf` | ignored since 5.0 |",
                "| tokenizer | `encode_plus` | 5.0 |", "| `summarization` | 5.0 |",
                "| `tokenizer.__call__` | `pad_to_max_length` | 4.52 |"):
        assert row in text, row
    assert "`LayoutLMTokenizer` → `BertTokenizer`" in text  # the aliases 5.x keeps are not breaks
