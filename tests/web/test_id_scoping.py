"""Through the API: another agency's contribution id tells nothing of its content."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from fastapi.testclient import TestClient

from crosscheck.exchange import write_package
from crosscheck.exchange.signing import load_key, sign_package
from crosscheck.model import Fingerprint
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from crosscheck.store.audit_log import AuditLog
from tests.helpers import contribution
from tests.web.conftest import AGENCIES, auth


def signed(tmp_path: Path, name: str, agency: str, key: Path, cid: str, sha: str) -> bytes:
    path = tmp_path / f"{name}.zip"
    write_package(
        path,
        contribution(cid, provider={"name": agency, "country": AGENCIES[agency]}),
        [{"id": "img-1", "schema": "Image", "properties": {"fileName": ["x.jpg"]}}],
        [Fingerprint(entity_id="img-1", kind="sha256", value=sha)],
    )
    sign_package(path, load_key(key), agency)
    return path.read_bytes()


def test_submitting_another_agencys_id_answers_the_same_whatever_the_guess(
    hub_env: tuple[TestClient, dict[str, str], dict[str, Path]], settings: Settings, tmp_path: Path
) -> None:
    client, tokens, keys = hub_env

    def submit(body: bytes, agency: str) -> tuple[int, dict[str, Any]]:
        response = client.post(
            "/api/v1/contributions", content=body, headers=auth(tokens[f"{agency}/examiner"])
        )
        return response.status_code, response.json()

    with client:
        status, held = submit(
            signed(tmp_path, "be", "BE police", keys["BE police"], "be_case_1", "a" * 64),
            "BE police",
        )
        assert status == 201 and held["contribution"] == "be_case_1"
        right = submit(
            signed(tmp_path, "right", "FR police", keys["FR police"], "be_case_1", "a" * 64),
            "FR police",
        )
        wrong = submit(
            signed(tmp_path, "wrong", "AU police", keys["AU police"], "be_case_1", "f" * 64),
            "AU police",
        )
        answers = []
        for status, body in (right, wrong):
            assert status == 201
            assert body["created"] and body["assigned"] and body["submitted_id"] == "be_case_1"
            assert body["contribution"] != "be_case_1"
            answers.append(
                {k: v for k, v in body.items() if k not in ("contribution", "signed_by")}
            )
        assert answers[0] == answers[1]
        assert sorted(right[1]) == sorted(wrong[1])
        # the same package again from its provider: already held, under the same id
        status, again = submit(
            signed(tmp_path, "right2", "FR police", keys["FR police"], "be_case_1", "a" * 64),
            "FR police",
        )
        assert status == 201 and not again["created"]
        assert again["contribution"] == right[1]["contribution"]
        # each agency lists its own contribution; Belgium's is untouched
        listed = client.get("/api/v1/contributions", headers=auth(tokens["BE police/analyst"]))
        assert [c["id"] for c in listed.json()] == ["be_case_1"]
    store = open_store(settings)
    held_be = store.contribution("be_case_1")
    assert held_be.provider.name == "BE police"
    assert {f.value for f in store.fingerprints(contribution_id="be_case_1")} == {"a" * 64}
    details = [
        (e["subject"], orjson.loads(e["detail"]))
        for e in AuditLog(store.engine).entries()
        if e["action"] == "collection"
    ]
    assigned = {subject: detail for subject, detail in details if detail.get("assigned")}
    assert set(assigned) == {right[1]["contribution"], wrong[1]["contribution"]}
    assert {d["submitted_id"] for d in assigned.values()} == {"be_case_1"}
    store.engine.dispose()
