"""The yente-compatible /match endpoint over the real CSL 2025 sample: FtM-shaped examples in, the listed
records as FtM entities out with score, match flag and features; bad examples are a 422 naming the field;
the call is audited like any ad-hoc screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_api_support import Api, api, sample_rows

from chipguard.store import testing


@pytest.fixture(params=testing.backends())
def srv(request: pytest.FixtureRequest, home: Path, tmp_path: Path, shared: Path) -> Iterator[Api]:
    with api(request.param, tmp_path, shared) as a:
        yield a


def test_match_answers_in_yente_shape(srv: Api) -> None:
    atlas = next(r for r in sample_rows(srv.sample) if r["name"] == "Atlas Sanatgaran")
    body = {
        "queries": {
            "q1": {"schema": "Company", "properties": {"name": ["Atlas Sanatgaran"], "country": ["am"]}},
            "q2": {"schema": "Person", "properties": {"name": ["Hans Muster"], "birthDate": ["1970"]}},
        }
    }
    r = srv.client.post("/match/default", json=body, headers=srv.headers("screen"))
    assert r.status_code == 200, r.text
    out = r.json()
    first = out["responses"]["q1"]
    assert first["status"] == 200 and first["total"]["value"] >= 1
    top = first["results"][0]
    assert top["id"] == f"us_csl-{atlas['_id']}" and top["caption"] == "Atlas Sanatgaran"
    assert top["datasets"] == ["us_csl"] and top["properties"]["name"] == ["Atlas Sanatgaran"]
    assert top["score"] >= 0.99 and top["features"]["name_score"] == top["score"]
    assert isinstance(top["match"], bool)
    assert out["responses"]["q2"]["results"] == [] and out["limit"] == 5
    # the list record rides along, and the lists screened against are stated, as on every face
    assert top["record"]["list"] and top["record"]["source_url"] == atlas["source_list_url"]
    (status,) = out["lists"]
    assert status["source"] == "us_csl" and out["lists_stale"] is status["stale"]
    assert out["responses"]["q2"]["query"]["properties"]["birthDate"] == ["1970"]
    # another list's dataset keeps only that list's records
    other = srv.client.post("/match/un", json=body, headers=srv.headers("screen")).json()
    assert other["responses"]["q1"]["results"] == []
    # audited like any ad-hoc screen: one entry per call, both names of the call in it
    adhoc = [e for e in srv.services.audit.entries() if e.action == "screen.adhoc"]
    assert len(adhoc) == 2 and [q["query"]["name"] for q in adhoc[0].payload["queries"]] == [
        "Atlas Sanatgaran",
        "Hans Muster",
    ]


def test_bad_examples_are_refused_naming_the_field(srv: Api) -> None:
    h = srv.headers("screen")
    cases = [
        ({"queries": {"a": {"schema": "Spaceship", "properties": {"name": ["X"]}}}}, "queries.a.schema"),
        (
            {"queries": {"a": {"schema": "Person", "properties": {"birthDate": ["1970"]}}}},
            "queries.a.properties.name",
        ),
    ]
    for body, field in cases:
        r = srv.client.post("/match/default", json=body, headers=h)
        assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == field, r.text
    assert srv.client.post("/match/default", json={"queries": {}}).status_code == 401
    assert srv.client.post("/match/Bad-Set", json={"queries": {}}, headers=h).status_code == 422


class _Screens:
    """A stand-in for the service: each name's screening found two records above the threshold and, when
    ``omitted`` is set, that many more past its limit."""

    def __init__(self, omitted: int) -> None:
        self.omitted = omitted

    def screen(self, queries: list[Any], actor: str) -> list[dict[str, Any]]:
        hits = [
            {"source": "us_csl", "party_id": f"p{i}", "name": f"Record {i}", "score": 0.9 - i / 100}
            for i in range(2)
        ]
        return [{"hits": hits, "omitted": self.omitted, "limit": q.limit} for q in queries]

    def party(self, source: str, party_id: str) -> None:
        return None


@pytest.mark.parametrize(("omitted", "relation"), [(0, "eq"), (7, "gte")])
def test_total_says_when_records_were_left_past_the_limit(omitted: int, relation: str) -> None:
    """A name whose screening left records past its limit (a big name listed hundreds of times) gives a
    total that is a lower bound, never an exact count of what was cut (issue 12 item 5)."""
    from chipguard.api.yente import MatchRequest, match_queries

    request = MatchRequest.model_validate(
        {"queries": {"q": {"schema": "Company", "properties": {"name": ["Huawei Technologies"]}}}}
    )
    out = match_queries(_Screens(omitted), request, "default", 5, None, "tester")  # type: ignore[arg-type]
    assert out["responses"]["q"]["total"] == {"value": 2, "relation": relation}


def test_identifying_properties_are_weighed_as_evidence(srv: Api) -> None:
    """birthDate, nationality and passportNumber of an FtM example are screening evidence, as the REST
    screen's fields are: RIM Ryong Nam (SDN, born 1978-12-05, KP, passport 836238033 on the sample) is
    confirmed by his birth date and nationality or his passport number, and ruled out (weak, no match) by
    a birth date decades away; features are numbers, as yente's are."""
    rim = next(r for r in sample_rows(srv.sample) if r["name"] == "RIM, Ryong Nam")
    person = {"schema": "Person", "properties": {"name": ["Ryong Nam Rim"]}}

    def ask(**props: list[str]) -> dict[str, Any]:
        example = {"schema": "Person", "properties": person["properties"] | props}
        r = srv.client.post("/match/default", json={"queries": {"q": example}}, headers=srv.headers("screen"))
        assert r.status_code == 200, r.text
        answer: dict[str, Any] = r.json()["responses"]["q"]
        top = answer["results"][0]
        assert top["id"] == f"us_csl-{rim['_id']}"
        assert all(isinstance(v, float) for v in top["features"].values()), top["features"]
        return answer

    agreeing = ask(birthDate=["1978-12-05", "1979"], nationality=["kp"])
    top = agreeing["results"][0]
    assert top["match"] is True and top["strength"] == "confirmed"
    assert top["features"]["date_of_birth"] == 1.0 and top["features"]["nationality"] == 1.0
    assert agreeing["evidence_ignored"] == ["birthDate[1]"]  # one date of birth is weighed, the first
    passport = ask(passportNumber=["836238033"])["results"][0]
    assert passport["features"]["registration_number"] == 1.0 and passport["strength"] == "confirmed"
    shifted = ask(birthDate=["1950"])["results"][0]
    assert shifted["match"] is False and shifted["strength"] == "weak"
    assert shifted["features"]["date_of_birth"] == -1.0
    assert shifted["score"] < top["score"]


def test_bad_identifying_properties_are_refused_naming_the_property(srv: Api) -> None:
    """An unparseable birthDate, a failing LEI or IMO check, a USCC failing its check character, an
    unknown country: a 422 naming queries.<key>.properties.<property>; nothing of the request is
    screened (no audit entry), even the good example beside it. Per-request weights are refused."""
    h = srv.headers("screen")
    good = {"schema": "Company", "properties": {"name": ["Atlas Sanatgaran"]}}
    cases = [
        ({"schema": "Person", "properties": {"name": ["X"], "birthDate": ["1973-02-30"]}}, "birthDate"),
        (
            {"schema": "Company", "properties": {"name": ["X"], "leiCode": ["25340038P8SYW80B9W35"]}},
            "leiCode",
        ),
        ({"schema": "Vessel", "properties": {"name": ["X"], "imoNumber": ["8984485"]}}, "imoNumber"),
        (
            {
                "schema": "Company",
                "properties": {"name": ["X"], "jurisdiction": ["cn"], "uscCode": ["91110000MA005UCQ5X"]},
            },
            "uscCode",
        ),
        ({"schema": "Company", "properties": {"name": ["X"], "country": ["xq"]}}, "country"),
        ({"schema": "Person", "properties": {"name": ["X"], "nationality": ["Germany"]}}, "nationality"),
    ]
    before = len([e for e in srv.services.audit.entries() if e.action == "screen.adhoc"])
    for example, prop in cases:
        r = srv.client.post("/match/default", json={"queries": {"ok": good, "bad": example}}, headers=h)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"][0]["field"] == f"queries.bad.properties.{prop}", r.text
    weights = {"queries": {"ok": good}, "weights": {"name_literal_match": 0.5}}
    r = srv.client.post("/match/default", json=weights, headers=h)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "body.weights", r.text
    assert len([e for e in srv.services.audit.entries() if e.action == "screen.adhoc"]) == before
    empty = srv.client.post(
        "/match/default", json={"queries": {"ok": good}, "weights": {}, "config": {}}, headers=h
    )
    assert empty.status_code == 200 and empty.json()["responses"]["ok"]["results"], empty.text


def test_a_yente_client_authenticates_with_its_apikey_scheme(srv: Api) -> None:
    """yente's clients send ``Authorization: ApiKey <key>``; the same key is accepted that way, an unknown
    key is still a 401, and another scheme's word does not pass for it."""
    body = {"queries": {"q": {"schema": "Company", "properties": {"name": ["Atlas Sanatgaran"]}}}}
    key = srv.tokens["screen"]
    r = srv.client.post("/match/default", json=body, headers={"Authorization": f"ApiKey {key}"})
    assert r.status_code == 200, r.text
    assert r.json()["responses"]["q"]["total"]["value"] >= 1
    for header in (f"ApiKey {key[:-2]}xx", "ApiKey ", f"Basic {key}"):
        r = srv.client.post("/match/default", json=body, headers={"Authorization": header})
        assert r.status_code == 401, header


def test_yente_algorithm_names_map_to_the_one_scorer_and_others_are_refused(srv: Api) -> None:
    """A yente client sends ``algorithm`` (yente: default ``best``, ``logic-v1``, ``name-based`` …):
    chipguard scores every call with its one scorer, says so, and refuses a name yente does not know."""
    h = srv.headers("screen")
    body = {"queries": {"q1": {"schema": "Company", "properties": {"name": ["Atlas Sanatgaran"]}}}}
    plain = srv.client.post("/match/default", json=body, headers=h).json()
    assert plain["algorithm"]["name"] == "chipguard" and plain["algorithm"]["requested"] == "chipguard"
    for asked in ("logic-v1", "best", " Logic-V2 ", "name-based", "regression-v2"):
        r = srv.client.post("/match/default", json=body, headers=h, params={"algorithm": asked})
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["algorithm"] == plain["algorithm"] | {"requested": asked.strip().lower()}
        assert "matching.yml" in out["algorithm"]["description"]
        # the same scorer: the same records, scores and strengths whatever name was asked for
        assert [(x["id"], x["score"], x["strength"]) for x in out["responses"]["q1"]["results"]] == [
            (x["id"], x["score"], x["strength"]) for x in plain["responses"]["q1"]["results"]
        ]
    screened = len([e for e in srv.services.audit.entries() if e.action == "screen.adhoc"])
    for bad in ("logic-v9", "fuzzy", ""):
        r = srv.client.post("/match/default", json=body, headers=h, params={"algorithm": bad})
        assert r.status_code == 422, r.text
        (detail,) = r.json()["error"]["details"]
        assert detail["field"] == "algorithm" and "logic-v1" in detail["message"]
    # refused before anything was screened: no audit entry for them
    assert len([e for e in srv.services.audit.entries() if e.action == "screen.adhoc"]) == screened


def test_match_limit_goes_to_the_rule_sets_bound(srv: Api) -> None:
    """The bound of every face (the rule set's screening_hit_limit, 200), not a bound of its own."""
    h = srv.headers("screen")
    body = {"queries": {"q1": {"schema": "Company", "properties": {"name": ["Atlas Sanatgaran"]}}}}
    ok = srv.client.post("/match/default", json=body, headers=h, params={"limit": 200})
    assert ok.status_code == 200 and ok.json()["limit"] == 200
    for bad in (201, 0):
        r = srv.client.post("/match/default", json=body, headers=h, params={"limit": bad})
        assert r.status_code == 422 and "limit" in r.json()["error"]["details"][0]["field"], r.text


def test_algorithms_and_matcher_document_the_features_in_yentes_shape(srv: Api) -> None:
    """A yente client calls GET /algorithms (yente's AlgorithmResponse: algorithms with name, description,
    config and features; default; best) to choose or check the ``algorithm`` it sends, and reads /match's
    ``matcher`` (FeatureDocs) to interpret ``features``. Every listed name is one /match takes; every
    feature a real result carries is documented, and its coefficients say how the score is made: the sum
    of coefficient × value is the score."""
    from chipguard.api.yente import yente_data

    h = srv.headers("screen")
    assert srv.client.get("/algorithms").status_code == 401
    r = srv.client.get("/algorithms", headers=h)
    assert r.status_code == 200, r.text
    out = r.json()
    assert set(out) == {"algorithms", "default", "best"}
    names = [a["name"] for a in out["algorithms"]]
    assert names == [n for n in yente_data().accepted if n != "best"]
    assert {"chipguard", "logic-v1", "logic-v2", "name-based"} <= set(names)
    assert out["default"] == "chipguard" and out["best"] == "chipguard"
    features = out["algorithms"][0]["features"]
    for algorithm in out["algorithms"]:
        assert set(algorithm) == {"name", "description", "config", "features"} and algorithm["config"] == {}
        assert algorithm["description"] and algorithm["features"] == features
    for doc in features.values():
        assert set(doc) == {"description", "coefficient", "url"} and doc["description"].strip()
        assert isinstance(doc["coefficient"], float) and isinstance(doc["url"], str)
    rim = next(r for r in sample_rows(srv.sample) if r["name"] == "RIM, Ryong Nam")
    body = {
        "queries": {
            "agree": {
                "schema": "Person",
                "properties": {
                    "name": ["Ryong Nam Rim"],
                    "birthDate": ["1978-12-05"],
                    "nationality": ["kp"],
                    "passportNumber": ["836238033"],
                },
            },
            "conflict": {
                "schema": "Person",
                "properties": {"name": ["Ryong Nam Rim"], "birthDate": ["1950"], "nationality": ["fr"]},
            },
            "org": {"schema": "Company", "properties": {"name": ["Atlas Sanatgaran"], "country": ["cn"]}},
            "kind": {"schema": "Company", "properties": {"name": ["Ryong Nam Rim"]}},
        }
    }
    seen: set[str] = set()
    for asked in names:
        # a threshold low enough to keep the hits a conflicting detail pulled down
        params = {"algorithm": asked, "threshold": 0.5}
        r = srv.client.post("/match/default", json=body, headers=h, params=params)
        assert r.status_code == 200, (asked, r.text)
        answer = r.json()
        assert answer["matcher"] == features
        for response in answer["responses"].values():
            assert response["results"], (response["query"], answer["responses"].keys())
            for result in response["results"]:
                assert set(result["features"]) <= set(features), result["features"]
                seen |= set(result["features"])
                made = sum(v * features[k]["coefficient"] for k, v in result["features"].items())
                assert abs(made - result["score"]) < 1e-3, (result["score"], result["features"])
    top = next(
        x
        for x in srv.client.post("/match/default", json=body, headers=h).json()["responses"]["agree"][
            "results"
        ]
    )
    assert top["id"] == f"us_csl-{rim['_id']}"
    # the details of these queries were all compared, and each is documented
    assert {"date_of_birth", "nationality", "registration_number", "country", "kind"} <= seen
