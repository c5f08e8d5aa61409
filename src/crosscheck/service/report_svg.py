"""The lead report's link path as a picture: an SVG drawn on the server, one layer per step.

Each step of the path is a box (its caption, its kind, the footnote of its
source), top to bottom; between two boxes an arrow says what links them (the
relationship, the shared value, the hit signal, "same person"). Where two items
are not linked, a dashed gap starts a new segment. No script, no external file:
the drawing goes inline into the HTML page and the PDF alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Protocol

WIDTH = 620
BOX_W = 440
BOX_H = 46
GAP = 40
LEFT = 20
MAX_CAPTION = 52
COLOURS = {"entity": "#e8eef8", "value": "#fdf3dc", "hit": "#fbe4e4", "reference": "#eeeeee"}


class Drawn(Protocol):
    """A step of the path (``service/report.PathStep``)."""

    @property
    def caption(self) -> str: ...
    @property
    def schema(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def via(self) -> str | None: ...
    @property
    def footnote(self) -> int | None: ...


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def path_svg(steps: Sequence[Drawn], title: str, not_linked: str) -> str:
    """The path as an SVG element (text escaped); empty when there is no step."""
    if not steps:
        return ""
    height = len(steps) * (BOX_H + GAP) - GAP + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="path" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}">',
        f"<title>{escape(title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0 0 L10 5 L0 10 z" fill="#46506a"/></marker>'
        "</defs>",
    ]
    y = 10
    mid = LEFT + BOX_W / 2
    for index, step in enumerate(steps):
        if index:
            top, bottom = y - GAP, y
            if step.via is None:
                parts.append(
                    f'<line x1="{mid}" y1="{top + 4}" x2="{mid}" y2="{bottom - 4}" '
                    'stroke="#9aa3b5" stroke-dasharray="4 4"/>'
                    f'<text x="{mid + 12}" y="{top + GAP / 2 + 4}" font-size="11" '
                    f'fill="#6b7385" font-style="italic">{escape(not_linked)}</text>'
                )
            else:
                parts.append(
                    f'<line x1="{mid}" y1="{top + 2}" x2="{mid}" y2="{bottom - 3}" '
                    'stroke="#46506a" stroke-width="1.5" marker-end="url(#arrow)"/>'
                    f'<text x="{mid + 12}" y="{top + GAP / 2 + 4}" font-size="11" '
                    f'fill="#1d2330">{escape(_cut(step.via, 70))}</text>'
                )
        fill = COLOURS.get(step.kind, COLOURS["entity"])
        note = f" [{step.footnote}]" if step.footnote is not None else ""
        parts.append(
            f'<rect x="{LEFT}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{fill}" '
            'stroke="#46506a"/>'
            f'<text x="{LEFT + 12}" y="{y + 19}" font-size="13" font-weight="bold" '
            f'fill="#1d2330">{escape(_cut(step.caption, MAX_CAPTION))}</text>'
            f'<text x="{LEFT + 12}" y="{y + 36}" font-size="11" fill="#46506a">'
            f"{escape(step.schema or step.kind)}{escape(note)}</text>"
        )
        y += BOX_H + GAP
    parts.append("</svg>")
    return "".join(parts)


__all__ = ["path_svg"]
