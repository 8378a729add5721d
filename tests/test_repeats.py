"""A run of paragraphs printed a second time goes; a paragraph repeated on its own stays."""
from stripper import dom, locate, repeats
from stripper.trace import Trace

ONE = "The ferry will leave forty minutes earlier from January, the operator said on Friday."
TWO = "Evening sailings drop from four to three, though the last Friday crossing stays put."
THREE = "A printed timetable will be at the ticket office on the quay from next week onwards."


def repeated(body: str) -> tuple[list[str], Trace]:
    root = dom.parse(f"<html><body><main>{body}</main></body></html>")
    _, stats = locate.measure(root)
    trace = Trace()
    main = root.find(".//main")
    repeats.drop_repeats([main], stats, trace)
    return [dom.text_of(p) for p in main.iter("p")], trace


def test_second_copy_of_a_run_goes():
    copy = f"<p>{ONE}</p><p>{TWO}</p><p>{THREE}</p>"
    paragraphs, trace = repeated(f"<div class='wide'>{copy}</div><div class='narrow'>{copy}</div>")
    assert paragraphs == [ONE, TWO, THREE]
    assert [e.rule_id for e in trace.events] == ["repeated-run"] * 3


def test_a_paragraph_said_twice_on_its_own_stays():
    # A pull quote, then the paragraph it quotes; a test page's filler said twice in a row.
    paragraphs, trace = repeated(f"<blockquote><p>{TWO}</p></blockquote><p>{ONE}</p><p>{TWO}</p>"
                                 f"<p>{THREE}</p><p>{THREE}</p>")
    assert paragraphs == [TWO, ONE, TWO, THREE, THREE]
    assert not trace.events


def test_short_lines_may_repeat():
    paragraphs, _ = repeated("<p>Read more.</p><p>Share this.</p><p>Read more.</p><p>Share this.</p>")
    assert len(paragraphs) == 4
