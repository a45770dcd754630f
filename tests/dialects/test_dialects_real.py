"""Real traffic in three dialects (pydantic-ai's and simonw/llm's cassettes) read into exactly what a human
reads in the bytes: calls and arguments, text, finish reasons, usage. Expectations written from the bodies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from replaykit.cassettes.codec import decode
from replaykit.normalize import normalize

REAL = Path(__file__).parents[2] / "../shared/data/real-cassettes"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="shared real cassettes not present")

TOOL, STOP = "tool_calls", "stop"
Row = tuple[str, str, list[tuple[str, dict[str, Any]]], str, int, int]  # finish, native, calls, text, in, out

# file → one row per interaction: (finish_reason, native_finish_reason, calls, text starts with, prompt tokens,
# completion tokens); every interaction answered (error_class None)
EXPECTED: dict[str, list[Row]] = {
    # Anthropic Messages, streamed (simonw/llm-anthropic): two parallel tool_use blocks with empty input
    "simonw-llm-anthropic/test_tools.yaml": [
        (TOOL, "tool_use", [("pelican_name_generator", {}), ("pelican_name_generator", {})], "", 542, 62),
        (STOP, "end_turn", [], "Here are two great names for your pet pelican:", 678, 82),
    ],
    "simonw-llm-anthropic/test_stream_events_tool_calls.yaml": [
        (TOOL, "tool_use", [("pelican_name_generator", {})], "", 543, 40),
    ],
    "simonw-llm-anthropic/test_fixed_version_tool_chain_regression.yaml": [
        (TOOL, "tool_use", [("fixed_version", {})], "", 563, 37),
        (STOP, "end_turn", [], "The version is **0.32a0**.", 617, 41),
    ],
    # Anthropic Messages, JSON with a thinking block and its signature (pydantic-ai)
    "pydantic-ai-dialects/test_anthropic/test_anthropic_tool_with_thinking.yaml": [
        (TOOL, "tool_use", [("get_user_country", {})], "I'll help you find the largest city in your country.",
         398, 155),
        (STOP, "end_turn", [], "Based on the information that you're from Mexico,", 566, 126),
    ],
    "pydantic-ai-dialects/test_anthropic/test_anthropic_deferred_capability_without_tool_search_across_models"
    "[claude-sonnet-5].yaml": [
        (TOOL, "tool_use", [("load_capability", {"id": "refunds"})], "", 658, 50),
        (TOOL, "tool_use", [("lookup_refund_policy", {"order_id": "order-123"})], "", 861, 57),
        (STOP, "end_turn", [], "order-123: refund allowed", 932, 11),
    ],
    # a long turn paused by the server (pause_turn), then continued
    "pydantic-ai-dialects/test_anthropic/test_pause_turn_web_search_streaming_vcr.yaml": [
        ("pause_turn", "pause_turn", [], "I'll run these searches one at a time", 404500, 943),
        (STOP, "end_turn", [], "Let me continue with the remaining searches", 482529, 1310),
    ],
    # OpenAI Responses: two parallel function_call items (usage reported as zero by the server)
    "pydantic-ai-dialects/test_openai_responses/test_openai_responses_model_retry.yaml": [
        (TOOL, "completed", [("get_location", {"loc_name": "Londos"}), ("get_location", {"loc_name": "London"})],
         "", 0, 0),
        (STOP, "completed", [], 'It seems "Londos" might be incorrect or unknown.', 335, 44),
    ],
    "pydantic-ai-dialects/test_openai_responses/test_openai_responses_stream.yaml": [
        (TOOL, "completed", [("get_capital", {"country": "France"})], "", 255, 16),
        (STOP, "completed", [], "The capital of France is Paris.", 278, 9),
    ],
    "pydantic-ai-dialects/test_openai_responses/test_openai_responses_phase_streamed_on_part_start.yaml": [
        (TOOL, "completed", [("get_capital", {"country": "PotatoLand"})], "I’ll check the capital lookup tool",
         63, 69),
        (STOP, "completed", [], "The capital of PotatoLand is **Potato City**.", 147, 16),
    ],
    # Gemini: a JSON-array stream (no alt=sse) with a thought part first; thoughts count as output tokens
    "simonw-llm-gemini/test_tools.yaml": [
        (TOOL, "STOP", [("pelican_name_generator", {})], "", 32, 54),
        (TOOL, "STOP", [("pelican_name_generator", {})], "", 105, 13),
        (STOP, "STOP", [], "How about Charles and Sammy?", 137, 6),
    ],
    "simonw-llm-gemini/test_tools_with_gemini_3_thought_signatures.yaml": [
        (TOOL, "STOP", [("multiply", {"y": 3, "x": 5})], "", 60, 48),
        (STOP, "STOP", [], "5 times 3 is 15.", 121, 9),
    ],
    "pydantic-ai-dialects/test_google/test_google_model_iter_stream.yaml": [
        (TOOL, "STOP", [("get_capital", {"country": "France"})], "", 52, 5),
        (TOOL, "STOP", [("get_temperature", {"city": "Paris"})], "", 64, 5),
        (STOP, "STOP", [], "The temperature in Paris is 30°C.", 79, 12),
    ],
    "pydantic-ai-dialects/test_google/test_google_instructions_only_with_tool_calls.yaml": [
        (TOOL, "STOP", [("generate_topic", {})] * 3, "", 83, 220),
        (TOOL, "STOP", [("generate_topic", {})], "", 348, 50),
        (TOOL, "STOP", [("generate_topic", {})], "", 415, 115),
        (TOOL, "STOP", [("generate_topic", {})], "", 546, 116),
        (TOOL, "STOP", [("final_result", {"response": [
            "What kind of car does a sheep drive? A Lamborghini!",
            "Why don't you see penguins in Great Britain? Because they're afraid of Wales!",
            "What happened when the wheel was invented? It caused a revolution!",
        ]})], "", 679, 300),  # 65 candidates + 235 thoughts tokens
    ],
}


def _cassette(name: str) -> Any:
    path = REAL / name
    return decode(path.read_bytes(), str(path))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_cassette_reads_as_written(name: str) -> None:
    attempts = _cassette(name).attempts
    assert len(attempts) == len(EXPECTED[name])
    for attempt, (finish, native, calls, text, prompt, completion) in zip(attempts, EXPECTED[name]):
        out = normalize(attempt)
        assert out.error_class is None, out.error_message
        assert (out.finish_reason, out.native_finish_reason) == (finish, native)
        assert [(c.name, c.arguments) for c in out.calls] == calls
        assert out.text.startswith(text) and (text or not out.text)
        assert out.usage is not None
        assert (out.usage["prompt_tokens"], out.usage["completion_tokens"]) == (prompt, completion)
        assert out.faults == []


def test_anthropic_thinking_block_and_signature_are_kept_for_the_next_turn() -> None:
    attempts = _cassette("pydantic-ai-dialects/test_anthropic/test_anthropic_tool_with_thinking.yaml").attempts
    first = normalize(attempts[0])
    thinking = first.native_turn[0]
    assert thinking["type"] == "thinking" and thinking["signature"].startswith("EqEECkYICxgCKkAo3UA4")
    # the client sent the turn back exactly as received: the next request holds the same blocks
    sent = orjson.loads(attempts[1].request["body"])["messages"][1]["content"]
    assert sent == first.native_turn


def test_gemini_thought_signature_rides_on_the_call_part() -> None:
    name = "pydantic-ai-dialects/test_google/test_google_streaming_tool_call_thought_signature.yaml"
    out = normalize(_cassette(name).attempts[0])
    part = next(p for p in out.native_turn["parts"] if "functionCall" in p)
    assert part["thoughtSignature"].startswith("EpwICpkIAXLI2nxlU6gsWZaZHRYkX1orzuM8vSUFwaAt1JRxEC2hJzPAcAu3PWaK")


def test_responses_background_polling_is_not_a_failure() -> None:
    attempts = _cassette("pydantic-ai-dialects/test_openai_responses/test_background_mode_with_tool_vcr.yaml").attempts
    outs = [normalize(a) for a in attempts]
    assert [o.native_finish_reason for o in outs] == ["queued", "completed", "queued", "in_progress", "completed"]
    assert all(o.error_class is None for o in outs)
    assert [c.name for c in outs[1].calls] and outs[1].finish_reason == TOOL


def test_anthropic_count_tokens_is_read_as_usage_only() -> None:
    name = ("pydantic-ai-dialects/test_anthropic/"
            "test_anthropic_count_tokens_with_adaptive_thinking_and_output_tools.yaml")
    out = normalize(_cassette(name).attempts[0])
    assert out.error_class is None and out.calls == [] and out.usage["prompt_tokens"] == 671


PELICAN = """
- id: pelican.names
  category: parallel
  tools:
    - type: function
      function:
        name: pelican_name_generator
        description: ""
        parameters: {type: object, properties: {}}
  messages:
    - {role: user, content: Two names for a pet pelican}
  expect:
    calls:
      - {name: pelican_name_generator, args: {}}
      - {name: pelican_name_generator, args: {}}
"""


def test_import_vcr_reads_an_anthropic_cassette_into_a_scored_run(tmp_path: Path) -> None:
    from replaykit import score_runs
    from replaykit.share.import_vcr import import_vcr

    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "pelican.yaml").write_text(PELICAN)
    source = REAL / "simonw-llm-anthropic/test_tools.yaml"
    import_vcr([source], str(tmp_path / "scenarios"), tmp_path / "run")
    result = score_runs([tmp_path / "run"]).data["providers"]
    ((_, metrics),) = result.items()
    assert metrics["success"]["value"] == 1.0, metrics  # the one sample: both calls, then the answer
    assert metrics["error_rate"]["value"] == 0.0
