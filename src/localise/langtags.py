"""BCP 47 language tags, validated against CLDR (through Babel) and spelled once for each tool.

A project names its languages as BCP 47 tags (``ja``, ``pt-BR``, ``zh-Hans``, ``zh-Hant-TW``,
``es-419``, ``sr-Latn``); the gettext spelling ``pt_BR`` is accepted too. :func:`parse` checks
a tag against CLDR's locale data and returns a :class:`LanguageTag` holding every spelling the
pipeline needs, so that no other module converts a tag by hand:

============================  ==============  ==============  ==============
                              ``pt-BR``       ``zh-Hans``     ``zh-Hant-TW``
============================  ==============  ==============  ==============
catalogue folder, Language:   ``pt_BR``       ``zh_Hans``     ``zh_Hant_TW``
Babel locale                  ``pt_BR``       ``zh_Hans``     ``zh_Hant_TW``
machine translation (argos)   ``pt``          ``zh``          ``zt``
Hugo file suffix              ``pt-br``       ``zh-hans``     ``zh-hant-tw``
Docusaurus, MkDocs folder     ``pt-BR``       ``zh-Hans``     ``zh-Hant-TW``
============================  ==============  ==============  ==============

The ``Plural-Forms`` header is CLDR's rule for the gettext spelling, which
:func:`localise.catalogue.plural_forms` takes from Babel when it writes a catalogue.
"""

from __future__ import annotations

import importlib.util
import os
import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

Spelling = Literal["bcp47", "lower", "gettext"]
"""How an output path writes a language: the tag (``pt-BR``), lower case (``pt-br``, Hugo), or
the gettext form (``pt_BR``)."""

_TAG_RE = re.compile(
    r"^(?P<language>[A-Za-z]{2,3})"
    r"(?:-(?P<script>[A-Za-z]{4}))?"
    r"(?:-(?P<region>[A-Za-z]{2}|[0-9]{3}))?"
    r"(?P<variants>(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*)$"
)
"""The BCP 47 subset CLDR has locale data for: language, script, region, variants (no
extensions or private use)."""

_ARGOS_LANGUAGE = {"no": "nb", "iw": "he", "fil": "tl", "in": "id"}
"""Where the Argos package index names a language differently from CLDR."""

MKDOCS_LOCALE = re.compile(r"^[a-z]{2}(?:-[A-Za-z]{4})?(?:-[A-Z]{2})?$")
"""The locales the MkDocs static-i18n plugin accepts (its own validation, as of 1.x)."""


@dataclass(frozen=True, slots=True)
class LanguageTag:
    """One language as every part of the pipeline spells it."""

    tag: str
    """The BCP 47 tag in canonical case (``pt-BR``, ``zh-Hans``): names the language in the
    config, on the command line, in reports and in output paths."""
    language: str
    """The language subtag, lower case (``pt``, ``zh``)."""
    script: str | None
    """The script CLDR resolves the tag to (``Hans``, ``Hant``, ``Latn``), when it names one."""
    territory: str | None
    """The region subtag (``BR``, ``TW``, ``419``), if any."""
    babel: str
    """The Babel/CLDR locale identifier used for formatting (``pt_BR``, ``zh_Hant_TW``)."""

    @property
    def gettext(self) -> str:
        """The catalogue folder and ``Language:`` header value: ``pt_BR``, ``zh_Hans``."""
        return self.tag.replace("-", "_")

    @property
    def mt(self) -> str:
        """The language code machine translation uses: argos ``pt`` for ``pt-BR``, ``zh`` for
        Simplified and ``zt`` for Traditional Chinese (the Argos index's own code)."""
        if self.language == "zh":
            return "zt" if self.script == "Hant" else "zh"
        return _ARGOS_LANGUAGE.get(self.language, self.language)

    def spelled(self, spelling: Spelling) -> str:
        """The tag as an output path writes it (see :data:`Spelling`)."""
        if spelling == "lower":
            return self.tag.lower()
        if spelling == "gettext":
            return self.gettext
        return self.tag

    def __str__(self) -> str:
        return self.tag


@cache
def parse(text: str) -> LanguageTag:
    """The tag ``text`` (``pt-BR``, ``pt_BR``, ``zh-hans``) checked against CLDR; ValueError
    says what is wrong."""
    match = _TAG_RE.match(text.replace("_", "-"))
    if not match:
        raise ValueError(f"not a language code: {text!r} (a BCP 47 tag such as 'ja' or 'pt-BR')")
    language = match["language"].lower()
    script = match["script"].title() if match["script"] else None
    region = match["region"].upper() if match["region"] else None
    variants = [v.lower() for v in match["variants"].split("-") if v]
    tag = "-".join(part for part in (language, script, region, *variants) if part)
    identifier = "_".join(part for part in (language, script, region) if part)
    if not variants and _has_locale_data(identifier):  # Babel's answer, without loading Babel
        return LanguageTag(tag=tag, language=language, script=script, territory=region,
                           babel=identifier)
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError):
        raise ValueError(f"no CLDR locale data for {tag!r}") from None
    # Babel falls back along likely subtags (zh-Hanx → zh_Hans): every subtag must survive
    if (script and locale.script != script) or (region and locale.territory != region):
        raise ValueError(f"no CLDR locale data for {tag!r}")
    return LanguageTag(
        tag=tag,
        language=language,
        script=locale.script or script,
        territory=region,
        babel=str(locale),
    )


@cache
def _locale_data() -> str | None:
    """Babel's folder of CLDR locale files (``babel/locale-data``), found without importing it."""
    spec = importlib.util.find_spec("babel")
    folders = spec.submodule_search_locations if spec is not None else None
    return os.path.join(next(iter(folders)), "locale-data") if folders else None


def _has_locale_data(identifier: str) -> bool:
    """True when Babel has a locale file named exactly ``identifier`` (``pt_BR``): then
    ``Locale.parse`` returns that locale as spelled, the first thing it tries."""
    folder = _locale_data()
    return folder is not None and os.path.isfile(os.path.join(folder, f"{identifier}.dat"))
