"""The workbench hub (``workbench_data``) and a second BE contribution for entity and search pages.

BE's ``be_talk`` holds a person with two accounts and a second record of the
same person (one mailbox, written two ways), a message in Argentine Spanish
sent from one account, a wallet, an image and a video with fingerprints, and
hostile text (markup, script) in a name and in a message. BE's people and
accounts are resolved. Every value here is BE's: FR must never see one.
"""

from __future__ import annotations

from pathlib import Path

from crosscheck.exchange import write_package
from crosscheck.exchange.signing import load_key, sign_package
from crosscheck.model import Evaluation, Fingerprint, Handling, HandlingCode
from crosscheck.model.keys import qualify
from crosscheck.service import hub
from crosscheck.service.casework import open_store
from crosscheck.service.resolution import ResolveOptions, resolve_store
from crosscheck.settings import Settings
from tests.helpers import contribution
from tests.web.workbench_data import Hub, populate

TALK = "be_talk"
HOSTILE_NAME = '<script>alert("name")</script><b>Evil</b> Name'
HOSTILE_TEXT = "<img src=x onerror=alert(1)> Che, ¿vos sabés dónde queda? <script>dale</script>"
MESSAGE_TEXT = "Che boludo, ¿vos querés venir a tomar unos mates mañana? Dale, te espero."
MD5 = "9e107d9d372bb6826bd81d3542a419d6"
SHA1 = "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"
PDQ = "0f" * 32  # far (96 bits) from every PDQ of workbench_data
PDQ_NEAR = "0e0c" + "0f" * 30  # 3 bits from PDQ
VIDEO_FRAMES = ("0f" * 31 + "ff", "f0" * 32)  # 4 bits from PDQ; far
WALLET = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # EIP-55
PHONE = "+34 612 345 678"
EMAIL = "anna.gomez@gmail.com"

ENTITIES = [
    {"id": "anna", "schema": "Person",
     "properties": {"name": ["Anna Gómez"], "email": [EMAIL], "phone": [PHONE],
                    "birthDate": ["1990-04-01"]}},
    {"id": "anna-2", "schema": "Person",
     "properties": {"name": ["Ana Gomez"], "email": ["annagomez@gmail.com"],
                    "birthDate": ["1990-04-01"]}},
    {"id": "anna-tel", "schema": "Person",
     "properties": {"name": ["Anna Gomez"], "phone": ["+34 612-345-678"],
                    "birthDate": ["1990-04-01"]}},
    {"id": "acc-tg", "schema": "UserAccount",
     "properties": {"username": ["anna_g90"], "service": ["telegram"], "owner": ["anna"]}},
    {"id": "msg-1", "schema": "Message",
     "properties": {"bodyText": [MESSAGE_TEXT], "senderAccount": ["acc-tg"]}},
    {"id": "msg-2", "schema": "Message",
     "properties": {"bodyText": [HOSTILE_TEXT], "senderAccount": ["acc-tg"]}},
    {"id": "evil", "schema": "Person", "properties": {"name": [HOSTILE_NAME]}},
    {"id": "wallet", "schema": "CryptoWallet",
     "properties": {"publicKey": [WALLET], "holder": ["anna"]}},
    {"id": "photo", "schema": "Image", "properties": {"fileName": ["beach_0042.jpg"]}},
    {"id": "clip", "schema": "Video", "properties": {"fileName": ["clip_07.mp4"]}},
    {"id": "be-person", "schema": "Person", "properties": {"name": ["Second Doe"]}},
]  # fmt: skip
PRINTS = [
    Fingerprint(entity_id="photo", kind="md5", value=MD5),
    Fingerprint(entity_id="photo", kind="pdq", value=PDQ, quality=90),
    Fingerprint(entity_id="clip", kind="sha1", value=SHA1),
    *(
        Fingerprint(entity_id="clip", kind="vpdq-frame", value=v, quality=70, frame=i, ts=i * 1.0)
        for i, v in enumerate(VIDEO_FRAMES)
    ),
]

# BE's values FR must never see, wherever it looks
SECRETS = ["Anna Gómez", "Ana Gomez", "anna_g90", EMAIL, "+34612345678", WALLET.lower(), MD5,
           SHA1, PDQ, "beach_0042.jpg", "querés", "Evil", TALK]  # fmt: skip


def held(entity: str) -> str:
    return qualify(TALK, entity)


def populate_entities(settings: Settings, tmp_path: Path) -> Hub:
    hub_data = populate(settings, tmp_path)
    path = tmp_path / "be_talk.zip"
    write_package(
        path,
        contribution(
            TALK,
            provider={"name": "BE police", "country": "BE"},
            handling=Handling(code=HandlingCode.H1),
            evaluation=Evaluation(source="B", information="2"),
            case_reference="CASE-BE-TALK",
        ),
        ENTITIES,
        PRINTS,
    )
    sign_package(path, load_key(tmp_path / "BE.key"), "BE police")
    store = open_store(settings)
    try:
        hub.ingest(store, path, settings, require_signature=True, signer="BE police")
        hub.run_jobs(store)
        resolve_store(store, ResolveOptions(), "BE police")
    finally:
        store.engine.dispose()
    return Hub(settings, {**hub_data.contributions, "BE talk": TALK})
