"""Pure validation of a collective's fields, shared by the forms, the API, the legacy import and
unfreezing. Each function returns the cleaned value or raises `FieldError` with a Chinese
message; `validate_fields` collects them per field."""

import re
import unicodedata

from django.utils.translation import gettext as _

from qnwmh.collectives.enums import Ownership
from qnwmh.collectives.names import clean_name, name_key
from qnwmh.units.enums import Line

NAME_MAX = 200
INDUSTRY_MAX = 50
LEADER_MAX = 50
PHONE_MAX = 30

# Chinese phone conventions: a mobile number (11 digits, 1[3-9]…), a landline with its area code
# (0736-1234567, extension allowed), or a 400/800 service number.
_PHONE = re.compile(
    r"1[3-9]\d{9}"
    r"|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?"
    r"|[48]00-?\d{3}-?\d{4}"
)


class FieldError(ValueError):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def clean_collective_name(raw) -> str:
    name = clean_name(str(raw or ""))
    if not name:
        raise FieldError(_("Please enter the collective's canonical name."))
    if len(name) > NAME_MAX:
        raise FieldError(_("The name is at most 200 characters."))
    if len(name_key(name)) < 2:
        raise FieldError(_("The name needs at least two letters or digits."))
    return name


def clean_line(raw, unit) -> str:
    """地方 or 行业. Below an industry unit only industry collectives, as in the unit tree itself
    (an industry collective filed under a region committee is the mistake of seeds 000 Q4 the
    other way round, and stays allowed: a city committee also manages local enterprises)."""
    if raw not in Line.values:
        raise FieldError(_("Choose region or industry."))
    if unit is not None and unit.line == Line.INDUSTRY and raw != Line.INDUSTRY:
        raise FieldError(_("A collective under an industry unit belongs to the industry line."))
    return raw


def clean_ownership(raw) -> str:
    if raw not in Ownership.values:
        raise FieldError(
            _("Choose public sector, non-public economy or social organisation as ownership.")
        )
    return raw


def clean_industry(raw) -> str:
    industry = clean_name(str(raw or ""))
    if len(industry) > INDUSTRY_MAX:
        raise FieldError(_("The industry is at most 50 characters."))
    return industry


def clean_leader_name(raw) -> str:
    leader = clean_name(str(raw or ""))
    if len(leader) > LEADER_MAX:
        raise FieldError(_("The title leader's name is at most 50 characters."))
    return leader


def clean_phone(raw) -> str:
    """Empty, or a mobile, landline or 400/800 number; full-width digits and spaces tolerated."""
    phone = unicodedata.normalize("NFKC", str(raw or ""))
    phone = re.sub(r"[\s()（）]", "", phone).replace("—", "-").replace("－", "-")
    if not phone:
        return ""
    if len(phone) > PHONE_MAX or not _PHONE.fullmatch(phone):
        raise FieldError(
            _("Enter a mobile number (11 digits) or a landline with area code, e.g. 0736-1234567.")
        )
    return phone


CLEANERS = {
    "name": clean_collective_name,
    "ownership": clean_ownership,
    "industry": clean_industry,
    "leader_name": clean_leader_name,
    "phone": clean_phone,
}


def validate_fields(values: dict, *, unit=None) -> tuple[dict, dict[str, list[str]]]:
    """Clean the given fields (any of name, line, ownership, industry, leader_name, phone);
    return (cleaned, errors) with errors as {field: [message]}."""
    cleaned: dict = {}
    errors: dict[str, list[str]] = {}
    for field, raw in values.items():
        try:
            if field == "line":
                cleaned[field] = clean_line(raw, unit)
            else:
                cleaned[field] = CLEANERS[field](raw)
        except FieldError as exc:
            errors[field] = [exc.message]
    return cleaned, errors
