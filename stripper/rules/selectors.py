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
from functools import lru_cache
from typing import Any, Callable, Iterable, Sequence

import soupsieve

from .wordsearch import _trie

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
            return ("attr", self.attrs[0][0])
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


class LazySelector:
    """A soupsieve selector, compiled when first used: soupsieve's first compile builds its own
    parser (a tenth of a second at every start), and most pages never need the selector."""

    __slots__ = ("text", "_made")

    def __init__(self, text: str) -> None:
        self.text = text
        self._made = None

    def _compiled(self):
        if self._made is None:
            self._made = soupsieve.compile(self.text)
        return self._made

    def match(self, node) -> bool:
        return self._compiled().match(node)

    def select(self, node) -> list:
        return self._compiled().select(node)


class NumberedAnswers:
    """A cache of answers by string key, kept as key -> number in `table`, the distinct answers.

    Strings and numbers only in the large dict, so the garbage collector never walks it however
    large it grows; `first` is numbered 0 and stays when the cache forgets the rest.
    """

    def __init__(self, first: Any) -> None:
        self.known: dict[str, int] = {}
        self.table: list = [first]
        self.numbers: dict = {first: 0}

    def remember(self, key: str, answer: Any) -> int:
        """The number of `answer`, now also `key`'s."""
        number = self.numbers.get(answer)
        if number is None:
            number = self.numbers[answer] = len(self.table)
            self.table.append(answer)
        self.known[key] = number
        return number

    def forget(self) -> None:
        first = self.table[0]
        self.known.clear()
        del self.table[1:]
        self.numbers.clear()
        self.numbers[first] = 0


class SelectorIndex:
    """Rules' selectors, bucketed so each element checks only plausible ones."""

    def __init__(self) -> None:
        self.buckets: dict[tuple[str, str], list[tuple[Simple, Any]]] = {}
        self.complex: list[tuple[str, LazySelector, Any]] = []  # (selector, its matcher, payload)
        # Pages repeat the same tag/class/id combinations; selectors without attribute
        # tests give the same answer for each, so answers are remembered per combination:
        # "tag class" -> the answer.
        self._cache = NumberedAnswers(NO_BUCKET)
        self._attr_names: set[str] = set()
        # The buckets split by `_plain`, worked out once rather than per element.
        self._plain: dict[tuple[str, str], list[tuple[Simple, Any]]] = {}
        self._tested: dict[tuple[str, str], list[tuple[Simple, Any]]] = {}
        self._values: dict[str, frozenset[str] | None] | None = None
        # Attribute name -> a regex finding a value that one of the selectors keyed by that
        # attribute (`[class*=paywall]`, `[id^=ad-]`) needs in it: most class and id strings
        # have none, and skip the whole bucket.
        self._needles: dict[str, re.Pattern] | None = None  # worked out on the first match
        # See `_bucket_keys` (worked out on the first match).
        self._keys: tuple[frozenset[str], frozenset[str], bool] | None = None
        self._needs: dict[str, tuple] = {}  # see `_tag_needs`

    def add(self, selector: str, payload: Any) -> None:
        simple = parse_simple(selector)
        if simple is None:
            self.complex.append((selector, LazySelector(selector), payload))
        else:
            self.buckets.setdefault(simple.key(), []).append((simple, payload))
            (self._plain if _plain(simple) else self._tested).setdefault(simple.key(), []).append((simple, payload))
            self._needles = None
            self._keys = None
            self._needs = {}
            self._attr_names.update(a[0] for a in simple.attrs if a[0] not in PLAIN_ATTRS)
            self._cache.forget()
            self._values = None

    def __bool__(self) -> bool:
        return bool(self.buckets or self.complex)

    def compile_all(self) -> None:
        """Compile now what a page would compile when it first needs it (see RuleSet.compile_all)."""
        for _, selector, _ in self.complex:
            selector._compiled()
        self._may_match("", None)

    def tested_values(self) -> dict[str, frozenset[str] | None]:
        """What `match` reads of an element besides its tag: attribute name -> the values the
        simple selectors compare it with by plain `=` (empty: only its presence counts), or None
        when any value can make a difference (class, id, substring or case-insensitive tests).

        Two elements with the same tag that agree on these attributes, counting every value
        not listed as one and the same, get the same answer from `match`."""
        if self._values is None:
            self._values = self._tested_values()
        return self._values

    def _tested_values(self) -> dict[str, frozenset[str] | None]:
        values: dict[str, set[str] | None] = {"class": None, "id": None}
        for entries in self.buckets.values():
            for simple, _ in entries:
                for name, op, value, icase in simple.attrs:
                    if name in values and values[name] is None:
                        continue  # already: any value matters
                    if op not in (None, "=") or icase:
                        values[name] = None
                    else:
                        values.setdefault(name, set())
                        if op == "=":
                            values[name].add(value)
        return {name: None if v is None else frozenset(v) for name, v in values.items()}

    def match(self, tag: str, get: Callable[[str], Any], class_attr: Any,
              attr_names: Iterable[str] = ()) -> Sequence[tuple[Simple, Any]]:
        """(selector, payload) for every simple selector this element matches, in index order.

        `attr_names` are the element's attribute names, for attribute-only selectors.
        """
        if not isinstance(tag, str):
            return ()
        if isinstance(class_attr, list):
            class_attr = " ".join(class_attr)
        # A tag holds no space: the first one ends it.
        key = tag if class_attr is None else tag + " " + class_attr
        number = self._cache.known.get(key)
        if number is None:
            number = self._remember(key, tag, class_attr)
        plain, tested = self._cache.table[number]
        el_id = get("id")
        by_id = self.buckets.get(("id", el_id)) if el_id else None
        tested_names = self._attr_names
        # (isdisjoint first: most elements have none of these attributes, and it makes no set.)
        wanted = tested_names.intersection(attr_names) \
            if tested_names and not tested_names.isdisjoint(attr_names) else ()
        if not by_id and not wanted:
            return plain  # most elements: their tag and class decide
        found = list(plain)
        classes = set(class_attr.split()) if class_attr else set()
        if by_id:
            found += [(simple, payload) for simple, payload in by_id if simple.matches(tag, get, classes)]
        for name in sorted(wanted):  # (a set's order changes with the hash seed, so would the first hit)
            bucket = self.buckets.get(("attr", name))
            if bucket and self._may_match(name, get(name)):
                found += [(simple, payload) for simple, payload in bucket if simple.matches(tag, get, classes)]
        if wanted:
            # Selectors keyed by tag or class that also test other attributes.
            found += [(simple, payload) for simple, payload in tested if simple.matches(tag, get, classes)]
        return found

    def _remember(self, key: str, tag: str, class_attr: str | None) -> int:
        if len(self._cache.known) > CACHE_LIMIT:  # a long batch must not grow memory without bound
            self._cache.forget()
        return self._cache.remember(key, self._by_tag_and_class(tag, class_attr))

    def can_match(self, tag: str, get: Callable[[str], Any], class_attr: str | None, el_id: str | None,
                  attr_names: Iterable[str]) -> bool:
        """False when `match` finds nothing for an element with this tag, class, id and
        attributes (`get` reads them), told from the buckets' keys and the values their
        selectors need: cheaper than `match` for the many elements of a page that no
        selector names, and nothing to remember."""
        # (Loops rather than any() and set operations: this runs for every new kind of element
        # of every page.)
        tags, class_names, anything = self._keys or self._bucket_keys()
        if anything or (el_id and ("id", el_id) in self.buckets):
            return True
        # A tag's bucket holds such selectors as `div[class^=comment-]` or `a[href='#main']`:
        # most elements of the tag lack the values they need.
        if tag in tags:
            for need in self._tag_needs(tag):
                if need is None or need[1] in (get(need[0]) or ""):
                    return True
        if class_attr and not class_names.isdisjoint(class_attr.split()):
            return True
        # Other attributes count through their own buckets only (what buckets keyed by tag or
        # class test of them is matched in those buckets): as `_may_match`, inlined.
        needles = self._needles or self._attr_needles()
        for name in attr_names:
            needed = needles.get(name)
            if needed is not None:
                value = get(name)
                if value is None or needed.search(value) is not None:
                    return True
        return False

    def _keyed_by(self, tag: str, class_attr: str | None) -> bool:
        """May a bucket keyed by this tag, one of these classes, `*` or a class-attribute test
        hold a selector for the element?"""
        tags, class_names, anything = self._bucket_keys()
        return bool(anything or tag in tags or class_attr and (
            not class_names.isdisjoint(class_attr.split())
            or (("attr", "class") in self.buckets and self._may_match("class", class_attr))))

    def _tag_needs(self, tag: str) -> tuple[tuple[str, str] | None, ...]:
        """For each selector of the tag's bucket, an (attribute, text) its value must hold, or
        None when it needs none: `div[class^=comment-]` needs "comment-" in the class."""
        if tag not in self._needs:
            self._needs[tag] = tuple(next(((name, value) for name, op, value, icase in simple.attrs
                                           if op and value and not icase), None)
                                     for simple, _ in self.buckets.get(("tag", tag), ()))
        return self._needs[tag]

    def _bucket_keys(self) -> tuple[frozenset[str], frozenset[str], bool]:
        """The tags and class names that key buckets, and whether one holds `*`: most tag and
        class combinations meet none of them."""
        if self._keys is None:
            self._keys = (frozenset(name for kind, name in self.buckets if kind == "tag"),
                          frozenset(name for kind, name in self.buckets if kind == "class"),
                          ("any", "") in self.buckets)
        return self._keys

    def _attr_needles(self) -> dict[str, re.Pattern]:
        """Attribute name -> what a value needs for a selector of that attribute's bucket."""
        if self._needles is None:
            self._needles = {name: _needed_values(entries, name)
                             for (kind, name), entries in self.buckets.items() if kind == "attr"}
        return self._needles

    def _may_match(self, name: str, value: Any) -> bool:
        """False when no selector keyed by attribute `name` can match this value of it."""
        needles = self._attr_needles().get(name)
        if needles is None or value is None:
            return True
        if isinstance(value, list):  # BeautifulSoup keeps class (and rel...) as a list
            value = " ".join(value)
        return needles.search(value) is not None

    def _by_tag_and_class(self, tag: str, class_attr: str | None) -> tuple[tuple, tuple]:
        """What a tag and class attribute decide: the selectors without other attribute tests
        that they match, and the candidates among the selectors with such tests."""
        if not self._keyed_by(tag, class_attr):
            return NO_BUCKET
        keys = [("tag", tag), ("any", "")]  # the buckets that may hold a selector for them
        if class_attr:
            keys += [("class", c) for c in class_attr.split()]
            if self._may_match("class", class_attr):
                keys.append(("attr", "class"))
        classes = set(class_attr.split()) if class_attr else set()
        get = {"class": class_attr}.get
        plain = tuple((simple, payload) for key in keys for simple, payload in self._plain.get(key, ())
                      if simple.matches(tag, get, classes))
        return plain, tuple(entry for key in keys for entry in self._tested.get(key, ()))


# What `_by_tag_and_class` says of most combinations: one shared value, as a cache holds many.
NO_BUCKET: tuple[tuple, tuple] = ((), ())
# Attributes that are part of the cache key: selectors testing only these give one
# answer per tag/class combination.
PLAIN_ATTRS = frozenset({"class"})
# Remembered tag/class combinations; pages share most of theirs, and a batch stays bounded.
CACHE_LIMIT = 50_000


def _plain(simple: Simple) -> bool:
    return all(a[0] in PLAIN_ATTRS for a in simple.attrs)


ANYTHING = re.compile("")


def _needed_values(entries: list[tuple[Simple, Any]], name: str) -> re.Pattern:
    """A regex finding a value that one of these selectors needs in attribute `name`:
    `[id*=x]`, `[id^=x]`, `[id=x]`, `[id~=x]`... all need x in it. ANYTHING when some
    selector needs none (a bare `[id]`, a case-insensitive test)."""
    needed = []
    for simple, _ in entries:
        values = [value for attr, op, value, icase in simple.attrs if attr == name and op and value and not icase]
        if not values:
            return ANYTHING
        needed.append(values[0])
    return re.compile(_trie(needed))  # as a trie: it is searched in every class string of a page


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
    prefilter = _prefilter(last)
    iterator = prefilter(root) if prefilter is not None else root.iter(etree.Element)
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


XPATH_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


@lru_cache(maxsize=256)
def _prefilter(simple: Simple):
    """An XPath that picks, in C, the elements that may match `simple`: the right tag and id,
    the attributes it tests, holding the class names and values it looks for (a necessary
    condition: `matches` still decides). None when it has nothing to test.

    Without a tag, or with an id or class, it starts from that attribute: libxml2 walks the
    attributes of one name faster than it tests every element."""
    from lxml import etree

    tag = simple.tag if simple.tag and XPATH_NAME.fullmatch(simple.tag) else "*"
    tests: list[tuple[str, str | None]] = []  # (attribute, the value it must equal or hold, if known)
    if simple.id and _xpath_string(simple.id):
        tests.append(("id", simple.id))
    tests += [("class", c) for c in simple.classes if _xpath_string(c)]
    for name, op, value, icase in simple.attrs:
        if XPATH_NAME.fullmatch(name):
            tests.append((name, value if op and value and not icase and _xpath_string(value) else None))
    if tests and (tag == "*" or tests[0][0] in ("id", "class")):
        (name, value), tests = tests[0], tests[1:]
        first = _value_test(".", name, value)
        path = f"descendant-or-self::*/@{name}" + (f"[{first}]" if first else "") + f"/parent::{tag}"
    elif tag != "*":
        path = f"descendant-or-self::{tag}"
    else:
        return None
    rest = [_value_test("@" + name, name, value) or "@" + name for name, value in tests]
    return etree.XPath(path + (f"[{' and '.join(rest)}]" if rest else ""))


def _value_test(operand: str, name: str, value: str | None) -> str | None:
    """A test that attribute `name`, written `operand`, passes whenever the selector's test
    against `value` does: an id equals it, other values hold it. None when only the
    attribute's presence is known."""
    if value is None:
        return None
    if name == "id":
        return f"{operand}={_xpath_string(value)}"
    return f"contains({operand}, {_xpath_string(value)})"


def _xpath_string(text: str) -> str | None:
    """`text` as an XPath string literal; None when it holds both kinds of quote."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return None
