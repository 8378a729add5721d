"""Every knob of the extractor, named and documented in one place.

Thresholds live here rather than inside functions so a reader can see, and a
test can change, what decides whether a block is article or chrome.
"""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Options:
    url: str | None = None
    include_title: bool = True
    output_format: str = "text"  # text | markdown | json | jsonl | html
    # Read the author, publication date, language and description (the headline and site name
    # are always read). Text, markdown and HTML print none of them, so the CLI reads them for
    # json and jsonl only: a byline search can cost a walk of the page.
    metadata: bool = True
    links: bool = False  # markdown: keep links
    images: bool = False  # markdown: keep images
    input_format: str = "auto"  # auto | html | text
    rule_files: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()  # extra CSS selectors to remove
    keep: tuple[str, ...] = ()  # CSS selectors that are never removed
    use_builtin_rules: bool = True
    max_bytes: int = 64 * 1024 * 1024  # refuse inputs (after gunzip) larger than this
    # Elements nested deeper than this are flattened to lines of text before any other stage:
    # real pages stay far below it, and deeper trees make later passes slow or recursive.
    max_depth: int = 512
    # A page with more elements than this loses its bare styling elements (span, b, em...
    # without attributes; text kept) and gets one attempt, not the retry ladder.
    max_elements: int = 50_000
    # A located region with more elements than this has its blocks merged into at most this
    # many paragraphs before the BeautifulSoup pass (text kept). Real articles stay far below.
    max_region_elements: int = 10_000
    # input_format auto: a page whose first 4 KB hold fewer tags per KB than this is plain text.
    min_html_tags_per_kb: float = 3.0

    # -- locating the article -------------------------------------------
    # A text block shorter than this does not vote for its ancestors.
    min_paragraph_chars: int = 25
    # How many ancestor levels a paragraph's score reaches.
    score_ancestor_levels: int = 5
    # Siblings of the best candidate join it when their score reaches this share of it.
    sibling_score_share: float = 0.2
    # What is found is no article when more than this share of its text is link text.
    max_article_link_density: float = 0.6
    # If the article found has fewer characters than this, retry with looser rules.
    min_article_chars: int = 500

    # -- cleaning inside the article -------------------------------------
    # A block whose text is mostly link text is navigation, not prose.
    max_link_density: float = 0.5
    # Phrase rules only remove blocks up to this many characters...
    max_phrase_block_chars: int = 300
    # ...and only when phrases make up at least this share of the block.
    min_phrase_share: float = 0.5
    # A paragraph that is only a link and at most this long is a label, not prose.
    max_link_line_chars: int = 60
    # ...or when the block opens with a whole chrome sentence that is at least this share of it.
    min_lead_share: float = 0.15
    # Removed paywall markup counts as a wall only when it holds a wall prompt at least this
    # long: a sentence ("Subscribe to continue reading"), not a button ("Subscribe now").
    min_wall_prompt_chars: int = 25
    # A stage that would remove more than this share of the article text is reverted.
    safety_valve_share: float = 0.6

    # -- plain-text input (text.py) ---------------------------------------
    # A line this long (or longer) is article prose; shorter lines are headings, captions or chrome.
    text_min_prose_chars: int = 80
    # ...but a line that does not end like a sentence must be this long (headlines can reach 150).
    text_min_unended_prose_chars: int = 160
    # The article is the stretch of lines scoring most: prose scores its length, each other
    # short line (heading, caption, link) costs this many characters, a list item less, and
    # a line a rule names as chrome more.
    text_short_line_penalty: int = 15
    text_list_item_penalty: int = 5
    text_chrome_line_penalty: int = 60
    # A headline is at most this long, and is looked for this many lines above the article.
    text_max_headline_chars: int = 200
    text_max_header_lines: int = 10

    # -- relax-and-retry flags (see pipeline.ATTEMPTS) -------------------
    strip_unlikely: bool = True
    weight_classes: bool = True
    clean_conditionally: bool = True

    def but(self, **changes) -> "Options":
        return replace(self, **changes) if changes else self  # (frozen: the same options serve)
