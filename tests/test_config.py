"""Rule selection semantics and the ``[tool.hflint]`` table: what is enabled, what is an error."""
from __future__ import annotations

from pathlib import Path

import pytest

from hflint.config import ConfigError, Settings, find_pyproject, load_settings, parse_selectors, parse_version


def enabled(settings: Settings, code: str, default: bool = True, filename=None) -> bool:
    return settings.is_enabled(code, default, filename)


@pytest.mark.parametrize("settings, code, default, expected", [
    (Settings(), "HF301", True, True),
    (Settings(), "HF203", False, False),  # off by default
    (Settings(select=["ALL"]), "HF203", False, True),
    (Settings(select=["HF3"]), "HF301", True, True),
    (Settings(select=["HF3"]), "HF101", True, False),
    (Settings(select=["HF3"], extend_select=["HF101"]), "HF101", True, True),
    (Settings(extend_select=["HF203"]), "HF203", False, True),
    (Settings(extend_select=["HF203"]), "HF301", True, True),  # extend keeps the defaults
    (Settings(ignore=["HF3"]), "HF301", True, False),
    (Settings(ignore=["HF3"]), "HF101", True, True),
    (Settings(ignore=["HF3"], extend_select=["HF301"]), "HF301", True, True),  # the more specific wins
    (Settings(ignore=["HF3"], extend_select=["HF301"]), "HF302", True, False),
    (Settings(select=["HF301"], ignore=["HF3"]), "HF301", True, True),
    (Settings(select=["HF3"], ignore=["HF301"]), "HF301", True, False),
    (Settings(select=["HF301"], ignore=["HF301"]), "HF301", True, False),  # a tie goes to ignore
    (Settings(select=["ALL"], ignore=["ALL"]), "HF301", True, False),
    (Settings(ignore=["ALL"], extend_select=["HF4"]), "HF401", True, True),
])
def test_selection(settings, code, default, expected):
    assert enabled(settings, code, default) is expected


def test_per_file_ignores_match_relative_to_the_config_folder(tmp_path):
    settings = Settings(per_file_ignores={"tests/*": ["HF3"], "legacy.py": ["HF101"]}, root=tmp_path)
    assert not enabled(settings, "HF301", filename=str(tmp_path / "tests" / "test_x.py"))
    assert enabled(settings, "HF101", filename=str(tmp_path / "tests" / "test_x.py"))
    assert enabled(settings, "HF301", filename=str(tmp_path / "src" / "x.py"))
    assert not enabled(settings, "HF101", filename=str(tmp_path / "legacy.py"))


def test_cli_select_starts_a_fresh_selection_and_other_flags_add():
    configured = Settings(select=["HF1"], extend_select=["HF203"], ignore=["HF301"], target_transformers="4.40")
    assert configured.with_cli().select == ["HF1"]
    added = configured.with_cli(extend_select=["HF4"], ignore=["HF101"])
    assert (added.select, added.extend_select, added.ignore) == (["HF1"], ["HF203", "HF4"], ["HF301", "HF101"])
    fresh = configured.with_cli(select=["HF301"], ignore=["HF302"])
    assert (fresh.select, fresh.extend_select, fresh.ignore) == (["HF301"], [], ["HF302"])
    assert enabled(fresh, "HF301")
    assert configured.with_cli(target_transformers="4.46").target_transformers == "4.46"
    assert configured.with_cli().target_transformers == "4.40"


@pytest.mark.parametrize("configured, cli, code, expected", [
    (Settings(ignore=["HF301"]), {"extend_select": ["HF301"]}, "HF301", True),  # the later layer wins a tie
    (Settings(ignore=["HF301"]), {"extend_select": ["HF3"]}, "HF301", True),  # ... and covers what it names
    (Settings(ignore=["HF3"]), {"extend_select": ["HF301"]}, "HF302", False),
    (Settings(select=["HF301"]), {"ignore": ["HF3"]}, "HF301", False),
    (Settings(select=["HF3"]), {"ignore": ["HF301"]}, "HF302", True),
    (Settings(extend_select=["HF203"]), {"ignore": ["ALL"]}, "HF203", False),
    (Settings(ignore=["HF4"]), {"select": ["HF4"]}, "HF401", True),  # --select starts fresh
])
def test_cli_flags_override_the_file(configured, cli, code, expected):
    assert enabled(configured.with_cli(**cli), code, code != "HF203") is expected


@pytest.mark.parametrize("raw, expected", [
    ("HF3", ["HF3"]), ("hf301, HF1", ["HF301", "HF1"]), ("ALL", ["ALL"]), ("HF", ["HF"]), ("HF3,", ["HF3"]),
    (["HF101", "HF2"], ["HF101", "HF2"]),
])
def test_parse_selectors(raw, expected):
    assert parse_selectors(raw) == expected


@pytest.mark.parametrize("raw", ["E501", "HF3x", "HF1234", "all-rules", [3]])
def test_parse_selectors_rejects(raw):
    with pytest.raises(ConfigError):
        parse_selectors(raw)


@pytest.mark.parametrize("raw, ok", [("4.46", True), ("4.46.1", True), ("5.0.0rc1", True), ("4", False),
                                     (4.46, False), ("latest", False)])
def test_parse_version(raw, ok):
    if ok:
        assert parse_version(raw) == raw
    else:
        with pytest.raises(ConfigError):
            parse_version(raw)


# ------------------------------------------------------------------ pyproject.toml

FULL = """
[project]
name = "demo"

[tool.hflint]
select = ["HF1", "HF3"]
extend-select = ["HF203"]
ignore = ["HF302"]
target-transformers = "4.46"
known-checkpoints = ["my-org/private-bert"]
cls-pooled-checkpoints = ["my-org/.*-cls"]
runtime = { unk-rate = 0.1, strict = false }

[tool.hflint.per-file-ignores]
"tests/*" = ["HF301"]

[tool.hflint.vocabulary-families]
my-bert = ["my-org/private-bert", "bert-base-uncased"]
"""


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(text)
    return folder / "pyproject.toml"


def test_every_key_is_read(tmp_path):
    write(tmp_path, FULL)
    s = load_settings(tmp_path)
    assert s.select == ["HF1", "HF3"] and s.extend_select == ["HF203"] and s.ignore == ["HF302"]
    assert s.per_file_ignores == {"tests/*": ["HF301"]}
    assert s.target_transformers == "4.46"
    assert s.known_checkpoints == ["my-org/private-bert"]
    assert s.cls_pooled_checkpoints == ["my-org/.*-cls"]
    assert s.vocabulary_families == {"my-bert": ["my-org/private-bert", "bert-base-uncased"]}
    assert s.runtime == {"unk-rate": 0.1, "strict": False}
    assert s.root == tmp_path.resolve()


def test_nearest_pyproject_with_a_hflint_table_wins(tmp_path):
    write(tmp_path, "[tool.hflint]\nignore = ['HF1']\n")
    write(tmp_path / "pkg", "[project]\nname = 'pkg'\n")  # no [tool.hflint]: keep walking up
    (tmp_path / "pkg" / "src").mkdir()
    (tmp_path / "pkg" / "src" / "a.py").write_text("")
    assert find_pyproject(tmp_path / "pkg" / "src" / "a.py") == tmp_path / "pyproject.toml"
    assert load_settings(tmp_path / "pkg" / "src").ignore == ["HF1"]
    write(tmp_path / "pkg", "[tool.hflint]\nignore = ['HF4']\n")
    assert load_settings(tmp_path / "pkg" / "src" / "a.py").ignore == ["HF4"]


def test_explicit_config_and_no_config(tmp_path):
    write(tmp_path, "[tool.hflint]\nignore = ['HF1']\n")
    other = write(tmp_path / "elsewhere", "[tool.hflint]\nignore = ['HF2']\n")
    assert load_settings(tmp_path, config=other).ignore == ["HF2"]
    assert load_settings(tmp_path, no_config=True) == Settings()
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path, config=tmp_path / "missing.toml")


@pytest.mark.parametrize("table, fragment", [
    ("selct = ['HF1']", "unknown key 'selct'"),
    ("select = 'HF1'", "select: expected a list of strings"),
    ("ignore = ['E501']", "unknown rule selector 'E501'"),
    ("target-transformers = 4.46", "target-transformers"),
    ("known-checkpoints = 'bert'", "known-checkpoints"),
    ("per-file-ignores = ['tests/*']", "per-file-ignores: expected a table"),
    ("per-file-ignores = { 'tests/*' = 'HF301' }", "per-file-ignores"),
    ("vocabulary-families = { fam = 'bert' }", "vocabulary-families"),
    ("runtime = { unk-rate = [1] }", "runtime.unk-rate"),
])
def test_bad_tables_are_errors_naming_the_key(tmp_path, table, fragment):
    write(tmp_path, f"[tool.hflint]\n{table}\n")
    with pytest.raises(ConfigError, match=fragment.replace("[", r"\[").replace(".", r"\.")):
        load_settings(tmp_path)


def test_invalid_toml_is_an_error(tmp_path):
    write(tmp_path, "[tool.hflint\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_settings(tmp_path)
