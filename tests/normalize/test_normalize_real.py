"""Real provider traffic (simonw/llm's vcrpy cassettes: OpenAI JSON and SSE, OpenRouter/Novita/Fireworks SSE)
normalized into exactly the calls a human reads in them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from replaykit.cassettes.model import Attempt
from replaykit.normalize import body_text, error_class_of, normalize

REAL = Path(__file__).parents[2] / "../shared/data/real-cassettes/simonw-llm"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"real provider cassettes not provided ({REAL.resolve()}): "
                                "a data set kept outside the repository")

OPENAI_USAGE = {"cached_tokens": 0, "audio_tokens": 0}
LLM_VERSION_TEXT = "The current version of *llm* is **0.fixed-version**."

# Novita answers the call, then Moonshot AI the follow-up (variants a and b: the same
# exchange, streamed differently)
KIMI_NOVITA_THEN_MOONSHOT: list[dict[str, Any]] = [
    {
        "calls": [("llm_version", {}, "{}", "0")],
        "text": "",
        "finish": None,
        "native": None,
        "provider": "Novita",
        "model": "moonshotai/kimi-k2",
        "tokens": (57, 17, 74),
        "cost": 0.00007159,
    },
    {
        "calls": [],
        "text": LLM_VERSION_TEXT,
        "finish": "stop",
        "native": "stop",
        "provider": "Moonshot AI",
        "model": "moonshotai/kimi-k2",
        "tokens": (107, 15, 122),
        "cost": 0.0001017,
    },
]

# file → one entry per interaction: (name, arguments, raw_arguments, id) calls, text, finish_reason,
# native_finish_reason, provider, model, (prompt, completion, total) tokens, cost
EXPECTED: dict[str, list[dict[str, Any]]] = {
    "test_tools__test_tool_use_basic.yaml": [
        {
            "calls": [
                ("multiply", {"a": 1231, "b": 2331}, '{"a":1231,"b":2331}', "call_1EYWDzueHEp8OsB8jJSEp7WB")
            ],
            "text": "",
            "finish": "tool_calls",
            "native": None,
            "provider": None,
            "model": "gpt-4o-mini-2024-07-18",
            "tokens": (54, 20, 74),
            "cost": None,
        },
        {
            "calls": [],
            "text": r"The result of \( 1231 \times 2331 \) is \( 2,869,461 \).",
            "finish": "stop",
            "native": None,
            "provider": None,
            "model": "gpt-4o-mini-2024-07-18",
            "tokens": (87, 26, 113),
            "cost": None,
        },
    ],
    "test_tools__test_tool_use_chain_of_two_calls.yaml": [
        {
            "calls": [
                (
                    "lookup_population",
                    {"country": "Crumpet"},
                    '{"country":"Crumpet"}',
                    "call_TTY8UFNo7rNCaOBUNtlRSvMG",
                )
            ],
            "text": "",
            "finish": "tool_calls",
            "native": None,
            "provider": None,
            "model": "gpt-4o-mini-2024-07-18",
            "tokens": (92, 17, 109),
            "cost": None,
        },
        {
            "calls": [
                (
                    "can_have_dragons",
                    {"population": 123124},
                    '{"population":123124}',
                    "call_aq9UyiSFkzX6W8Ydc33DoI9Y",
                )
            ],
            "text": "",
            "finish": "tool_calls",
            "native": None,
            "provider": None,
            "model": "gpt-4o-mini-2024-07-18",
            "tokens": (118, 18, 136),
            "cost": None,
        },
        {
            "calls": [],
            "text": "YES",
            "finish": "stop",
            "native": None,
            "provider": None,
            "model": "gpt-4o-mini-2024-07-18",
            "tokens": (146, 3, 149),
            "cost": None,
        },
    ],
    # Novita sends the call's header twice (arguments "" then "{}") and no finish reason, but [DONE]
    "test_tools_streaming__test_tools_streaming_variant_a.yaml": KIMI_NOVITA_THEN_MOONSHOT,
    # the whole call in one chunk
    "test_tools_streaming__test_tools_streaming_variant_b.yaml": KIMI_NOVITA_THEN_MOONSHOT,
    # the header has no `arguments` key, the body starts with a space before `data:`
    "test_tools_streaming__test_tools_streaming_variant_c.yaml": [
        {
            "calls": [("llm_version", {}, "{}", "llm_version:0")],
            "text": "",
            "finish": "tool_calls",
            "native": "tool_calls",
            "provider": "Novita",
            "model": "moonshotai/kimi-k2",
            "tokens": (56, 12, 68),
            "cost": 0.00005952,
        },
        {
            "calls": [],
            "text": "The installed version of LLM on this system is 0.fixed-version.",
            "finish": "stop",
            "native": "stop",
            "provider": "Fireworks",
            "model": "moonshotai/kimi-k2",
            "tokens": (105, 16, 121),
            "cost": 0.000103,
        },
    ],
    # `"arguments": null`, and usage in the chunk that carries the finish reason
    "test_tools_streaming__test_tools_streaming_variant_d.yaml": [
        {
            "calls": [("llm_version", {}, "", "0")],
            "text": "",
            "finish": "tool_calls",
            "native": "tool_calls",
            "provider": "Meta",
            "model": "muse-spark-1.1",
            "tokens": (57, 17, 74),
            "cost": 0.00007159,
        },
        {
            "calls": [],
            "text": LLM_VERSION_TEXT,
            "finish": "stop",
            "native": "stop",
            "provider": "Meta",
            "model": "muse-spark-1.1",
            "tokens": (107, 15, 122),
            "cost": 0.0001017,
        },
    ],
}


def load_attempts(path: Path) -> list[Attempt]:
    data = yaml.safe_load(path.read_text())
    attempts = []
    for interaction in data["interactions"]:
        response = interaction["response"]
        attempts.append(
            Attempt(
                request=interaction["request"],
                status=response["status"]["code"],
                reason=response["status"]["message"],
                response_headers=response["headers"],
                body=response["body"]["string"],
            )
        )  # bytes when vcrpy kept it gzipped
    return attempts


def test_every_real_cassette_has_expectations() -> None:
    assert sorted(p.name for p in REAL.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_cassette(name: str) -> None:
    attempts = load_attempts(REAL / name)
    expected = EXPECTED[name]
    assert len(attempts) == len(expected)
    for attempt, want in zip(attempts, expected, strict=True):
        out = normalize(attempt)
        assert out.error_class is None, out.error_message
        assert error_class_of(attempt) is None
        assert out.status == 200
        assert [(c.name, c.arguments, c.raw_arguments, c.id) for c in out.calls] == want["calls"]
        assert out.text == want["text"]
        assert out.text_calls == []
        assert out.faults == []
        assert out.finish_reason == want["finish"]
        assert out.native_finish_reason == want["native"]
        assert out.provider == want["provider"]
        assert out.model == want["model"]
        assert out.usage is not None
        assert (
            out.usage["prompt_tokens"],
            out.usage["completion_tokens"],
            out.usage["total_tokens"],
        ) == want["tokens"]
        assert out.cost == want["cost"]
        orjson.dumps(out.to_json())  # what `inspect` prints is plain JSON


def test_openai_usage_details_are_kept() -> None:
    out = normalize(load_attempts(REAL / "test_tools__test_tool_use_basic.yaml")[0])
    assert out.usage is not None
    assert out.usage["prompt_tokens_details"] == OPENAI_USAGE


def test_gzipped_body_is_inflated() -> None:
    raw = yaml.safe_load((REAL / "test_tools__test_tool_use_chain_of_two_calls.yaml").read_text())
    response = raw["interactions"][2]["response"]
    assert isinstance(response["body"]["string"], bytes)
    text = body_text(response["body"]["string"], response["headers"])
    assert text is not None
    assert orjson.loads(text)["choices"][0]["message"]["content"] == "YES"


def test_gzip_body_garbled_to_text_is_malformed_not_a_crash() -> None:
    """A reader that decodes the gzip bytes as UTF-8 loses the body; the normalizer says so."""
    attempt = load_attempts(REAL / "test_tools__test_tool_use_chain_of_two_calls.yaml")[0]
    assert isinstance(attempt.body, bytes)
    attempt.body = attempt.body.decode("utf-8", "replace")
    assert normalize(attempt).error_class == "malformed_body"
