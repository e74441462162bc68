"""Characters no text field can store, refused where input enters (never a 500 for bad input,
issue 12 #2).

PostgreSQL's text types refuse NUL (U+0000: "text fields cannot contain NUL"), and a lone
surrogate (U+D800–U+DFFF, which JSON's \\ud800 escapes can carry) cannot be encoded as UTF-8 at
all: either, reaching the database, was a 500. The API's parser (api/parser.py) and the pages'
middleware (core/middleware.py BadInputMiddleware) check every string of every request here,
once, before any view or form sees it, and answer 400 naming the field."""

import re

from django.utils.translation import gettext_lazy as _

from qnwmh.core.errors import InvalidInput

FORBIDDEN = re.compile("[\x00\ud800-\udfff]")

UNSTORABLE_MESSAGE = _("This value contains a character that cannot be stored (e.g. NUL).")


class UnstorableCharacters(InvalidInput):
    default_message = _("The request contains a character that cannot be stored (e.g. NUL).")


def unstorable_fields(data, prefix: str = "") -> list[str]:
    """The names ("name", "members.0.phone", a key itself) holding a forbidden character, in a
    parsed JSON value or a form's flat dict of lists."""
    found: list[str] = []
    if isinstance(data, str):
        if FORBIDDEN.search(data):
            found.append(prefix or "__all__")
    elif isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(key, str) and FORBIDDEN.search(key):
                found.append(FORBIDDEN.sub("?", name))
            else:
                found.extend(unstorable_fields(value, name))
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            found.extend(unstorable_fields(value, f"{prefix}.{index}" if prefix else str(index)))
    return found


def check_storable(data, prefix: str = "") -> None:
    """Raise UnstorableCharacters (400, the fields named) when any string holds NUL or a lone
    surrogate."""
    names = unstorable_fields(data, prefix)
    if names:
        raise UnstorableCharacters(fields={name: [str(UNSTORABLE_MESSAGE)] for name in names})


def check_storable_querydict(querydict) -> None:
    """The same for a QueryDict (query string or form fields): a field is named once, by its
    name, whichever of its values holds the character."""
    names = []
    for key, values in querydict.lists():
        if FORBIDDEN.search(key):
            names.append(FORBIDDEN.sub("?", key))
        elif any(isinstance(v, str) and FORBIDDEN.search(v) for v in values):
            names.append(key)
    if names:
        raise UnstorableCharacters(fields={name: [str(UNSTORABLE_MESSAGE)] for name in names})
