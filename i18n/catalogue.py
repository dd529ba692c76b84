"""The message catalogues: gettext `.po` files read with Babel at run time, `t()` and `tn()`.

`i18n/locale/<lang>/LC_MESSAGES/messages.po` holds one entry per message: the msgid is the key the code
names (`t("nav_overview", lang)`), the msgstr its text in that language. A language's `.po` file is read
when one of its messages is first asked for (Babel's `read_po`; `benchmarks/catalogue.py` prints the
cost), so a fresh clone works with no compile step; nothing compiled is committed. Plural forms are
gettext's: an entry with a `msgid_plural` has one text per form of the language (`nplurals` in its
header), chosen by the header's `Plural-Forms` expression, as `ngettext` does.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LANGUAGES = ("es", "en", "mn")
#: Each language in its own words, for the language pickers (the page's and the alert e-mail's).
LANGUAGE_NAMES = {"es": "Español", "en": "English", "mn": "Монгол"}
#: The language whose text shows when a message is still empty in another (a message added to es and en
#: and not yet translated into Mongolian reads in English there, never as a key).
FALLBACK = {"es": "en", "en": "es", "mn": "en"}
DOMAIN = "messages"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def N_(key: str) -> str:  # noqa: N802 - gettext's name for "a key, marked for the extractor"
    """Marks a key that the code picks at run time (from a table of codes): returns it unchanged, and
    `pybabel extract` and the catalogue tests see it as used."""
    return key


@dataclass(frozen=True)
class Messages:
    """One language's catalogue: key → text (a str), or key → plural forms (a tuple of str)."""

    lang: str
    texts: dict[str, str | tuple[str, ...]]
    plural_index: Callable[[int], int]


def read_catalogue(lang: str) -> Catalog:
    with po_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


@cache
def messages(lang: str) -> Messages:
    catalog = read_catalogue(lang)
    texts: dict[str, str | tuple[str, ...]] = {}
    for message in catalog:
        if not message.id:
            continue  # the header
        key = message.id[0] if isinstance(message.id, tuple | list) else message.id
        if isinstance(message.string, tuple | list):
            texts[str(key)] = tuple(str(s) for s in message.string)
        else:
            texts[str(key)] = str(message.string)
    return Messages(lang, texts, gettext.c2py(catalog.plural_expr))


#: (es, en) pairs still written the old way in ui/i18n.py's TEXTS (after a merge, before
#: `python -m i18n port-legacy`): found after the catalogues, so such a branch keeps working meanwhile.
_LEGACY: list[dict[str, tuple[str, str]]] = []


def register_legacy(texts: dict[str, tuple[str, str]]) -> None:
    _LEGACY.append(texts)


def _legacy(key: str, lang: str) -> str | None:
    for texts in _LEGACY:
        if key in texts:
            es, en = texts[key]
            return (en or es) if lang != "es" else es
    return None


def _lang(lang: str) -> str:
    return lang if lang in LANGUAGES else "es"


def has(key: str) -> bool:
    """Whether `key` is a message (in the Spanish catalogue, the one every message has)."""
    return key in messages("es").texts or _legacy(key, "es") is not None


def all_keys() -> list[str]:
    return list(messages("es").texts)


def _format(text: str, values: dict[str, object]) -> str:
    return text.format(**values) if values else text


def t(key: str, lang: str, **values: object) -> str:
    """The text of `key` in `lang` ("es", "en" or "mn"; anything else is Spanish) with `values` filled in
    (`str.format` placeholders: `{price}`). A key no catalogue has raises KeyError; a text left empty in
    one language shows its `FALLBACK` language's rather than nothing (Mongolian: English)."""
    text = messages(_lang(lang)).texts.get(key)
    if text is None:
        text = _legacy(key, _lang(lang))
    if isinstance(text, tuple):
        raise KeyError(f"{key} has plural forms: use tn({key!r}, count, lang)")
    if not text:
        other = messages(FALLBACK[_lang(lang)]).texts.get(key)
        if other is None and text is None:
            raise KeyError(key)
        text = other if isinstance(other, str) and other else key
    return _format(text, values)


def tn(key: str, n: int, lang: str, **values: object) -> str:
    """The plural form of `key` for the number `n` in `lang` (gettext's ngettext: "1 venta", "2 ventas"),
    with `values` filled in; `{count}` is `n` unless `values` give it (a formatted number: "1.234")."""
    catalogue = messages(_lang(lang))
    forms = catalogue.texts.get(key)
    if forms is None or (isinstance(forms, tuple) and not any(forms)):  # not translated yet: the fallback's
        catalogue = messages(FALLBACK[catalogue.lang])
        forms = catalogue.texts.get(key)
    if not isinstance(forms, tuple):
        raise KeyError(f"{key} has no plural forms: use t({key!r}, lang)")
    index = min(catalogue.plural_index(int(n)), len(forms) - 1)
    text = forms[index] or forms[-1]
    return _format(text, {"count": n, **values})
