"""CSS selectors for rules, matched fast.

Most chrome selectors are simple (`.share-bar`, `#cookie-banner`,
`div[data-testid=paywall]`). Those are indexed by tag, class and id so one
walk over a tree finds every rule that matches, on the lxml tree as well as
on the BeautifulSoup one. Selectors with combinators or pseudo-classes go to
soupsieve and only run on the small article region.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import soupsieve

SIMPLE = re.compile(r"^(?P<tag>[a-zA-Z][\w-]*|\*)?(?P<rest>(?:[#.][\w-]+|\[[^\]\[]+\])*)$")
PART = re.compile(r"""([#.])([\w-]+)|\[\s*([\w:-]+)\s*(?:([*^$~|]?=)\s*(?:"([^"]*)"|'([^']*)'|([^\]\s]*))\s*(i)?\s*)?\]""")


@dataclass(frozen=True)
class Simple:
    """One compound selector without combinators: tag, id, classes, attribute tests."""

    text: str
    tag: str | None
    id: str | None
    classes: tuple[str, ...]
    attrs: tuple[tuple[str, str | None, str, bool], ...]  # (name, op, value, ignore_case)

    def key(self) -> tuple[str, str]:
        """The most selective index bucket for this selector."""
        if self.id:
            return ("id", self.id)
        if self.classes:
            return ("class", self.classes[0])
        if self.tag:
            return ("tag", self.tag)
        if self.attrs:
            return ("attr", self.attrs[0][0])  # checked only on elements that have the attribute
        return ("any", "")

    def matches(self, tag: str, get: Callable[[str], Any], classes: set[str]) -> bool:
        if self.tag and self.tag != tag:
            return False
        if self.id and get("id") != self.id:
            return False
        for c in self.classes:
            if c not in classes:
                return False
        for name, op, value, icase in self.attrs:
            actual = get(name)
            if actual is None:
                return False
            if isinstance(actual, list):  # BeautifulSoup keeps class as a list
                actual = " ".join(actual)
            if op is None:
                continue
            if icase:
                actual, value = actual.lower(), value.lower()
            if op == "=" and actual != value:
                return False
            if op == "*=" and value not in actual:
                return False
            if op == "^=" and not actual.startswith(value):
                return False
            if op == "$=" and not actual.endswith(value):
                return False
            if op == "~=" and value not in actual.split():
                return False
            if op == "|=" and not (actual == value or actual.startswith(value + "-")):
                return False
        return True


def parse_simple(selector: str) -> Simple | None:
    m = SIMPLE.match(selector.strip())
    if not m or not selector.strip():
        return None
    tag = m.group("tag")
    tag = None if tag in (None, "*") else tag.lower()
    sid, classes, attrs = None, [], []
    for p in PART.finditer(m.group("rest")):
        kind, name, attr, op, v1, v2, v3, icase = p.groups()
        if kind == "#":
            sid = name
        elif kind == ".":
            classes.append(name)
        else:
            value = next((v for v in (v1, v2, v3) if v is not None), "")
            attrs.append((attr.lower(), op, value, bool(icase)))
    return Simple(selector.strip(), tag, sid, tuple(classes), tuple(attrs))


def compile_selector(selector: str) -> None:
    """Raise ValueError when soupsieve cannot compile `selector`."""
    try:
        soupsieve.compile(selector)
    except Exception as exc:  # soupsieve raises several types for bad syntax
        raise ValueError(f"invalid CSS selector {selector!r}: {exc}") from None


class SelectorIndex:
    """Rules' selectors, bucketed so each element checks only plausible ones."""

    def __init__(self) -> None:
        self.buckets: dict[tuple[str, str], list[tuple[Simple, Any]]] = {}
        self.complex: list[tuple[str, Any, Any]] = []  # (selector, compiled, payload)
        self.attr_names: list[str] = []  # attribute names with an ("attr", name) bucket

    def add(self, selector: str, payload: Any) -> None:
        simple = parse_simple(selector)
        if simple is None:
            self.complex.append((selector, soupsieve.compile(selector), payload))
        else:
            key = simple.key()
            self.buckets.setdefault(key, []).append((simple, payload))
            if key[0] == "attr" and key[1] not in self.attr_names:
                self.attr_names.append(key[1])

    def __bool__(self) -> bool:
        return bool(self.buckets or self.complex)

    def match(self, tag: str, get: Callable[[str], Any], class_attr: Any) -> Iterable[tuple[Simple, Any]]:
        """Yield (selector, payload) for every simple selector this element matches."""
        if not isinstance(tag, str):
            return
        if isinstance(class_attr, list):
            classes = set(class_attr)
        else:
            classes = set(class_attr.split()) if class_attr else set()
        keys = [("tag", tag), ("any", "")]
        el_id = get("id")
        if el_id:
            keys.append(("id", el_id))
        keys.extend(("class", c) for c in classes)
        keys.extend(("attr", name) for name in self.attr_names if get(name) is not None)
        buckets = self.buckets
        for key in keys:
            for simple, payload in buckets.get(key, ()):
                if simple.matches(tag, get, classes):
                    yield simple, payload


def parse_chain(selector: str) -> list[Simple] | None:
    """A descendant chain `A B C` of simple compounds, or None if the selector is anything else."""
    parts = re.findall(r"(?:\[[^\]]*\]|[^\s\[])+", selector.strip())
    chain = [parse_simple(p) for p in parts]
    if not chain or any(c is None for c in chain):
        return None
    return chain  # type: ignore[return-value]


def _matches_el(simple: Simple, el) -> bool:
    cls = el.get("class")
    return simple.matches(el.tag, el.get, set(cls.split()) if cls else set())


def select_lxml(root, chain: list[Simple]) -> list:
    """Elements of an lxml tree matching a descendant chain, in document order."""
    from lxml import etree

    last, ancestors = chain[-1], chain[:-1]
    found = []
    iterator = root.iter(last.tag) if last.tag else root.iter(etree.Element)
    for el in iterator:
        if not _matches_el(last, el):
            continue
        need = len(ancestors) - 1
        for anc in el.iterancestors():
            if need < 0:
                break
            if _matches_el(ancestors[need], anc):
                need -= 1
        if need < 0:
            found.append(el)
    return found
