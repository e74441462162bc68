"""Writing spreadsheets and CSV safely: a cell that a spreadsheet program would read as a
formula (= + - @, tab, carriage return) is neutralised with a leading apostrophe (CSV/formula
injection, OWASP)."""

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_CHARS = frozenset(_FORMULA_TRIGGERS)


def safe_cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_text(text: str) -> str:
    """safe_cell for a value known to be a str: the per-cell cost of a large export is one
    look at the first character."""
    return "'" + text if text[:1] in _TRIGGER_CHARS else text


def safe_row(values) -> list:
    return [safe_cell(v) for v in values]
