"""A hub for the workbench tests: two agencies, users with passwords, a contribution each.

Each agency's data carries markers no one else may see. BE's contribution
holds a long name, a right-to-left name, media metadata and perceptual
fingerprints; BE and FR share one file, so FR's submission hits BE's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crosscheck.exchange import write_package
from crosscheck.exchange.signing import load_key, sign_package
from crosscheck.model import Fingerprint, Handling, HandlingCode
from crosscheck.service import hub, workbench
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from tests.helpers import contribution

AGENCIES = {"BE police": "BE", "FR police": "FR"}
ROLES = ("examiner", "analyst", "agency_admin")
PASSWORD = "correct horse battery"
SHARED_SHA = "c" * 64
LONG_NAME = "Maximiliana-Leopoldina " + "Wolkenkratzerfensterputzerin" * 4
RTL_NAME = "ليلى عبد الرحمن"


def markers(agency: str) -> list[str]:
    tag = AGENCIES[agency].lower()
    return [f"{tag}_contrib", f"{tag}-person", f"Secretname{tag.capitalize()}",
            f"secret.{tag}@mail.example", f"CASE-{tag.upper()}-77"]  # fmt: skip


def user(agency: str, role: str) -> str:
    return f"{AGENCIES[agency]} {role}"


@dataclass(frozen=True)
class Hub:
    settings: Settings
    contributions: dict[str, str]  # agency -> contribution id


def _package(tmp_path: Path, agency: str, key: Path) -> Path:
    tag = AGENCIES[agency].lower()
    path = tmp_path / f"{tag}.zip"
    entities = [
        {"id": f"{tag}-person", "schema": "Person",
         "properties": {"name": [f"Secretname{tag.capitalize()} Doe"],
                        "email": [f"secret.{tag}@mail.example"]}},
        {"id": f"{tag}-image", "schema": "Image",
         "properties": {"fileName": ["x.jpg"], "createdAt": ["2024-03-05T10:11:12"],
                        "generator": ["CameraSoft 2.1"],
                        "notes": ["camera_make: Acme; camera_model: Z5; gps_latitude: 50.85; "
                                  "gps_longitude: 4.35"]}},
    ]  # fmt: skip
    if agency == "BE police":
        entities.append(
            {"id": "be-long", "schema": "Person", "properties": {"name": [LONG_NAME, RTL_NAME]}}
        )
    prints = [
        Fingerprint(entity_id=f"{tag}-image", kind="sha256", value=SHARED_SHA),
        Fingerprint(entity_id=f"{tag}-image", kind="pdq", value="ab" * 32, quality=91),
        Fingerprint(
            entity_id=f"{tag}-image", kind="pdq", value="cd" * 32, quality=88, variant="rot90"
        ),
    ]
    write_package(
        path,
        contribution(
            f"{tag}_contrib",
            provider={"name": agency, "country": AGENCIES[agency]},
            handling=Handling(code=HandlingCode.H2),
            case_reference=f"CASE-{tag.upper()}-77",
        ),
        entities,
        prints,
    )
    sign_package(path, load_key(key), agency)
    return path


def populate(settings: Settings, tmp_path: Path) -> Hub:
    store = open_store(settings, create=True)
    held = {}
    for agency, country in AGENCIES.items():
        key = tmp_path / f"{country}.key"
        hub.add_agency(store, agency, country, key)
        for role in ROLES:
            number = hub.add_user(
                store, user(agency, role), role, agency, tmp_path / f"{country}-{role}.token",
                settings=settings,
            )  # fmt: skip
            workbench.set_password(store, number, PASSWORD)
        done = hub.ingest(
            store, _package(tmp_path, agency, key), settings, require_signature=True, signer=agency
        )
        held[agency] = done.imported.result.contribution_id
    number = hub.add_user(
        store, "operator", "hub_operator", None, tmp_path / "op.token", settings=settings
    )
    workbench.set_password(store, number, PASSWORD)
    hub.run_jobs(store)
    store.engine.dispose()
    return Hub(settings, held)


def small_pdf(text: str) -> bytes:
    """A one-page PDF document showing ``text`` (ASCII), written by hand: a document, not media."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % at for at in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def small_png() -> bytes:
    """A generated gradient, as a PNG: media, which no message may carry."""
    from io import BytesIO

    from PIL import Image

    image = Image.linear_gradient("L").resize((32, 32))
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
