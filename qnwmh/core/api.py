"""What every app's api.py shares (API v1, ../shared/API.md): id and page types, the error
shapes of the OpenAPI document (ERRORS), a list answer's schema. The NinjaAPI itself, its
error handlers and the routers' wiring are the top layer's (qnwmh/api/)."""

from typing import Annotated

from ninja import Schema
from pydantic import Field, StrictInt

# Ids are 64-bit in the database (PostgreSQL bigint, SQLite INTEGER): a larger number must be
# refused as input, not reach the query (SQLite raises OverflowError there, a 500).
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# In a JSON body an id is a number: true/false and "1" are not ids (pydantic's lax mode takes
# them as 1/0 and 1).
StrictId = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
# Pages of a list: (page - 1) * page_size must stay a 64-bit offset.
MAX_PAGE = 10**9
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE)]


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict
    # Extras of some codes (API.md): 409 collective_exists names `existing_code` inside the
    # caller's subtree, otherwise `existing_unit` and a `transfer_request` hint.
    existing_code: str | None = None
    existing_unit: dict | None = None
    transfer_request: dict | None = None


class ErrorOut(Schema):
    error: ErrorDetail


def page_out(item_schema, name: str):
    """A list answer: {"count", "results": [...]}."""
    return type(name, (Schema,), {"__annotations__": {"count": int, "results": list[item_schema]}})


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut}
