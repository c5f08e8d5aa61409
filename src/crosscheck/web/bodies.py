"""Request bodies read only after the caller is known, and only up to a cap.

FastAPI reads and parses a declared body before a route's dependencies run,
so a route that took a pydantic body would read a stranger's 200 MiB before
checking the token. Routes here take the ``Request`` instead, authenticate
(``Who``), then call :func:`parse_json`; :func:`json_body_spec` keeps the body
in the OpenAPI schema for clients and schemathesis.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any, TypeVar

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser

Model = TypeVar("Model", bound=BaseModel)


def declared_length(request: Request, cap: int, what: str = "the request body") -> None:
    """Refuse (413) a body whose Content-Length is over ``cap``, before reading any of it."""
    length = request.headers.get("content-length")
    if length is None:
        return
    try:
        declared = int(length)
    except ValueError as exc:
        raise HTTPException(400, "Content-Length is not a whole number") from exc
    if declared > cap:
        raise HTTPException(413, f"{what} is over the hub's size limit ({cap} bytes)")


async def read_body(request: Request, cap: int) -> bytes:
    """The body, at most ``cap`` bytes: a longer one is cut off there and refused (413)."""
    declared_length(request, cap)
    parts: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise HTTPException(413, f"the request body is over the hub's size limit ({cap} bytes)")
        parts.append(chunk)
    return b"".join(parts)


async def _capped(request: Request, cap: int) -> AsyncGenerator[bytes, None]:
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise HTTPException(413, f"the request body is over the hub's size limit ({cap} bytes)")
        yield chunk


async def read_form(request: Request, cap: int, *, max_files: int, max_part_size: int) -> FormData:
    """A form (multipart or urlencoded), at most ``cap`` bytes in all, ``max_files`` files and
    ``max_part_size`` bytes a field (files apart); uploaded files are spooled, not held whole.

    Read after the caller is checked: 413 over the cap, 400 for a broken or over-full form.
    """
    declared_length(request, cap)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    stream = _capped(request, cap)
    parser: MultiPartParser | FormParser
    if kind == "multipart/form-data":
        parser = MultiPartParser(
            request.headers,
            stream,
            max_files=max_files,
            max_fields=100,
            max_part_size=max_part_size,
        )
    elif kind == "application/x-www-form-urlencoded":
        parser = FormParser(request.headers, stream)
    else:
        raise HTTPException(415, "send a form (multipart/form-data)")
    try:
        return await parser.parse()
    except MultiPartException as exc:
        raise HTTPException(400, exc.message) from exc


async def parse_json(request: Request, model: type[Model], cap: int) -> Model:
    """The body as ``model``; 413 over the cap, 422 (FastAPI's format) when it does not fit."""
    raw = await read_body(request, cap)
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        errors = [  # raw bytes (a body that is not JSON) are not echoed back
            {k: v for k, v in error.items() if k != "input" or not isinstance(v, bytes)}
            | {"loc": ("body", *error["loc"])}
            for error in exc.errors(include_url=False, include_context=False)
        ]
        raise RequestValidationError(errors) from exc


def json_body_spec(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` documenting ``model`` as the route's required JSON body."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema}},
        }
    }
