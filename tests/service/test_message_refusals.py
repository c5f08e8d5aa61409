"""What a secure message refuses, on both engines, and why: media carried anywhere inside an
attachment, the sender's own agency as recipient, a subject, body or case reference over its
cap (refused, never cut), and attachment names with invisible or direction-changing characters.

All media here are generated shapes and gradients (benign), written by Pillow and the
standard library's archivers.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from crosscheck.exc import InvalidData
from crosscheck.fingerprints.embedded import carried
from crosscheck.fingerprints.sniff import Category
from crosscheck.model import Evaluation, Handling
from crosscheck.service import hub, messages
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from tests.web.workbench_data import small_pdf

H1 = Handling.model_validate({"code": "H1"})
B2 = Evaluation.model_validate({"source": "B", "information": "2"})
LEAD_TEXT = b"A written lead: the account lobo_gris points to Spain.\n" * 20


def shapes(kind: str) -> bytes:
    """A generated picture of two shapes, saved as ``kind`` by Pillow."""
    image = Image.new("RGB", (48, 32), (230, 240, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((4, 4, 20, 20), fill=(200, 40, 40))
    draw.ellipse((24, 6, 44, 26), fill=(40, 90, 200))
    out = io.BytesIO()
    image.save(out, format=kind)
    return out.getvalue()


def zipped(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return out.getvalue()


def tarred(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def ebml(doctype: bytes) -> bytes:
    """An EBML header naming ``doctype`` (Matroska or WebM), then an empty segment."""
    doc = b"\x42\x82" + bytes([0x80 | len(doctype)]) + doctype
    header = b"\x42\x86\x81\x01" + doc
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(header)]) + header + b"\x18\x53\x80\x67\x80"


def transport_stream() -> bytes:
    """Ten MPEG-TS packets of stuffing: sync byte, PID 0x1FFF, payload only."""
    return (b"\x47\x1f\xff\x10" + b"\xff" * 184) * 10


# Each embedded kind: what makes it, the category and MIME type the scan must tell.
EMBEDDED: dict[str, tuple[Callable[[], bytes], Category, str]] = {
    "png": (lambda: shapes("PNG"), Category.IMAGE, "image/png"),
    "jpeg": (lambda: shapes("JPEG"), Category.IMAGE, "image/jpeg"),
    "gif": (lambda: shapes("GIF"), Category.IMAGE, "image/gif"),
    "webp": (lambda: shapes("WEBP"), Category.IMAGE, "image/webp"),
    "bmp": (lambda: shapes("BMP"), Category.IMAGE, "image/bmp"),
    "tiff": (lambda: shapes("TIFF"), Category.IMAGE, "image/tiff"),
    "zip": (lambda: zipped("shapes.png", shapes("PNG")), Category.ARCHIVE, "application/zip"),
    "gzip": (lambda: gzip.compress(LEAD_TEXT), Category.ARCHIVE, "application/gzip"),
    "bzip2": (lambda: bz2.compress(LEAD_TEXT), Category.ARCHIVE, "application/x-bzip2"),
    "xz": (lambda: lzma.compress(LEAD_TEXT), Category.ARCHIVE, "application/x-xz"),
    "tar": (lambda: tarred("lead.txt", LEAD_TEXT), Category.ARCHIVE, "application/x-tar"),
    "7z": (
        lambda: b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(24),
        Category.ARCHIVE,
        "application/x-7z-compressed",
    ),
    "rar": (lambda: b"Rar!\x1a\x07\x01\x00" + bytes(24), Category.ARCHIVE, "application/vnd.rar"),
    "mp4": (
        lambda: b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(64),
        Category.VIDEO,
        "video/mp4",
    ),
    "heic": (
        lambda: b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64),
        Category.IMAGE,
        "image/heic",
    ),
    "avi": (
        lambda: b"RIFF\x24\x00\x00\x00AVI LIST" + bytes(32),
        Category.VIDEO,
        "video/x-msvideo",
    ),
    "webm": (lambda: ebml(b"webm"), Category.VIDEO, "video/webm"),
    "matroska": (lambda: ebml(b"matroska"), Category.VIDEO, "video/x-matroska"),
    "mpeg-ts": (transport_stream, Category.VIDEO, "video/mp2t"),
}
MADE = {kind: make() for kind, (make, _, _) in EMBEDDED.items()}


@pytest.fixture
def three(store: CaseStore, tmp_path: Path) -> CaseStore:
    for name, country in (("ES police", "ES"), ("FR police", "FR"), ("AU police", "AU")):
        hub.add_agency(store, name, country, tmp_path / f"{country}.key")
    return store


def send(store: CaseStore, settings: Settings, **fields: object) -> str:
    values: dict[str, object] = {
        "sender": "ES police",
        "recipients": ["FR police"],
        "subject": "Lead for France",
        "body": "The account points to France.",
        "handling": H1,
        "evaluation": B2,
    } | fields
    return messages.send(store, settings, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("label", "prefix", "appended"),
    [
        ("pdf+zip(png)", small_pdf("Lead report"), zipped("shapes.png", shapes("PNG"))),
        ("pdf+png", small_pdf("Lead report"), shapes("PNG")),
        ("text+png", LEAD_TEXT, shapes("PNG")),
        ("text+jpeg", LEAD_TEXT, shapes("JPEG")),
        ("pdf+gzip", small_pdf("Lead report"), MADE["gzip"]),
    ],
)
def test_media_appended_to_a_document_are_refused(
    three: CaseStore, settings: Settings, label: str, prefix: bytes, appended: bytes
) -> None:
    smuggled = prefix + appended
    if label == "pdf+zip(png)":  # what the tester did: the recipient's zipfile opens it
        with zipfile.ZipFile(io.BytesIO(smuggled)) as archive:
            assert archive.namelist() == ["shapes.png"]
    before = messages.inbox(three, "FR police", settings)
    with pytest.raises(messages.RefusedAttachment) as refused:
        send(three, settings, files=[("lead.pdf", smuggled)])
    error = refused.value
    assert error.reason == "media" and error.name == "lead.pdf"
    assert error.offset == len(prefix), (label, error.offset, len(prefix))
    assert f"at byte {len(prefix)}" in str(error) and "'lead.pdf'" in str(error)
    assert "never leave the agency" in str(error)
    assert messages.inbox(three, "FR police", settings) == before  # nothing was sent


@pytest.mark.parametrize("kind", sorted(EMBEDDED))
def test_every_kind_is_found_inside_text(kind: str) -> None:
    _, category, mime = EMBEDDED[kind]
    found = carried(LEAD_TEXT + MADE[kind] + LEAD_TEXT)
    assert found is not None, kind
    assert (found.offset, found.category, found.mime) == (len(LEAD_TEXT), category, mime)


def test_documents_and_the_lead_report_pdf_go(
    three: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    """A WeasyPrint lead report (as the report test builds one), a hand-written PDF and text
    carry no media: they go."""
    from crosscheck.service.report import build_report, render_html, render_pdf
    from tests.service.report_case import build

    case = build(three, settings, tmp_path)
    made = build_report(three, case.au, [case.near, case.exact], ["msg-1"], competent="ES")
    for pdf in (render_pdf(render_html(made)), render_pdf(render_html(made, "es"))):
        assert pdf.startswith(b"%PDF") and carried(pdf) is None
        ref = send(three, settings, files=[("lead.pdf", pdf), ("notes.txt", LEAD_TEXT)])
        shown = messages.show(three, settings, ref, "FR police")
        assert shown.attachments == {"lead.pdf": pdf, "notes.txt": LEAD_TEXT}
    assert carried(small_pdf("Lead report")) is None


def test_our_own_documentation_is_text_not_media() -> None:
    """Real prose that names formats and their signatures (GIF89a, BZh91AY&SY, PK, ftyp…)
    is no media: every Markdown file of the repository, and all of them joined, pass."""
    root = Path(__file__).resolve().parents[2]
    pages = [p.read_bytes() for p in sorted(root.glob("*.md")) + sorted(root.glob("docs/*.md"))]
    assert len(pages) > 5 and b"BZh91AY&SY" in b"".join(pages)
    assert [carried(page) for page in pages] == [None] * len(pages)
    assert carried(b"\n".join(pages)) is None
    joined = b"".join(pages)
    found = carried(joined + bz2.compress(LEAD_TEXT))  # a real stream after them is caught
    assert found is not None and (found.offset, found.mime) == (len(joined), "application/x-bzip2")


def test_a_pdf_with_a_jpeg_image_in_it_is_media() -> None:
    """A raster image inside a PDF is media: Pillow writes the JPEG stream as it is."""
    out = io.BytesIO()
    Image.open(io.BytesIO(shapes("JPEG"))).save(out, format="PDF")
    pdf = out.getvalue()
    assert pdf.startswith(b"%PDF")
    found = carried(pdf)
    assert found is not None and found.mime == "image/jpeg" and found.offset > 0


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(), st.sampled_from(["utf-8", "utf-16", "utf-32"]))
def test_random_text_never_trips_the_scan(text: str, encoding: str) -> None:
    assert carried(text.encode(encoding, "surrogatepass")) is None


@hsettings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from(sorted(EMBEDDED)), st.text())
def test_any_embedded_signature_is_found(before: str, kind: str, after: str) -> None:
    head = before.encode()
    found = carried(head + MADE[kind] + after.encode())
    assert found is not None
    assert found.offset == len(head) and found.mime == EMBEDDED[kind][2]


def test_the_sender_s_own_agency_is_no_recipient(three: CaseStore, settings: Settings) -> None:
    for recipients in (["ES police"], ["FR police", "ES police"]):
        with pytest.raises(messages.RefusedMessage, match="cannot send a message to itself") as e:
            send(three, settings, recipients=recipients)
        assert e.value.reason == "own-agency"
    assert messages.inbox(three, "ES police", settings) == []
    assert messages.inbox(three, "FR police", settings) == []


@pytest.mark.parametrize(
    ("field", "reason", "cap"),
    [
        ("subject", "subject", messages.MAX_SUBJECT_CHARS),
        ("body", "body", messages.MAX_BODY_CHARS),
        ("case_reference", "case-reference", messages.MAX_CASE_REFERENCE_CHARS),
    ],
)
def test_over_a_cap_is_refused_never_cut(
    three: CaseStore, settings: Settings, field: str, reason: str, cap: int
) -> None:
    for over in (cap + 1, 200_000):
        with pytest.raises(messages.RefusedMessage, match=f"at most {cap} go") as refused:
            send(three, settings, **{field: "é" * over})
        assert refused.value.reason == reason and refused.value.limit == cap
    assert messages.inbox(three, "FR police", settings) == []
    ref = send(three, settings, **{field: "é" * cap})  # at the cap: kept whole
    shown = messages.show(three, settings, ref, "FR police")
    kept = {"subject": shown.message.subject, "body": shown.body}
    kept["case_reference"] = shown.message.case_reference or ""
    assert kept[field] == "é" * cap


@pytest.mark.parametrize(
    "name",
    [
        "ok\u202egpj.pdf",  # right-to-left override: shows as ok…pdf.jpg reversed
        "lead\u2066.pdf",
        "lead\u200f.txt",
        "lead\u061c.txt",
        "lead\u200b.txt",  # zero-width space (Cf)
        "lead\x07.txt",  # a control character (Cc)
        "lead\ufeff.txt",
    ],
)
def test_attachment_names_with_hidden_characters_are_refused(
    three: CaseStore, settings: Settings, tmp_path: Path, name: str
) -> None:
    with pytest.raises(messages.RefusedAttachment, match="invisible or direction-changing") as e:
        send(three, settings, files=[(name, LEAD_TEXT)])
    assert e.value.reason == "hidden" and e.value.name.isascii()  # shown escaped
    assert f"U+{ord(next(c for c in name if not c.isprintable())):04X}" in str(e.value)
    path = tmp_path / name
    path.write_bytes(LEAD_TEXT)
    with pytest.raises(messages.RefusedAttachment, match="invisible or direction-changing"):
        send(three, settings, attachments=[path])  # as the CLI attaches files
    assert messages.inbox(three, "FR police", settings) == []


def test_non_latin_attachment_names_go(three: CaseStore, settings: Settings) -> None:
    names = ["تقرير الخيوط.txt", "отчёт.txt", "报告.txt", "informe_año.txt"]
    ref = send(three, settings, files=[(n, LEAD_TEXT) for n in names])
    shown = messages.show(three, settings, ref, "FR police")
    assert sorted(shown.attachments) == sorted(names)


def test_refusals_are_invalid_data(three: CaseStore, settings: Settings) -> None:
    """Every path (API, CLI, pages) turns InvalidData into a readable 400."""
    for fields in (
        {"recipients": ["ES police"]},
        {"subject": "x" * 301},
        {"files": [("ok\u202egpj.pdf", LEAD_TEXT)]},
        {"files": [("lead.pdf", LEAD_TEXT + MADE["png"])]},
    ):
        with pytest.raises(InvalidData):
            send(three, settings, **fields)
