"""A hub case for the lead report: AU's seizure hits BE's and FR's holdings; it points to Spain.

- AU police (the report's writer), contribution ``au_case`` marked H1: an image,
  the message it was attached to (written in Spanish from Spain), two accounts
  and their owner, resolved as one person.
- BE police: a near duplicate of AU's image (PDQ, 6 bits away), released by BE
  (``be_open``, H0), and one 10 bits away marked H3 (``be_restricted``), released
  but not acknowledged by AU: its restriction shows, its item does not.
- FR police: an exact copy marked H2, never released: nothing of it may show.

Every name is invented; the images are fingerprints of nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crosscheck.exchange import write_package
from crosscheck.model import Fingerprint, Handling, HandlingCode
from crosscheck.service import hub
from crosscheck.service.resolution import ResolveOptions, resolve_store
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.access_store import Caller
from crosscheck.store.hub_store import HubStore
from tests.helpers import contribution

BASE_PDQ = "9c3a" * 16
EXACT = "5" * 64
RESTRICTION = "for intelligence only: no arrest on this alone"
SPAIN_TEXT = (
    "Vale, tío, os lo paso luego desde el ordenador porque el móvil no tiene batería. "
    "Vosotros ya sabéis dónde quedamos, cogemos el coche a las diez."
)
# what AU may never see, nor put in a report: FR's unreleased H2 item and BE's pending one
SECRETS = ("fr-secret-h2.jpg", "fr_hidden", "FR-CASE-H2", "be-restricted-photo.jpg")


def flip(value: str, bits: int) -> str:
    """``value`` with its lowest ``bits`` bits flipped: exactly ``bits`` away."""
    return f"{int(value, 16) ^ ((1 << bits) - 1):064x}"


@dataclass(frozen=True)
class Case:
    au: Caller
    be: Caller
    near: str  # the released near duplicate's hit ref (BE, H0)
    restricted: str  # the H3 hit's ref (released, not acknowledged)
    exact: str  # FR's unreleased H2 hit
    notice: str  # AU's notice on FR


def _ingest(
    store: CaseStore, settings: Settings, tmp_path: Path, cid: str, agency: tuple[str, str],
    entities: list[dict[str, Any]], prints: list[Fingerprint], **changes: Any,
) -> None:  # fmt: skip
    path = tmp_path / f"{cid}.zip"
    item = contribution(cid, provider={"name": agency[0], "country": agency[1]}, **changes)
    write_package(path, item, entities, prints)
    hub.ingest(store, path, settings, require_signature=False)


def au_entities() -> list[dict[str, Any]]:
    return [
        {"id": "img-1", "schema": "Image",
         "properties": {"fileName": ["DCIM/IMG_0412.jpg"], "parent": ["msg-1"]}},
        {"id": "msg-1", "schema": "Message",
         "properties": {"bodyText": [SPAIN_TEXT], "senderAccount": ["acc-forum"],
                        "date": ["2024-05-02"]}},
        {"id": "acc-forum", "schema": "UserAccount",
         "properties": {"username": ["lobo_gris"], "service": ["forum.example"],
                        "email": ["lobo.gris@mail.example"], "owner": ["person-1"]}},
        {"id": "acc-chat", "schema": "UserAccount",
         "properties": {"username": ["lobogris84"], "service": ["chat.example"],
                        "email": ["lobo.gris@mail.example"], "owner": ["person-1"]}},
        {"id": "person-1", "schema": "Person",
         "properties": {"name": ["Tomás Ferrer Olmedo"], "birthDate": ["1984-03-09"],
                        "email": ["lobo.gris@mail.example"]}},
    ]  # fmt: skip


def build(store: CaseStore, settings: Settings, tmp_path: Path) -> Case:
    be, fr, au = ("BE police", "BE"), ("FR police", "FR"), ("AU police", "AU")
    _ingest(
        store, settings, tmp_path, "be_open", be,
        [{"id": "be-near", "schema": "Image", "properties": {"fileName": ["seized/be-near.jpg"]}}],
        [Fingerprint(entity_id="be-near", kind="pdq", value=flip(BASE_PDQ, 6), quality=90)],
        handling=Handling(code=HandlingCode.H0), case_reference="BE/2024/11",
    )  # fmt: skip
    _ingest(
        store, settings, tmp_path, "be_restricted", be,
        [{"id": "be-r", "schema": "Image",
          "properties": {"fileName": ["be-restricted-photo.jpg"]}}],
        [Fingerprint(entity_id="be-r", kind="pdq", value=flip(BASE_PDQ, 10), quality=90)],
        handling=Handling(code=HandlingCode.H3, note=RESTRICTION),
    )  # fmt: skip
    _ingest(
        store, settings, tmp_path, "fr_hidden", fr,
        [{"id": "fr-x", "schema": "Image", "properties": {"fileName": ["fr-secret-h2.jpg"]}}],
        [Fingerprint(entity_id="fr-x", kind="sha256", value=EXACT)],
        handling=Handling(code=HandlingCode.H2), case_reference="FR-CASE-H2",
    )  # fmt: skip
    _ingest(
        store, settings, tmp_path, "au_case", au, au_entities(),
        [Fingerprint(entity_id="img-1", kind="sha256", value=EXACT),
         Fingerprint(entity_id="img-1", kind="pdq", value=BASE_PDQ, quality=92)],
        handling=Handling(code=HandlingCode.H1), case_reference="AU/2024/5",
    )  # fmt: skip
    by_owner = {h.other_contribution_id: h.ref for h in HubStore(store.engine).hits()}
    hub.decide(store, by_owner["be_open"], "BE police", release=True)
    hub.decide(store, by_owner["be_restricted"], "BE police", release=True)
    resolve_store(store, ResolveOptions(), viewer="AU police")
    [notice] = [n for n in hub.notices_for(store, "AU police") if n.other_agency == "FR police"]
    return Case(
        au=Caller(1, "AU analyst", "analyst", "AU police"),
        be=Caller(2, "BE analyst", "analyst", "BE police"),
        near=by_owner["be_open"],
        restricted=by_owner["be_restricted"],
        exact=by_owner["fr_hidden"],
        notice=notice.ref,
    )
