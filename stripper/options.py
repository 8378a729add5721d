"""Every knob of the extractor, named and documented in one place.

Thresholds live here rather than inside functions so a reader can see, and a
test can change, what decides whether a block is article or chrome.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Options:
    url: str | None = None
    include_title: bool = True
    output_format: str = "text"  # text | markdown | json | jsonl | html
    links: bool = False  # markdown: keep links
    images: bool = False  # markdown: keep images
    input_format: str = "auto"  # auto | html | text
    rule_files: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()  # extra CSS selectors to remove
    keep: tuple[str, ...] = ()  # CSS selectors that are never removed
    use_builtin_rules: bool = True
    max_bytes: int = 64 * 1024 * 1024  # refuse inputs (after gunzip) larger than this

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

    # -- relax-and-retry flags (see pipeline.ATTEMPTS) -------------------
    strip_unlikely: bool = True
    weight_classes: bool = True
    clean_conditionally: bool = True

    def but(self, **changes) -> "Options":
        return replace(self, **changes)
