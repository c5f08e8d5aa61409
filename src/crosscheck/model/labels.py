"""FollowTheMoney's English labels of the schemata and properties pages show, as msgids.

The workbench shows a schema (``UserAccount``) and a property (``owner``) by
FtM's label (``User account``, ``Owner``) through the catalogue, so a Spanish
page reads "Cuenta de usuario" and "Propietario". ``SCHEMATA`` and ``PROPERTIES``
are those our data carry; ``scripts/i18n.py`` adds their labels to the
catalogues. A schema or property outside them still shows FtM's English label.
"""

from __future__ import annotations

from collections.abc import Callable

from followthemoney import model

SCHEMATA = ("Person", "UserAccount", "Image", "Video", "Message", "CryptoWallet", "Document",
            "Email", "Family", "Thing", "LegalEntity")  # fmt: skip
PROPERTIES = ("name", "email", "phone", "birthDate", "firstName", "lastName", "username",
              "service", "owner", "senderAccount", "bodyText", "publicKey", "holder", "fileName",
              "createdAt", "generator", "mimeType", "fileSize", "notes", "relative",
              "relationship", "person", "associates")  # fmt: skip


def schema_label(name: str) -> str:
    """FtM's label of a schema (``User account``), or the name as given when unknown."""
    found = model.get(name)
    return found.label if found is not None else name


def property_label(prop: str, schema: str | None = None) -> str:
    """FtM's label of a property of ``schema`` (else of the first of ``SCHEMATA`` that has it)."""
    for name in (schema, *SCHEMATA) if schema else SCHEMATA:
        found = model.get(name)
        held = found.get(prop) if found is not None else None
        if held is not None:
            return held.label
    return prop


def msgids() -> list[str]:
    """Every label of ``SCHEMATA`` and ``PROPERTIES``: what the catalogues translate."""
    return sorted({schema_label(s) for s in SCHEMATA} | {property_label(p) for p in PROPERTIES})


def translated(gettext: Callable[[str], str]) -> tuple[Callable[..., str], Callable[..., str]]:
    """The two template filters: ``schema`` and ``prop`` (with its schema, when known)."""

    def schema(name: str) -> str:
        return gettext(schema_label(name)) if name else name

    def prop(name: str, schema: str | None = None) -> str:
        return gettext(property_label(name, schema)) if name else name

    return schema, prop


__all__ = ["PROPERTIES", "SCHEMATA", "msgids", "property_label", "schema_label", "translated"]
