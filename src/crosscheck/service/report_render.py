"""The lead report's wording: a self-contained HTML page through gettext, and its PDF.

The templates and catalogues are the workbench's (``web/templates``,
``web/locale``: one catalogue, one extraction by ``scripts/i18n.py``); they are
read here as files, never imported. ``lead_report.html`` is the standalone
document (its CSS inline, the path drawn as inline SVG); the workbench shows the
same body (``_lead_report_body.html``) inside its own page. Dates are in the
reader's locale (Babel). The PDF is WeasyPrint's rendering of that HTML, with no
access to any URL (the page refers to none).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from crosscheck.exc import InvalidData
from crosscheck.model import labels
from crosscheck.service.report_svg import path_svg

if TYPE_CHECKING:
    from crosscheck.service.report import LeadReport

WEB = Path(__file__).resolve().parent.parent / "web"
TEMPLATES = WEB / "templates"
LOCALE = WEB / "locale"
CSS = WEB / "static" / "report.css"
LANGUAGES = ("en", "es")


class _Catalogue:
    """gettext over a .po file read with Babel (no compiled .mo file is needed)."""

    def __init__(self, language: str) -> None:
        po = LOCALE / language / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as source:
            catalog = read_po(source, locale=language)
        self.strings = {
            str(m.id): str(m.string) for m in catalog if m.id and isinstance(m.string, str)
        }

    def gettext(self, message: str) -> str:
        return self.strings.get(message) or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


@cache
def _catalogue(language: str) -> _Catalogue:
    return _Catalogue(language)


@cache
def environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    catalogue = _catalogue(language)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        catalogue.gettext, catalogue.ngettext, newstyle=True
    )
    schema, prop = labels.translated(catalogue.gettext)  # the pages' filters, the same labels
    env.filters.update(schema=schema, prop=prop)
    env.globals.update(lang=language)
    return env


def _language(language: str) -> str:
    if language not in LANGUAGES:
        raise InvalidData(f"the report is written in {' or '.join(LANGUAGES)}, not {language!r}")
    return language


def context(report: LeadReport, language: str = "en") -> dict[str, Any]:
    """What the report's templates need: the report, its dates in the locale, the picture."""
    language = _language(language)

    def when(value: datetime) -> str:
        return format_datetime(value, "long", locale=language)

    def day(value: datetime) -> str:
        return format_date(value, "medium", locale=language)

    def draw(title: str, not_linked: str) -> Markup:
        # every text in the drawing is escaped there (report_svg)
        return Markup(path_svg(report.path, title, not_linked))  # noqa: S704

    return {
        "report": report,
        "generated": when(report.generated_at),
        "dates": {f.n: day(f.created_at) for f in report.footnotes},
        "draw": draw,
    }


def render_html(report: LeadReport, language: str = "en") -> str:
    """The report as one self-contained HTML page (CSS inline, the path as inline SVG)."""
    values = context(report, language)
    page = environment(language).get_template("lead_report.html")
    return page.render(**values, css=Markup(CSS.read_text(encoding="utf-8")))  # noqa: S704


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The report refers to no file or URL: WeasyPrint may fetch nothing."""
    raise InvalidData(f"the report refers to {url[:80]!r}: it may refer to nothing outside it")


def render_pdf(html: str) -> bytes:
    """The HTML page as a PDF (WeasyPrint)."""
    from weasyprint import HTML  # type: ignore[import-untyped]  # loads pango: only here

    pdf = HTML(string=html, url_fetcher=_no_fetch).write_pdf()
    if pdf is None:  # pragma: no cover - write_pdf without a target returns the bytes
        raise InvalidData("WeasyPrint wrote no PDF")
    return bytes(pdf)


__all__ = ["context", "environment", "render_html", "render_pdf"]
