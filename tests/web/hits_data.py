"""Notices for the hits page tests, on top of ``workbench_data.populate``.

BE holds three more images (``holiday_0N.jpg``, generated names, no content);
FR then submits ``IMG_0002.jpg``, whose PDQ is 0, 6 and 12 bits from them and
whose SHA-256 equals the first: one notice on BE's data with three items,
besides the populate's notice on ``x.jpg``. A third agency, NL, takes part in
no notice at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crosscheck.exchange import write_package
from crosscheck.exchange.signing import load_key, sign_package
from crosscheck.model import Fingerprint, Handling, HandlingCode
from crosscheck.service import hub, workbench
from crosscheck.service.casework import open_store
from tests.helpers import contribution
from tests.web.workbench_data import AGENCIES, PASSWORD, ROLES, Hub

BASE_PDQ = "0123456789abcdef" * 4
IMAGE_SHA = "e" * 64
HOLIDAY = ("holiday_01.jpg", "holiday_02.jpg", "holiday_03.jpg")  # BE's items, strongest first
THIRD = "NL police"


def flipped(hex_hash: str, bits: int) -> str:
    """The hash with its first ``bits`` bits flipped: that Hamming distance from it."""
    value = int(hex_hash, 16) ^ (((1 << bits) - 1) << (256 - bits))
    return f"{value:064x}"


@dataclass(frozen=True)
class Notices:
    big: str  # FR's IMG_0002.jpg on BE's three holiday images
    small: str  # FR's x.jpg on BE's x.jpg (populate's)
    third_users: list[str]


def _image_package(
    tmp_path: Path, agency: str, cid: str, images: list[tuple[str, str, str]]
) -> Path:
    country = AGENCIES[agency]
    entities, prints = [], []
    for number, (name, sha, pdq) in enumerate(images):
        entity = f"img-{number}"
        entities.append({"id": entity, "schema": "Image", "properties": {"fileName": [name]}})
        prints.append(Fingerprint(entity_id=entity, kind="sha256", value=sha))
        prints.append(Fingerprint(entity_id=entity, kind="pdq", value=pdq, quality=90))
    path = tmp_path / f"{cid}.zip"
    write_package(
        path,
        contribution(
            cid,
            provider={"name": agency, "country": country},
            handling=Handling(code=HandlingCode.H2),
            case_reference=f"CASE-{country}-88",
        ),
        entities,
        prints,
    )
    sign_package(path, load_key(tmp_path / f"{country}.key"), agency)
    return path


def add_notices(held: Hub, tmp_path: Path) -> Notices:
    settings = held.settings
    store = open_store(settings)
    try:
        hub.add_agency(store, THIRD, "NL", tmp_path / "NL.key")
        third = []
        for role in ROLES:
            name = f"NL {role}"
            number = hub.add_user(
                store, name, role, THIRD, tmp_path / f"NL-{role}.token", settings=settings
            )
            workbench.set_password(store, number, PASSWORD)
            third.append(name)
        be = [
            (HOLIDAY[0], IMAGE_SHA, BASE_PDQ),
            (HOLIDAY[1], "1" * 64, flipped(BASE_PDQ, 6)),
            (HOLIDAY[2], "2" * 64, flipped(BASE_PDQ, 12)),
        ]
        fr = [("IMG_0002.jpg", IMAGE_SHA, BASE_PDQ)]
        for agency, cid, images in (("BE police", "be_more", be), ("FR police", "fr_more", fr)):
            path = _image_package(tmp_path, agency, cid, images)
            hub.ingest(store, path, settings, require_signature=True, signer=agency)
        inbox = hub.notice_inbox_for(store, "BE police")
        big = next(n.ref for n in inbox if len(n.items) == 3)
        small = next(n.ref for n in inbox if n.ref != big)
    finally:
        store.engine.dispose()
    return Notices(big, small, third)
