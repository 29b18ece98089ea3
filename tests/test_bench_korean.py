"""bench.korean: a listed Korean name written in RR syllable by syllable from ICU's table; names that do not
read as Korean, or persons not Korean, are left out."""

from __future__ import annotations

from bench import korean


def test_a_listed_korean_name_is_written_in_rr() -> None:
    written = korean.rr_name("RI, Pyong Chol", "seed")
    assert written is not None
    ri, pyong, chol = written.lower().split()
    assert ri == "ri"
    # 병 평 뵹 푱: which Hangul syllable the list wrote is not known
    assert pyong in {"byeong", "pyeong", "byong", "pyong"}
    assert chol in korean.hangul_of()["chol"] and "cheol" in korean.hangul_of()["chol"]
    assert korean.rr_name("KIM, Tong-Myo'ng", "seed", keep_surname=True).startswith("Kim ")  # type: ignore[union-attr]
    assert korean.rr_name("RI, Pyong Chol", "seed") == korean.rr_name("RI, Pyong Chol", "seed")  # seeded


def test_names_that_do_not_read_as_korean_are_left_out() -> None:
    assert korean.syllables("yonghae") == ["yong", "hae"]
    assert korean.syllables("aleksandr") is None
    assert korean.rr_name("CHASOVNIKOV, Aleksandr Aleksandrovich", "seed") is None
    assert korean.rr_name("KIM", "seed") is None  # one word


def test_the_set_takes_korean_persons_only() -> None:
    from chipguard.model import Party, PartyKind

    def person(name: str, country: str, programs: list[str] | None = None) -> Party:
        return Party(
            party_id=name,
            source="test",
            name=name,
            kind=PartyKind.PERSON,
            countries=[country],
            programs=programs or [],
        )

    built = korean.rows(
        [
            person("HWANG, Pyong So", "KP"),
            person("HWANG, Pyong So", "KP"),  # the same query once
            person("PAK, Han Se", "DE"),  # not Korean by place or programme
            person("JANG, Song Chol", "CN", ["DPRK3"]),  # a DPRK programme
            person("RI, Pyong Chol", "KP"),  # drawn as written (seeded by its id): nothing to measure
        ]
    )
    assert built == [
        ("HWANG, Pyong So", "Hwang Byeong Seo", "HWANG, Pyong So"),
        ("JANG, Song Chol", "Jang Song Cheol", "JANG, Song Chol"),
    ]


def test_a_listed_korean_name_is_written_in_another_lists_spelling() -> None:
    """The third style: each syllable among the MR spellings of the Hangul syllables it writes, a word's
    first one as a list writes it at a word's start (Jong, Ri; never Gim or Bak)."""
    seen = {korean.other_list_name("RI, Chong Chol", seed) for seed in map(str, range(40))}
    assert {"Ri Jong Chol", "Ni Chong Chol"} <= seen
    assert all(q is None or q.split()[0] in ("Ri", "Ni") for q in seen)
    assert all(
        korean.other_list_name("KIM, Jong Un", s) in (None, "Kim Chong Un") for s in map(str, range(40))
    )
    assert korean.other_list_name("PAK, Han Se", "seed") is None  # no other spelling
