"""Collective names: the canonical spelling kept for display, and the keys that decide whether
two spellings are the same collective (规范名称 — seeds 000 附件3 步骤一, Q4).

The old system gave one collective two codes whenever an admin typed its name slightly
differently. Here every name has:

- `name_key`: the name with width, spacing, punctuation and case ironed out. Unique across the
  country: a re-creation with the same key answers with the existing code.
- `loose_key`: `name_key` with legal-form suffixes and similar noise also dropped (有限公司,
  集团 …) and Chinese digits read as Arabic ones. Not unique: collectives sharing it are shown as
  candidates before a new code is created, and the admin decides.

Pure functions, no database.
"""

import functools
import re
import unicodedata

# Unicode categories that never distinguish two collectives: punctuation (P*), symbols (S*),
# separators (Z*) and control/format characters (C*). Letters, digits and marks stay.
_NOISE_CATEGORIES = ("P", "S", "Z", "C")

# Longest first, so 股份有限公司 goes as a whole before 公司 could leave 股份有限 behind.
LOOSE_NOISE = (
    "股份有限公司",
    "有限责任公司",
    "股份公司",
    "有限公司",
    "青年文明号",
    "公司",
    "集团",
)
# Latin legal forms, only at the end of the key (inside a word they are letters like any other).
_LATIN_LEGAL_SUFFIX = re.compile(r"(?:coltd|ltd|limited|inc|corp|corporation|company)$")
_CHINESE_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")

_WHITESPACE = re.compile(r"\s+")
_CJK = r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]"
_SPACE_NEXT_TO_CJK = re.compile(rf"(?<={_CJK}) | (?={_CJK})")
_FULL_WIDTH_ALNUM = re.compile("[\uff10-\uff5a]")


class _DropNoise(dict):
    """A str.translate table that drops the noise categories: filled as characters are met, so
    each distinct character's category is looked up once per process, not once per use."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.category(chr(code)).startswith(_NOISE_CATEGORIES) else code
        self[code] = kept
        return kept


_DROP_NOISE = _DropNoise()


@functools.lru_cache(maxsize=4096)
def name_key(name: str) -> str:
    """The identity of a name: NFKC (full-width → half-width), no whitespace, punctuation or
    symbols (ASCII and Chinese alike: （）【】·、，。“”‘’—/ …), case-folded.

    "武陵区人民医院（急诊科）", "武陵区 人民医院 急诊科" and "武陵区人民医院(急诊科)" share a key.
    Cached: an import asks for the key of one name several times (checks, matching, storing).
    """
    normalized = unicodedata.normalize("NFKC", name or "").casefold()
    # Most names are letters and digits only (str.isalnum, one pass in C): nothing to drop.
    kept = normalized if normalized.isalnum() else normalized.translate(_DROP_NOISE)
    # Again: dropping punctuation between a letter and a combining accent lets them compose.
    return unicodedata.normalize("NFKC", kept)


def loose_key(name: str) -> str:
    """The key of near-duplicates: `name_key` without legal-form suffixes and similar noise, with
    Chinese digits as Arabic ones (一号线 = 1号线). Falls back to `name_key` when nothing would be
    left (a collective called "有限公司" is still somebody)."""
    key = name_key(name)
    loose = key.translate(_CHINESE_DIGITS)
    for noise in LOOSE_NOISE:
        loose = loose.replace(noise, "")
    loose = _LATIN_LEGAL_SUFFIX.sub("", loose)
    return loose or key


def clean_name(raw: str) -> str:
    """The canonical spelling to store and show: trimmed, runs of whitespace made one space,
    no space next to a Chinese character, full-width Latin letters and digits made half-width.
    Chinese punctuation such as （） is kept: it is how Chinese names are written."""
    text = _WHITESPACE.sub(" ", raw or "").strip()
    if " " in text:
        text = _SPACE_NEXT_TO_CJK.sub("", text)
    if _FULL_WIDTH_ALNUM.search(text) is None:  # the usual case: nothing to fold
        return text
    return "".join(_half_width_alnum(char) for char in text)


def _half_width_alnum(char: str) -> str:
    if "\uff10" <= char <= "\uff5a":  # ０-９, Ａ-Ｚ, ａ-ｚ and the signs between them
        folded = unicodedata.normalize("NFKC", char)
        return folded if folded.isalnum() else char
    return char
