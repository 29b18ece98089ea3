"""The catalogue: coverage, alias resolution, errors, spec files and load-time validation."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from chipguard.errors import InputError
from chipguard.hardware import catalogue, classify, load_spec, resolve_model
from chipguard.hardware.catalogue import catalogue_path, load_catalogue
from chipguard.hardware.rules import load_document

# The accelerators the brief names (one spelling each, as a user might type it).
REQUIRED = [
    "A100 SXM4 40GB", "A100 SXM4 80GB", "A100 PCIe 40GB", "A100 PCIe 80GB", "A800", "H100 SXM", "H100 PCIe",
    "H100 NVL", "H800 SXM", "H800 PCIe", "H20", "H200", "GH200", "B200", "GB200", "B100", "L40", "L40S", "L20",
    "L4", "A10", "A30", "V100", "T4", "RTX 4090", "RTX 4090 D", "RTX 5090", "RTX 6000 Ada", "MI210", "MI250",
    "MI250X", "MI300A", "MI300X", "MI308", "MI325X", "MI355X", "Gaudi 2", "Gaudi 3", "Ascend 910",
    "Ascend 910B", "Ascend 910C", "MLU370-X8", "MLU590", "TPU v4", "TPU v5e", "TPU v5p", "TPU v6e",
    "Trainium", "Trainium2", "Inferentia2",
]  # fmt: skip


def test_catalogue_has_at_least_40_accelerators_all_named_models_resolve() -> None:
    accelerators = [e for e in catalogue() if e.kind == "accelerator"]
    assert len(accelerators) >= 40
    resolved = {resolve_model(name).id for name in REQUIRED}
    assert len(resolved) == len(REQUIRED)  # each spelling names a different part
    assert all(resolve_model(name).kind == "accelerator" for name in REQUIRED)


def test_every_entry_has_a_source_for_every_figure() -> None:
    for entry in catalogue():
        assert entry.sources, entry.id
        figures = [f"throughput.{p}" for p in entry.throughput] + [
            f
            for f in ("die_area_mm2", "memory_bandwidth_gbs", "io_bandwidth_gbs")
            if getattr(entry, f) is not None
        ]
        for figure in figures:
            assert entry.source_of(figure), f"{entry.id}: {figure} has no source"


def test_catalogue_figures_are_dense_and_sane() -> None:
    for entry in catalogue():
        if entry.kind != "accelerator":
            continue
        for precision, tops in entry.throughput.items():
            assert 0 < tops < 20_000, (entry.id, precision)
        if entry.die_area_mm2 is not None:
            assert 100 < entry.die_area_mm2 < 2_000, entry.id


@pytest.mark.parametrize(
    "text",
    [
        "H100 SXM5 80GB",
        "h100",
        "nvidia h100-sxm",
        "NVIDIA  H100-SXM5 80 GB",
        "H100_SXM5",
        "Ｈ１００",
        "nvidia-h100-sxm",
    ],
)
def test_aliases_resolve_case_spacing_punctuation_insensitively(text: str) -> None:
    assert resolve_model(text).id == "nvidia-h100-sxm"


def test_other_aliases() -> None:
    assert resolve_model("4090d").id == "nvidia-rtx-4090d"
    assert resolve_model("GeForce RTX 4090").id == "nvidia-rtx-4090"
    assert resolve_model("昇腾910B").id == "huawei-ascend-910b"
    assert resolve_model("Intel Habana Gaudi3").id == "intel-gaudi3"
    assert resolve_model("AMD Instinct MI300X").id == "amd-mi300x"
    assert resolve_model("P5.48XLARGE").id == "aws-p5-48xlarge"
    assert resolve_model("Standard_ND96isr_H100_v5").id == "azure-nd96isr-h100-v5"


@pytest.mark.parametrize(
    ("text", "model"),
    [
        ("NVIDIA A100 80 GB PCIe", "nvidia-a100-pcie-80gb"),
        ("NVIDIA H100 80GB SXM5", "nvidia-h100-sxm"),
        ("Instinct MI300X AMD", "amd-mi300x"),
        ("Gaudi 3 Intel", "intel-gaudi3"),
    ],
)
def test_word_order_does_not_matter(text: str, model: str) -> None:
    assert resolve_model(text).id == model


def test_unknown_model_names_it_and_suggests_close_matches() -> None:
    with pytest.raises(InputError) as err:
        resolve_model("H100 SMX")
    message = str(err.value)
    assert "unknown model 'H100 SMX'" in message
    assert "NVIDIA H100 SXM5 80GB" in message
    assert err.value.field == "model"


def test_ambiguous_model_lists_candidates() -> None:
    with pytest.raises(InputError) as err:
        resolve_model("MI300")
    assert "ambiguous" in str(err.value)
    assert "MI300A" in str(err.value) and "MI300X" in str(err.value)
    for name in ("A100 PCIe", "H100 80GB", "NVIDIA V100 32 GB"):
        with pytest.raises(InputError) as err:
            classify(name, dt.date(2024, 6, 1))
        assert "ambiguous" in str(err.value), name


def test_spec_file_classifies_unlisted_chip(tmp_path: Path) -> None:
    spec = tmp_path / "acme.json"
    spec.write_text(
        json.dumps(
            {
                "name": "Acme X1",
                "vendor": "Acme",
                "datacenter": True,
                "die_area_mm2": 600,
                "throughput": [{"precision": "BF16", "dense_tops": 200}],
                "throughput_sparse": {"fp8": 1600},
                "memory_bandwidth_gbs": 2000,
                "io_bandwidth_gbs": 400,
            }
        ),
        encoding="utf-8",
    )
    c = classify(spec, dt.date(2024, 6, 1))
    assert c.source == "spec"
    assert c.tpp == pytest.approx(6400)  # sparse FP8 1,600 halved -> 800 x 8
    assert c.performance_density == pytest.approx(6400 / 600)
    assert c.eccn == "3A090.a"
    assert classify(spec, dt.date(2023, 6, 1)).eccn == "EAR99-or-not-3A090"  # 400 GB/s I/O under Oct 2022


@pytest.mark.parametrize(
    ("content", "field", "line"),
    [
        ('{"name": "x", "datacenter": true,\n "die_area_mm2": 600 "throughput": {}}', None, 2),
        ('{"name": "x", "die_area_mm2": 600, "throughput": {"FP8": 100}}', "datacenter", None),
        ('{"name": "x", "datacenter": true, "die_area": 600, "throughput": {"FP8": 100}}', "die_area", None),
        (
            '{"name": "x", "datacenter": true, "die_area_mm2": 600, "throughput": {"FP8": "lots"}}',
            "throughput.FP8",
            None,
        ),
        (
            '{"name": "x", "datacenter": true, "die_area_mm2": 600, "throughput": {"FP7": 10}}',
            "throughput.FP7",
            None,
        ),
        (
            '{"name": "x", "datacenter": "yes", "die_area_mm2": 600, "throughput": {"FP8": 100}}',
            "datacenter",
            None,
        ),
        (
            '{"name": "x", "datacenter": true, "die_area_mm2": -1, "throughput": {"FP8": 100}}',
            "die_area_mm2",
            None,
        ),
        ('{"name": "x", "datacenter": true, "die_area_mm2": 600}', "throughput", None),
        ("[1, 2]", None, None),
    ],
)
def test_malformed_spec_names_file_and_field(
    tmp_path: Path, content: str, field: str | None, line: int | None
) -> None:
    spec = tmp_path / "bad.json"
    spec.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_spec(spec)
    assert err.value.file == str(spec)
    assert str(spec) in str(err.value)
    assert err.value.field == field
    if line is not None:
        assert err.value.line == line


def test_missing_spec_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        load_spec(tmp_path / "absent.json")
    assert "absent.json" in str(err.value)


def test_catalogue_validation_rejects_duplicate_alias(tmp_path: Path) -> None:
    doc = yaml.safe_load(catalogue_path().read_text(encoding="utf-8"))
    doc["accelerators"][1]["aliases"].append("A100 40GB")  # already an alias of entry 0
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_catalogue(path)
    assert err.value.field == "aliases" and "A100 40GB" in str(err.value)


def test_catalogue_validation_rejects_entry_without_source(tmp_path: Path) -> None:
    doc = yaml.safe_load(catalogue_path().read_text(encoding="utf-8"))
    del doc["accelerators"][0]["sources"]
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_catalogue(path)
    assert err.value.field == "sources"


def test_rule_document_with_bad_condition_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "id: x\ntitle: t\ncitation: c\neffective: 2024-01-01\nrules:\n"
        "  - {id: r, effect: classify, eccn: 3A090.a, text: t, citation: c, when: {fact: tpp, gte: 1}}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load_document(path)
    assert err.value.file == str(path) and err.value.field == "when"
