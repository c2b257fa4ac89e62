"""Language facts shared by the stages: which scripts are written without spaces, and CJK."""

from __future__ import annotations

UNSPACED = frozenset({"ja", "zh", "zt", "yue", "th", "lo", "km", "my", "bo"})
"""Written without spaces between words (or sentences): a soft line break would add one."""
CJK = frozenset({"ja", "zh", "zt", "yue"})
"""Chinese (argos calls Traditional Chinese `zt`), Japanese: sentences end in 。！？."""


def base(lang: str) -> str:
    """``ja_JP``, ``zh-Hant`` → ``ja``, ``zh``."""
    return lang.replace("-", "_").split("_")[0].lower()


def is_unspaced(lang: str) -> bool:
    """True for languages written without spaces between words (ja, zh, th, …)."""
    return base(lang) in UNSPACED


def is_cjk(lang: str) -> bool:
    """True for Chinese and Japanese."""
    return base(lang) in CJK
