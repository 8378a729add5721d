"""stripper: clean article text out of scraped news pages.

    >>> import stripper
    >>> article = stripper.strip(open("page.html", "rb").read(), url="https://example.com/a")
    >>> print(article.title); print(article.text)
"""
from __future__ import annotations

from .errors import InputError, NotAPageError, RulesError, StripperError
from .model import Article, Paywall
from .options import Options

__version__ = "0.1.0"
__all__ = ["strip", "Article", "Paywall", "Options", "StripperError", "InputError", "NotAPageError", "RulesError", "__version__"]


def strip(page: str | bytes, *, url: str | None = None, options: Options | None = None, **settings) -> Article:
    """Find the article in `page` (HTML, or a page already scraped to text; str or bytes) and return it clean.

    `settings` are Options fields (e.g. `drop=(".promo",)`); `options` gives them all at once.
    Raises InputError for input that cannot be read and RulesError for broken rules files.
    """
    from .pipeline import extract

    opts = options or Options()
    if url is not None:
        settings["url"] = url
    for key in ("rule_files", "drop", "keep"):
        if key in settings and not isinstance(settings[key], tuple):
            settings[key] = tuple(settings[key])
    if settings:
        opts = opts.but(**settings)
    article, _ = extract(page, opts)
    return article
