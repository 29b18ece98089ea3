"""The analyser's shortcuts find what the full search finds (session 13, fresh9).

A query name's analysis was ~15 % of a fresh mapped worker's CPU, and most of it tried what could not
match: every phrase from every word against the legal forms (by words, by typos, by letters), every phrase
against the multi-word org symbols, and the dotted-acronym and ordinal patterns at every position of a
name holding no dot and no digit. The shortcuts skip a word that begins none of them, and a pattern on a
text that cannot hold it. Here the full search is the reference: the same names analysed in a process
whose shortcut sets hold every word (pure Python, so the module's functions can be replaced) give the same
analyses as this process (compiled or not)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from chipguard.names import analysis as A
from chipguard.names import text
from chipguard.names.vocab import vocab

REPO = Path(__file__).resolve().parents[1]

_REFERENCE = r"""
import json, sys
from chipguard.names import analysis as A

class Everything:
    def __contains__(self, word):
        return True

A._legal_form_starts = lambda: Everything()  # every word may begin a legal form: the full search
A._symbol_phrase_starts = lambda: Everything()
names = json.load(sys.stdin)
print(json.dumps([canonical(n, p) for n, p in names]))
"""


def _canonical(name: str, person: bool) -> list[object]:
    a = A.analyze(name, person)
    return [
        a.cleaned,
        [[t.text, t.canon, t.cls, t.phonetic] for t in a.tokens],
        list(a.steps),
        a.joined,
        a.acronym,
        a.institutional,
        [[t.text, t.canon, t.cls, t.phonetic] for t in a.significant],
        sorted(a.texts),
        sorted(a.joins),
        sorted(a.symbol_keys),
    ]


def _names() -> list[tuple[str, bool]]:
    """Names holding every legal form of the vocabulary where a name holds one (after the name, before
    it, inside it), run together by its letters, with a letter dropped or doubled, and every multi-word
    org symbol; each also read as a person's name."""
    v = vocab()
    out: list[str] = []
    for phrase in sorted(v.legal_forms):
        form = " ".join(phrase)
        longest = max(phrase, key=len)
        typo = form.replace(longest, longest[:-2] + longest[-1], 1) if len(longest) > 3 else form
        doubled = form.replace(longest, longest + longest[-1], 1)
        out += [
            f"Zenith Orbital {form}",
            f"{form} Zenith Orbital",
            f"Zenith {form} Orbital Systems",
            f"Zenith Orbital {''.join(phrase)}",
            f"Zenith Orbital {typo}",
            f"Zenith Orbital {doubled}",
            form,
        ]
    for phrase in sorted(v.symbols):
        if len(phrase) >= 2:
            out += [f"{' '.join(phrase)} Bureau", f"Second {' '.join(phrase)} of Hunan"]
    out += ["717th Regiment", "P.L.C. Holdings 1st", "S.A.R.L. 22nd Street", "Joint-Stock Co. (No. 3)"]
    return [(n, p) for n in out for p in (False, True)]


def test_shortcuts_find_what_the_full_search_finds() -> None:
    names = _names()
    env = {**os.environ, "PYTHONPATH": str(REPO), "CHIPGUARD_PURE_PYTHON": "1"}
    script = _REFERENCE.replace("names = json.load", _canonical_source() + "\nnames = json.load")
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(names),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    reference = json.loads(done.stdout)
    mine = [_canonical(n, p) for n, p in names]
    differ = [names[i] for i in range(len(names)) if mine[i] != reference[i]]
    assert not differ, differ[:10]
    # the names do exercise the legal-form rules: most organisation readings end with a legal form
    legal = sum(
        1 for (n, p), c in zip(names, mine, strict=True) if not p and any(t[2] == "legal" for t in c[1])
    )
    assert legal > len(names) // 4


def _canonical_source() -> str:
    """_canonical's source for the reference process (the same reading of an analysis)."""
    import inspect

    return inspect.getsource(_canonical).replace("def _canonical", "def canonical")


def _unguarded(value: str) -> str:
    """punctuation_to_space before the shortcut: both patterns tried on every text."""
    value = text._DOTTED_ACRONYM.sub(lambda m: m.group(0).replace(".", ""), value)
    for ch in text._APOSTROPHES:
        value = value.replace(ch, "")
    value = value.replace("&", " and ")
    value = text._ORDINAL.sub(r"\1", value)
    table = text._ASCII_PUNCTUATION if value.isascii() else text._PUNCTUATION
    return " ".join(value.translate(table).split())


def test_punctuation_patterns_are_skipped_only_where_they_cannot_match() -> None:
    samples = [
        "717th regiment",
        "the 1st & 2nd",
        "p.l.c.",
        "s.a.r.l. 3rd",
        "no dots here",
        "a.b",
        "٣rd street",  # an Arabic-Indic digit is a digit to \d
        "21st century fox",
        "cho'ng & sons",
        "huawei tech. co., ltd.",
        "u.s.a. 4th",
    ]
    for value in samples:
        assert text.punctuation_to_space(value) == _unguarded(value), value
    assert re.fullmatch(text._DIGIT.pattern, "٣")
