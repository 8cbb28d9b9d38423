"""The knowledge against reality, for the transformers release installed next to the tests: every name the tables say
it exports imports, every name they say it removed fails to import, every pipeline task they say it removed is
refused, and the members they say it removed are missing from real objects.

Runs in a subprocess (importing every export loads every model module: ~15 s on a loaded 2-core box), reports
what it measured, and fails with the list of names the knowledge gets wrong.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("transformers")

SCRIPT = textwrap.dedent('''
    import json, sys, time, warnings
    warnings.simplefilter("ignore")
    from hflint.knowledge import api

    target = api.installed_version()
    k = api.knowledge_for(target)
    if not api.knows(target):
        print(json.dumps({"skip": f"no knowledge covers the installed transformers {api.installed_release()}"}))
        sys.exit(0)
    start = time.time()
    import transformers
    import transformers.utils as tu
    transformers.logging.set_verbosity_error()

    def backend_missing(name):
        needs = k.owner("exports").notes.get(name, {}).get("needs", [])
        return any(not getattr(tu, f"is_{b}_available", lambda: True)() for b in needs)

    def states(owner):
        own = k.owner(owner)
        out = {}
        for names in own.spans.values():
            for n in names:
                out[n] = k.status(owner, n, target).state
        return out

    wrong = []
    exports = states("exports")
    for name, state in sorted(exports.items()):
        try:
            exec(f"from transformers import {name}", {})
            imported = True
        except ImportError:
            imported = False
        if state in ("ok", "deprecated", "ignored") and not imported and not backend_missing(name):
            wrong.append(f"exports: {name} is said exported but does not import")
        elif state == "removed" and imported:
            wrong.append(f"exports: {name} is said removed but imports")

    from transformers.pipelines import check_task
    for task, state in sorted(states("pipeline.tasks").items()):
        task = task.replace("translation_XX_to_YY", "translation_en_to_fr")
        try:
            check_task(task)
            known = True
        except KeyError:
            known = False
        if state in ("ok", "deprecated") and not known:
            wrong.append(f"tasks: {task} is said known but check_task refuses it")
        elif state == "removed" and known:
            wrong.append(f"tasks: {task} is said removed but check_task accepts it")

    import torch
    from transformers import BertConfig, BertModel, BertTokenizer
    config = BertConfig(vocab_size=32, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=16)
    objects = {"tokenizer": ("BertTokenizer", BertTokenizer(vocab={"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3,
                                                                    "[MASK]": 4, "a": 5})),
               "config": ("BertConfig", config), "model": ("BertModel", BertModel(config))}
    checked = 0
    for kind, (cls, obj) in objects.items():
        own_states = states(f"classes.{kind}")
        for name, state in sorted(states(f"members.{kind}").items()):
            if state != "removed" or own_states.get(f"{cls}.{name}") in ("ok", "deprecated"):
                continue
            checked += 1
            if hasattr(obj, name):
                wrong.append(f"members.{kind}: {name} is said removed but {cls} has it")
    print(json.dumps({"exports": len(exports), "members_checked": checked, "seconds": round(time.time() - start, 1),
                      "release": api.installed_release(), "wrong": wrong}))
''')


def test_knowledge_matches_the_installed_release():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if "skip" in result:
        pytest.skip(result["skip"])
    print(f"knowledge vs transformers {result['release']}: {result['exports']} exports and "
          f"{result['members_checked']} removed members checked in {result['seconds']} s")
    assert result["wrong"] == [], "\n".join(result["wrong"])
