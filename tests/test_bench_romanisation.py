"""bench.romanisation: a listed Pinyin name written in Wade-Giles as pypinyin spells each syllable; names that
do not read as Pinyin (or already are Wade-Giles) are left out of the set."""

from __future__ import annotations

from bench import romanisation


def test_a_pinyin_name_is_written_in_wade_giles() -> None:
    assert romanisation.wade_giles_name("ZHANG, Xiaoming") == "Chang Hsiao-ming"
    assert romanisation.wade_giles_name("CAI, Dafeng") == "Tsai Ta-feng"
    assert romanisation.wade_giles_name("XU, Bin") == "Hsu Pin"


def test_names_that_do_not_read_as_pinyin_are_left_out() -> None:
    assert romanisation.syllables("xiaoming") == ["xiao", "ming"]
    assert romanisation.syllables("chiang") is None  # chi'ang: Wade-Giles already (PAO, Hua Chiang)
    assert romanisation.syllables("teresa") is None  # three syllables: not a Chinese name part
    assert romanisation.wade_giles_name("AMIDI, Reza") is None
    assert romanisation.wade_giles_name("WANG, Wu") is None  # the same letters either way


def test_the_set_takes_chinese_persons_only() -> None:
    from chipguard.model import Party, PartyKind

    def person(name: str, country: str) -> Party:
        return Party(party_id=name, source="test", name=name, kind=PartyKind.PERSON, countries=[country])

    built = romanisation.rows(
        [
            person("ZHANG, Xiaoming", "CN"),
            person("ZHANG, Xiaoming", "CN"),
            person("LI, Ming", "DE"),
            person("CHEN, Dong", "TW"),
        ]
    )
    assert built == [
        ("ZHANG, Xiaoming", "Chang Hsiao-ming", "ZHANG, Xiaoming"),
        ("CHEN, Dong", "Chen Tung", "CHEN, Dong"),
    ]


def test_the_second_sample_is_drawn_the_same_each_run() -> None:
    """The second sample's persons (no list's) are drawn with a fixed seed, written in Pinyin, and most of
    them make a Wade-Giles query."""
    first = romanisation.synthetic_persons(50)
    assert [p.name for p in first] == [p.name for p in romanisation.synthetic_persons(50)]
    assert len({p.name for p in first}) == 50 and all(p.countries == ["CN"] for p in first)
    assert len(romanisation.rows(first)) >= 40
