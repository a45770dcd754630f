"""The SSE framing: events, comments, [DONE], line ends, an event left open at the end."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from replaykit.normalize import parse_sse


def test_one_line_events_and_done() -> None:
    body = parse_sse('data: {"a":1}\n\ndata: {"b":2}\n\ndata: [DONE]\n\n')
    assert body.events == ['{"a":1}', '{"b":2}']
    assert body.done
    assert body.tail is None
    assert not body.partial


def test_comments_are_skipped_and_counted() -> None:
    body = parse_sse(
        ': OPENROUTER PROCESSING\n\ndata: {"a":1}\n\n: OPENROUTER PROCESSING\n\ndata: [DONE]\n\n'
    )
    assert body.events == ['{"a":1}']
    assert body.comments == 2
    assert body.done


def test_comment_inside_an_event_block() -> None:
    body = parse_sse(': keep-alive\ndata: {"a":1}\n\n')
    assert body.events == ['{"a":1}']
    assert body.comments == 1


def test_multi_line_data_is_joined_with_newlines() -> None:
    body = parse_sse('data: {"a":\ndata: 1}\n\n')
    assert body.events == ['{"a":\n1}']


def test_crlf_and_lone_cr_line_ends() -> None:
    assert parse_sse('data: {"a":1}\r\n\r\ndata: [DONE]\r\n\r\n').events == ['{"a":1}']
    crlf = parse_sse('data: {"a":1}\r\n\r\ndata: [DONE]\r\n\r\n')
    assert crlf.done and crlf.tail is None
    lone = parse_sse('data: {"a":1}\r\rdata: [DONE]\r\r')
    assert lone.events == ['{"a":1}'] and lone.done


def test_data_without_space_and_leading_whitespace() -> None:
    body = parse_sse('data:{"a":1}\n\n  data: {"b":2}\n\n')
    assert body.events == ['{"a":1}', '{"b":2}']


def test_events_after_done_are_ignored() -> None:
    body = parse_sse('data: {"a":1}\n\ndata: [DONE]\n\ndata: {"late":1}\n\n')
    assert body.events == ['{"a":1}']
    assert body.done


def test_done_in_other_case_and_spacing() -> None:
    assert parse_sse("data:  [done] \n\n").done


def test_unclosed_last_event_is_the_tail() -> None:
    body = parse_sse('data: {"a":1}\n\ndata: {"b":')
    assert body.events == ['{"a":1}']
    assert body.tail == '{"b":'
    assert body.partial
    assert not body.done


def test_unclosed_last_event_with_newline_is_still_the_tail() -> None:
    body = parse_sse('data: {"a":1}\n\ndata: {"b":2}\n')
    assert body.tail == '{"b":2}'


def test_unclosed_done_counts_as_done() -> None:
    body = parse_sse('data: {"a":1}\n\ndata: [DONE]')
    assert body.done
    assert body.tail is None


def test_trailing_whitespace_is_no_tail() -> None:
    body = parse_sse('data: {"a":1}\n\n \n')
    assert body.tail is None
    assert body.events == ['{"a":1}']


def test_keep_alive_empty_data_is_dropped() -> None:
    assert parse_sse('data:\n\ndata: \n\ndata: {"a":1}\n\n').events == ['{"a":1}']


def test_event_names_are_kept_by_position() -> None:
    body = parse_sse('data: {"a":1}\n\nevent: error\ndata: {"error":{"message":"boom"}}\n\n')
    assert body.events == ['{"a":1}', '{"error":{"message":"boom"}}']
    assert body.types == {1: "error"}


def test_blank_lines_between_events_and_unknown_fields() -> None:
    body = parse_sse('\n\n\nid: 7\nretry: 10\ndata: {"a":1}\n\n\n\n\ndata: {"b":2}\n\n')
    assert body.events == ['{"a":1}', '{"b":2}']


def test_empty_and_garbage_bodies() -> None:
    assert parse_sse("").events == []
    garbage = parse_sse("<html>502 Bad Gateway</html>")
    assert garbage.events == [] and garbage.tail is None and not garbage.done


def test_done_first_then_events() -> None:
    body = parse_sse('data: [DONE]\n\ndata: {"a":1}\n\ndata: {"b":2}\n\n')
    assert body.done
    assert body.events == []


def test_events_around_odd_blocks_keep_their_order() -> None:
    text = (
        'data: {"a":1}\n\n: c\n\ndata: {"b":2}\n\nevent: x\ndata: {"c":3}\n\n'
        'data:{"d":4}\n\ndata: {"e":5}\n\n'
    )
    body = parse_sse(text)
    assert body.events == ['{"a":1}', '{"b":2}', '{"c":3}', '{"d":4}', '{"e":5}']
    assert body.types == {2: "x"}
    assert body.comments == 1


def reference_events(text: str) -> tuple[list[str], bool]:
    """The WHATWG event-stream algorithm, line by line, for bodies whose events are all closed."""
    events: list[str] = []
    data: list[str] = []
    for line in text.split("\n"):
        if not line:
            if data:
                payload = "\n".join(data)
                if payload.strip() == "[DONE]":
                    return events, True
                if payload.strip():
                    events.append(payload)
            data = []
        elif line.startswith(":"):
            continue
        else:
            name, _, value = line.partition(":")
            if name == "data":
                data.append(value[1:] if value.startswith(" ") else value)
    return events, False


event_blocks = st.one_of(
    st.builds(lambda n: f'data: {{"n":{n}}}', st.integers(0, 99)),
    st.builds(lambda n: f'data:{{"n":{n}}}', st.integers(0, 99)),
    st.builds(lambda n: f'data: {{"n":\ndata: {n}}}', st.integers(0, 99)),
    st.just(": OPENROUTER PROCESSING"),
    st.just("event: message\ndata: {}"),
    st.just("data: [DONE]"),
    st.just("id: 3"),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(event_blocks, max_size=12))
def test_parse_sse_agrees_with_the_reference_algorithm(blocks: list[str]) -> None:
    text = "".join(block + "\n\n" for block in blocks)
    body = parse_sse(text)
    assert (body.events, body.done) == reference_events(text)
    assert body.tail is None


def general_parse(text: str) -> tuple[list[str], str | None, bool, int, dict[int, str]]:
    """The block-by-block parser alone, without parse_sse's shortcuts for the common shapes."""
    from replaykit.normalize.sse import SSEBody, _parse_text

    body = SSEBody()
    _parse_text(body, text, closed=False)
    return body.events, body.tail, body.done, body.comments, body.types


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(event_blocks, st.just('data: {"cut":'), st.just(": c\ndata: {}"),
                          st.sampled_from(["data: [DONE]\n", "data: [DONE] more", "data: [done]"])), max_size=8),
       st.sampled_from(["", "\n", "\n\n", "\n\n\n"]))
def test_shortcuts_agree_with_the_general_parser(blocks: list[str], end: str) -> None:
    # the first block, the middle ones and the last one each have a shortcut in parse_sse
    text = "\n\n".join(blocks) + end
    body = parse_sse(text)
    assert (body.events, body.tail, body.done, body.comments, body.types) == general_parse(text)


def blockwise_parse(text: str) -> tuple[list[str], str | None, bool, int, dict[int, str]]:
    """The general parser as it was before it skimmed past blocks with no field: every block read line by line."""
    from replaykit.normalize.sse import SSEBody, _fields, _parse_block, _parse_tail

    body = SSEBody()
    blocks = text.split("\n\n")
    last = blocks.pop()
    for block in blocks:
        if body.done:
            break
        if block:
            _parse_block(body, block)
    if not body.done and last.strip():
        if "data" in last or "event" in last:
            _parse_tail(body, last)  # unchanged for a tail with fields
        else:
            _fields(last, body)  # counts its comment lines, line by line
    return body.events, body.tail, body.done, body.comments, body.types


junk_blocks = st.sampled_from(["x", "id: 3", "retry: 10", ": ping", "  : indented comment", "\t:", "x\n: c\ny",
                               ":", "eventual", "metadata: 1", "x\n\n\n", " ", "\u2003: wide space comment"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(junk_blocks, event_blocks), min_size=16, max_size=60),
       st.sampled_from(["", "\n", "\n\n", ": tail comment", "x", "data: {\"cut\":"]))
def test_skimming_junk_blocks_reads_as_block_by_block(blocks: list[str], end: str) -> None:
    # 16 blocks or more: the parser skims past those with no field, counting their comments at C speed
    text = "\n\n".join(blocks) + ("\n\n" if end in ("", "\n", "\n\n") else "\n\n" + end)
    assert general_parse(text) == blockwise_parse(text)


def test_a_body_of_many_junk_blocks_keeps_its_events_and_comments() -> None:
    body = parse_sse("data: {}\n\n" + "x\n\n: c\n\n" * 100_000 + 'data: {"b":1}\n\n')
    assert body.events == ["{}", '{"b":1}'] and body.comments == 100_000
