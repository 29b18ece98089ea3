"""Classification against the published figures in REGULATIONS.md §1 and the dated rule documents."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from chipguard.hardware import NOT_CONTROLLED, UNDETERMINED, classify
from chipguard.hardware.rules import rule_set, rules_dir

D2024 = dt.date(2024, 6, 1)

# REGULATIONS.md §1 "Worked figures (dense)": chip, published TPP, published PD (None = not given), 2023 test.
PUBLISHED = [
    ("A100", 4992, 6.04, "3A090.a"),
    ("A800", 4992, 6.04, "3A090.a"),
    ("H100 SXM", 15832, 19.45, "3A090.a"),
    ("H800 SXM", 15832, 19.45, "3A090.a"),
    ("H200", 15832, 19.45, "3A090.a"),
    ("H800 PCIe", 12104, 14.87, "3A090.a"),
    ("H20", 2368, 2.91, NOT_CONTROLLED),
    ("L40S", 5864, 9.6, "3A090.a"),
    ("L20", 1912, 3.1, NOT_CONTROLLED),
    ("RTX 4090", 5280, 8.7, "3A090.a"),
    ("B200", 36000, 22.1, "3A090.a"),
    ("MI250X", 6128, 3.88, "3A090.a"),
    ("MI300X", 20919, 20.6, "3A090.a"),
]


@pytest.mark.parametrize(("model", "tpp", "pd", "eccn"), PUBLISHED)
def test_tpp_pd_and_eccn_match_published_figures(model: str, tpp: float, pd: float, eccn: str) -> None:
    c = classify(model, D2024)
    assert c.tpp == pytest.approx(tpp, rel=0.01)
    # The table rounds PD for "~" rows to one decimal; allow that rounding.
    assert c.performance_density == pytest.approx(pd, rel=0.02)
    assert c.eccn == eccn
    assert c.tpp_basis is not None and c.tpp_basis.dense_tops * c.tpp_basis.bits == pytest.approx(c.tpp)
    assert c.rule_set.startswith("eccn-3a090-2023-11-17@")
    assert c.citations, "every result cites its rule"


def test_tpp_basis_is_the_highest_precision() -> None:
    h100 = classify("H100 SXM5 80GB", D2024)
    assert h100.tpp_basis is not None
    assert h100.tpp_basis.bits == 8 and h100.tpp_basis.dense_tops == pytest.approx(1979)
    # MI250X: FP16 383 x 16 = 6,128 beats INT8 383 x 8.
    mi250x = classify("MI250X", D2024)
    assert mi250x.tpp_basis is not None and mi250x.tpp_basis.bits == 16


@pytest.mark.parametrize("model", ["A800", "H800 SXM", "H800 PCIe"])
def test_a800_h800_escape_2022_rule_but_not_2023(model: str) -> None:
    before = classify(model, dt.date(2023, 11, 16))
    assert before.eccn == NOT_CONTROLLED
    assert before.io_bandwidth_gbs == 400
    assert before.rule_set.startswith("eccn-3a090-2022-10-07@")
    after = classify(model, dt.date(2023, 11, 17))
    assert after.eccn == "3A090.a"
    assert any(c["rule_id"] == "3A090.a.1" for c in after.citations)


def test_a100_and_h100_controlled_under_2022_rule() -> None:
    for model in ("A100", "H100"):
        c = classify(model, dt.date(2022, 12, 1))
        assert c.eccn == "3A090.a"
        assert c.citations[0]["rule_id"] == "3A090.a-2022"
        assert "87 FR 62186" in c.citations[0]["citation"]


def test_nothing_controlled_before_october_2022() -> None:
    c = classify("H100", dt.date(2022, 8, 25))
    assert c.eccn == NOT_CONTROLLED
    assert c.rule_set == "none"
    assert "No 3A090/4A090 rule" in c.notes[0]
    # From Aug 26 2022 the letter to NVIDIA names the H100 (issue 15: letters as dated data): still not
    # 3A090, but flagged with the letter's scope.
    c = classify("H100", dt.date(2022, 10, 6))
    assert c.eccn == NOT_CONTROLLED
    assert c.rule_set == "eccn-named-items-2022-08@1"
    assert c.has_flag("named-item-licence-letter")
    assert {"CN", "HK", "RU"} == set(c.flags[0].scope)


def test_rtx_4090_is_a_but_not_datacenter_and_nac_eligible() -> None:
    c = classify("RTX 4090", D2024)
    assert c.eccn == "3A090.a"
    assert c.datacenter is False
    assert c.has_flag("nac-eligible")
    # Oct 2022 rule: no 600 GB/s interconnect, so not 3A090 then.
    assert classify("RTX 4090", dt.date(2023, 3, 1)).eccn == NOT_CONTROLLED
    # A datacenter .a part is not NAC-eligible.
    assert not classify("H100", D2024).has_flag("nac-eligible")


def test_rtx_4090_d_falls_under_the_not_datacenter_carve_out() -> None:
    c = classify("RTX 4090 D", D2024)
    assert c.tpp is not None and c.tpp < 4800
    assert c.eccn == NOT_CONTROLLED
    assert [x["rule_id"] for x in c.citations] == ["3A090-not-datacenter"]


def test_b_paragraph_parts() -> None:
    # L40: TPP 2,897, PD 4.76 -> 3A090.b.1; A30: TPP 2,644, PD 3.20 -> 3A090.b.
    for model in ("L40", "A30"):
        c = classify(model, D2024)
        assert c.eccn == "3A090.b", model
        assert c.has_flag("nac-eligible")


def test_china_variant_l2_is_below_where_l4_is_caught() -> None:
    l2 = classify("L2", D2024)
    assert l2.tpp is not None and l2.tpp < 1600  # below every 3A090 paragraph's TPP floor
    assert l2.eccn == NOT_CONTROLLED


def test_l4_is_a_by_performance_density_alone() -> None:
    c = classify("L4", D2024)
    assert c.tpp is not None and c.tpp < 4800
    assert c.performance_density is not None and c.performance_density >= 5.92
    assert c.eccn == "3A090.a"
    assert [x["rule_id"] for x in c.citations] == ["3A090.a.2"]


def test_h20_named_item_letter_from_april_2025_only() -> None:
    before = classify("H20", dt.date(2025, 4, 8))
    assert before.eccn == NOT_CONTROLLED
    assert not before.has_flag("named-item-licence-letter")
    after = classify("H20", dt.date(2025, 4, 9))
    assert after.eccn == NOT_CONTROLLED  # below the thresholds: the letter does not change the ECCN
    letters = [f for f in after.flags if f.flag == "named-item-licence-letter"]
    assert [f.rule_id for f in letters] == ["letter-H20-2025-04-09"]
    assert "CN" in letters[0].scope and "HK" in letters[0].scope and "D:5" in letters[0].scope
    assert any("8-K" in c["citation"] for c in after.citations)


def test_mi308_letter_dated_separately() -> None:
    assert not classify("MI308", dt.date(2025, 4, 14)).has_flag("named-item-licence-letter")
    c = classify("MI308", dt.date(2025, 4, 15))
    assert c.has_flag("named-item-licence-letter")
    assert c.eccn == UNDETERMINED  # no public figures: callers must fail closed


def test_h20_letter_covers_equivalent_unlisted_chip() -> None:
    spec = {
        "name": "H20-like",
        "datacenter": True,
        "die_area_mm2": 800,
        "throughput": {"FP8": 250},
        "memory_bandwidth_gbs": 4000,
    }
    c = classify(spec, dt.date(2025, 6, 1))
    assert c.eccn == NOT_CONTROLLED
    assert [f.rule_id for f in c.flags] == ["letter-H20-equivalent-2025-04-09"]


def test_h200_in_january_2026_case_by_case_band() -> None:
    assert not classify("H200", dt.date(2026, 1, 14)).has_flag("case-by-case-band")
    c = classify("H200", dt.date(2026, 1, 15))
    assert c.eccn == "3A090.a"
    assert c.has_flag("case-by-case-band")
    assert "91 FR 1684" in c.rule_set or any("91 FR 1684" in x["citation"] for x in c.citations)
    # Above the band: B200 (TPP 36,000) and MI355X (DRAM 8,000 GB/s).
    assert not classify("B200", dt.date(2026, 2, 1)).has_flag("case-by-case-band")
    assert not classify("MI355X", dt.date(2026, 2, 1)).has_flag("case-by-case-band")


def test_gp10_presumption_for_huawei_ascend() -> None:
    assert not classify("Ascend 910B", dt.date(2025, 5, 12)).has_flag("gp10-presumption")
    c = classify("Ascend 910B", dt.date(2025, 5, 13))
    assert c.has_flag("gp10-presumption")
    assert c.eccn == "3A090.a"  # TPP 6,016 >= 4800 whatever the die area
    assert not classify("Ascend 910", dt.date(2025, 6, 1)).has_flag("gp10-presumption")


@pytest.mark.parametrize("system", ["DGX H100", "p5.48xlarge", "a3-highgpu-8g", "ND H100 v5", "p4d.24xlarge"])
def test_systems_containing_3a090a_chips_are_4a090a(system: str) -> None:
    c = classify(system, D2024)
    assert c.kind == "system"
    assert c.eccn == "4A090.a"
    assert c.components and all(comp["eccn"] == "3A090.a" for comp in c.components)
    assert sum(comp["count"] for comp in c.components) == 8
    assert any(x["rule_id"] == "4A090.a-system" for x in c.citations)


def test_p4d_is_eight_a100_40gb_and_cloud_note() -> None:
    c = classify("p4d.24xlarge", D2024)
    assert c.components == [
        {
            "model": "nvidia-a100-sxm4-40gb",
            "name": "NVIDIA A100 SXM4 40GB",
            "count": 8,
            "eccn": "3A090.a",
            "tpp": 4992.0,
        }
    ]
    assert any("not an export" in n for n in c.notes)
    assert c.accelerator_count == 8 and c.to_dict()["accelerator_count"] == 8
    assert classify("A100", D2024).accelerator_count == 1


def test_system_inherits_named_item_flag_and_b_mapping() -> None:
    hgx = classify("HGX H20 8-GPU", dt.date(2025, 6, 1))
    assert hgx.eccn == NOT_CONTROLLED
    assert hgx.has_flag("named-item-licence-letter")
    # L40 servers map 3A090.b -> 4A090.b
    spec_rules = rule_set(D2024)
    assert spec_rules.system_mapping()["3A090.b"] == "4A090.b"


def test_hbm_stack_is_3a090c_from_december_2024() -> None:
    assert classify("HBM3", dt.date(2024, 12, 1)).eccn == NOT_CONTROLLED
    c = classify("HBM3", dt.date(2024, 12, 2))
    assert c.eccn == "3A090.c"
    assert "89 FR 96790" in c.citations[0]["citation"]
    low = classify(
        {"kind": "memory", "name": "slow", "memory_bandwidth_gbs": 100, "package_area_mm2": 110},
        dt.date(2025, 1, 1),
    )
    assert low.eccn == NOT_CONTROLLED


def test_unknown_die_area_gives_undetermined_not_silently_free() -> None:
    c = classify("MLU370-X8", D2024)  # TPP 2,048: only the PD tests could catch it
    assert c.eccn == UNDETERMINED
    assert not c.controlled and c.undetermined
    assert any("performance_density" in n for n in c.notes)


def test_thresholds_come_from_data(tmp_path: Path) -> None:
    """Editing the rule data (not the code) changes the answer: move the .a bars above the RTX 4090's figures."""
    directory = tmp_path / "eccn"
    shutil.copytree(rules_dir(), directory)
    doc = directory / "3a090-2023-11-17.yaml"
    text = doc.read_text(encoding="utf-8").replace("ge: 4800", "ge: 6000").replace("5.92", "9.0")
    doc.write_text(text, encoding="utf-8")
    draft = classify("RTX 4090", rules=rule_set(D2024, directory))
    assert draft.eccn == "3A090.b"  # TPP 5,285 and PD 8.69 now only meet 3A090.b.2
    assert [c["rule_id"] for c in draft.citations if c["rule_id"].startswith("3A090")] == ["3A090.b.2"]
    assert classify("RTX 4090", D2024).eccn == "3A090.a"


def test_to_dict_is_json_ready() -> None:
    import json

    d = classify("H20", dt.date(2025, 6, 1)).to_dict()
    text = json.dumps(d)
    assert d["eccn"] == NOT_CONTROLLED and d["tpp"] == 2368.0 and d["date"] == "2025-06-01"
    assert d["tpp_basis"] == {"precision": "FP8", "dense_tops": 296.0, "bits": 8}
    assert "named-item-licence-letter" in text
