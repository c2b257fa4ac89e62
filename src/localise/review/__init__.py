"""The static review site: a view model (:mod:`.view`) and its renderer (:mod:`.render`).

The review stage fills a :class:`ReviewSite` from the project; :func:`render_site` turns it into
``{relative path: bytes}`` for ``<output_dir>/review/``.
"""

from localise.review.render import render_site
from localise.review.view import (
    SEVERITIES,
    STATES,
    ArticleView,
    Counts,
    FallbackReason,
    FallbackView,
    FindingView,
    GlossaryHit,
    LanguageView,
    Markup,
    PublishedView,
    ReviewSite,
    Severity,
    State,
    Tally,
    UnitView,
)

__all__ = [
    "SEVERITIES",
    "STATES",
    "ArticleView",
    "Counts",
    "FallbackReason",
    "FallbackView",
    "FindingView",
    "GlossaryHit",
    "LanguageView",
    "Markup",
    "PublishedView",
    "ReviewSite",
    "Severity",
    "State",
    "Tally",
    "UnitView",
    "render_site",
]
