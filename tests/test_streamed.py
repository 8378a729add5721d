"""React's streamed sections are put where their placeholders are (stripper/streamed.py)."""
from stripper import dom, streamed
from stripper.trace import Trace


def _reveal(html: str):
    root = dom.parse(html)
    trace = Trace()
    streamed.reveal(root, trace)
    return root, trace


def _words(root) -> str:
    return " ".join(piece.strip() for piece in root.itertext() if piece.strip())


def _texts(root) -> list[str]:
    return [dom.text_of(p) for p in root.iter("p")]


def test_a_section_takes_its_placeholders_place_and_its_fallback_goes():
    root, trace = _reveal('<body><p>one</p><!--$?--><template id="B:0"></template><div>Loading...</div>'
                          '<!--/$--><p>three</p><div hidden id="S:0"><p>two</p></div></body>')
    assert _texts(root) == ["one", "two", "three"]
    assert "Loading" not in dom.text_of(root)
    assert [(e.rule_id, e.preview) for e in trace.events] == [("streamed-fallback", "Loading...")]
    assert root.xpath("//*[@hidden]") == []


def test_the_swap_scripts_say_which_section_goes_where():
    root, _ = _reveal('<body><template id="B:0"></template><template id="B:1"></template>'
                      '<div hidden id="S:1"><p>first</p></div><div hidden id="S:0"><p>second</p></div>'
                      '<script>$RC("B:0","S:1");$RC("B:1","S:0")</script></body>')
    assert _texts(root) == ["first", "second"]


def test_segments_fill_placeholders_inside_sections():
    root, _ = _reveal('<body><template id="B:0"></template><div hidden id="S:0"><p>a</p>'
                      '<template id="P:2"></template></div><div hidden id="S:2"><p>b</p></div></body>')
    assert _texts(root) == ["a", "b"]


def test_without_its_end_marker_a_fallback_stays():
    # A page saved without comments: what follows the placeholder may be the next content.
    root, trace = _reveal('<body><template id="B:0"></template><h2>Next part</h2>'
                          '<div hidden id="S:0"><p>streamed</p></div></body>')
    assert _words(root) == "streamed Next part"
    assert trace.events == []


def test_text_around_a_moved_section_stays_in_place():
    root, _ = _reveal('<body><div>before <template id="B:0"></template>after</div>'
                      '<div hidden id="S:0">inside</div> tail text</body>')
    assert _words(root) == "before inside after tail text"


def test_hidden_divs_without_a_placeholder_stay_hidden():
    root, _ = _reveal('<body><p>shown</p><div hidden id="S:9"><p>menu</p></div></body>')
    assert root.xpath("//div[@hidden]")[0].get("id") == "S:9"


def test_only_pages_with_placeholders_get_end_markers():
    assert dom.parse("<body><!--/$--><p>x</p></body>").xpath("//template") == []
    marked = dom.parse('<body><template id="B:0"></template><!--/$--></body>')
    assert [t.get("data-stream-end") for t in marked.iter("template")] == [None, ""]
