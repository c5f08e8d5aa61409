"""Links for the graph explorer's tests, on top of the workbench hub (``workbench_data``).

BE police gets a second contribution, ``be_graph`` (H1, evaluated B2, made on
1 May 2024): Ana, whose name is hostile markup, shares BE's secret e-mail with
``be_contrib.be-person``; her account names her as owner; a Family entity
joins her to her sister; and BE's last resolution holds Ana and "Ana Doe" as
the same person. The shortest path from the account to the first person is
account → Ana → the shared e-mail → the person.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from crosscheck.exchange import write_package
from crosscheck.exchange.signing import load_key, sign_package
from crosscheck.model import Evaluation, Handling, HandlingCode
from crosscheck.resolve.cluster import Link
from crosscheck.service import hub
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from crosscheck.store.resolution_store import ResolutionStore
from tests.helpers import contribution
from tests.web.workbench_data import Hub

HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)> Ana"
CID = "be_graph"
ANA, SISTER, TWIN, ACCOUNT = (f"{CID}.{n}" for n in ("ana", "sister", "twin", "acct"))
PERSON = "be_contrib.be-person"  # holds secret.be@mail.example too
SHARED = "email:secret.be@mail.example"
PATH = [ACCOUNT, ANA, SHARED, PERSON]
SAME_PROBABILITY = 0.9975


def add_links(held: Hub, tmp_path: Path) -> None:
    entities = [
        {"id": "ana", "schema": "Person",
         "properties": {"name": [HOSTILE], "email": ["secret.be@mail.example"]}},
        {"id": "acct", "schema": "UserAccount",
         "properties": {"username": ["ana_handle"], "owner": ["ana"]}},
        {"id": "sister", "schema": "Person", "properties": {"name": ["Berta Sister"]}},
        {"id": "twin", "schema": "Person", "properties": {"name": ["Ana Doe"]}},
        {"id": "fam", "schema": "Family",
         "properties": {"person": ["ana"], "relative": ["sister"], "relationship": ["sister"]}},
    ]  # fmt: skip
    path = tmp_path / "be_graph.zip"
    write_package(
        path,
        contribution(
            CID,
            provider={"name": "BE police", "country": "BE"},
            handling=Handling(code=HandlingCode.H1),
            evaluation=Evaluation.model_validate({"source": "B", "information": "2"}),
            created_at=datetime(2024, 5, 1, 9, 0, tzinfo=UTC),
            case_reference="CASE-BE-GRAPH",
        ),
        entities,
        [],
    )
    sign_package(path, load_key(tmp_path / "BE.key"), "BE police")
    store = open_store(held.settings)
    try:
        hub.ingest(store, path, held.settings, require_signature=True, signer="BE police")
        records = {ANA: "d1", TWIN: "d2"}
        ResolutionStore(store.engine).save(
            "BE police",
            records,
            dict.fromkeys(records, "cluster-ana"),
            [Link(min(records), max(records), SAME_PROBABILITY, {})],
            [],
        )
    finally:
        store.engine.dispose()


def settings_env(settings: Settings) -> dict[str, str]:
    return {"CROSSCHECK_HOME": str(settings.home), "CROSSCHECK_DB_URL": settings.db_url}
