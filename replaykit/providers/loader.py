"""Reads provider TOML files: `[defaults]` merged under every `[providers.NAME]`, each field checked."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from replaykit.errors import ProviderConfigError
from replaykit.promptformats import NAMES as PROMPT_FORMATS
from replaykit.providers.config import APIS, MODES, STREAM_FORMATS, Price, Provider
from replaykit.providers.tomlfile import read_toml

NAME_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
SECRET_HEADERS = {"authorization", "x-api-key", "api-key", "cookie", "proxy-authorization", "x-goog-api-key"}
ROUTING_KEYS: dict[str, type | tuple[type, ...]] = {
    "order": list, "only": list, "ignore": list, "allow_fallbacks": bool, "require_parameters": bool,
    "data_collection": str, "quantizations": list, "sort": str, "max_price": dict, "zdr": bool,
}
_FIELDS: dict[str, Any] = {
    "base_url": str, "model": str, "api_key_env": str, "temperature": (int, float), "max_tokens": int,
    "stream": bool, "mode": str, "routing": dict, "quantization": str, "price": dict, "data_policy": str,
    "max_concurrency": int, "timeout": (int, float), "usage_accounting": bool, "context_length": int,
    "extra_body": dict, "headers": dict, "api": str, "prompt_format": str,
    "stream_format": str,
}
_TYPE_NAMES: dict[Any, str] = {str: "a string", bool: "a boolean (true or false)", int: "an integer",
                               (int, float): "a number", dict: "a table", list: "a list"}


@dataclass(frozen=True)
class ProviderSet:
    providers: tuple[Provider, ...]
    source: str

    def __iter__(self) -> Iterator[Provider]:
        return iter(self.providers)

    def __len__(self) -> int:
        return len(self.providers)

    def names(self) -> list[str]:
        return [p.name for p in self.providers]

    def get(self, name: str) -> Provider:
        for p in self.providers:
            if p.name == name:
                return p
        raise ProviderConfigError(f"unknown provider {name!r} (known: {', '.join(self.names())})",
                                  source=self.source)

    def select(self, names: Sequence[str] | None) -> ProviderSet:
        if not names:
            return self
        return ProviderSet(tuple(self.get(n) for n in names), self.source)


def load_providers(path: str | Path) -> ProviderSet:
    return parse_providers(read_toml(path, ProviderConfigError), str(path))


def parse_providers(data: dict[str, Any], source: str) -> ProviderSet:
    extra = set(data) - {"defaults", "providers"}
    if extra:
        raise ProviderConfigError("unknown table (allowed: [defaults], [providers.NAME])", source=source,
                                  field=sorted(extra)[0])
    defaults = data.get("defaults", {})
    _check_fields(defaults, source, "defaults")
    tables = data.get("providers")
    if not isinstance(tables, dict) or not tables:
        raise ProviderConfigError("no providers: add at least one [providers.NAME] table", source=source)
    return ProviderSet(tuple(_build(name, defaults, table, source) for name, table in tables.items()), source)


def _check_fields(table: Any, source: str, where: str) -> None:
    if not isinstance(table, dict):
        raise ProviderConfigError("must be a table", source=source, field=where)
    for key, value in table.items():
        if key not in _FIELDS:
            raise ProviderConfigError(f"unknown key (allowed: {', '.join(sorted(_FIELDS))})", source=source,
                                      field=f"{where}.{key}")
        expected = _FIELDS[key]
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            raise ProviderConfigError(f"must be {_TYPE_NAMES[expected]}, got {type(value).__name__}",
                                      source=source, field=f"{where}.{key}")


def _build(name: str, defaults: dict[str, Any], table: Any, source: str) -> Provider:
    where = f"providers.{name}"
    if not NAME_RE.match(name):
        raise ProviderConfigError("provider names are [A-Za-z0-9_.-]+", source=source, field=where)
    _check_fields(table, source, where)
    merged = {**defaults, **table}

    def fail(key: str, message: str) -> ProviderConfigError:
        # name the table the value came from: a bad [defaults] value is not the provider's own
        top = key.split(".")[0]
        field = f"defaults.{key} (for {where})" if top in defaults and top not in table else f"{where}.{key}"
        return ProviderConfigError(message, source=source, field=field)

    for key in ("base_url", "model"):
        if key not in merged:
            raise fail(key, "missing (set it in [defaults] or in the provider's table)")
    if not re.match(r"^https?://", merged["base_url"]):
        raise fail("base_url", f"must be an http(s) URL, got {merged['base_url']!r}")
    if merged.get("mode", "native") not in MODES:
        raise fail("mode", f"must be native or prompt, got {merged['mode']!r}")
    if merged.get("api", "openai-chat") not in APIS:
        raise fail("api", f"must be one of {', '.join(APIS)}, got {merged['api']!r}")
    if merged.get("prompt_format", "hermes") not in PROMPT_FORMATS:
        raise fail("prompt_format", f"must be one of {', '.join(PROMPT_FORMATS)}, got {merged['prompt_format']!r}")
    if merged.get("stream_format", "sse") not in STREAM_FORMATS:
        raise fail("stream_format", f"must be sse or json-array, got {merged['stream_format']!r}")
    if merged.get("stream_format", "sse") != "sse" and merged.get("api") != "gemini":
        raise fail("stream_format", "only Gemini streams a JSON array (api = \"gemini\")")
    for key in ("max_concurrency", "max_tokens", "timeout"):
        if key in merged and merged[key] <= 0:
            raise fail(key, "must be positive")
    if "api_key_env" in merged and not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", merged["api_key_env"]):
        raise fail("api_key_env", "must be an environment variable NAME (the key itself never goes in a file)")
    _check_headers(merged.get("headers", {}), fail)
    routing = _check_routing(merged.get("routing"), fail)
    price = _check_price(merged.get("price"), fail)
    rest = {k: v for k, v in merged.items() if k not in ("routing", "price")}
    return Provider(name=name, routing=routing, price=price, source=source, **rest)


def _check_headers(headers: dict[str, Any], fail: Any) -> None:
    for key, value in headers.items():
        if key.lower() in SECRET_HEADERS:
            raise fail(f"headers.{key}", "secrets don't belong in provider files: set api_key_env instead")
        if not isinstance(value, str):
            raise fail(f"headers.{key}", "header values must be strings")


def _check_routing(routing: Any, fail: Any) -> dict[str, Any] | None:
    if routing is None:
        return None
    for key, value in routing.items():
        if key not in ROUTING_KEYS:
            raise fail(f"routing.{key}", f"unknown OpenRouter routing key (allowed: {', '.join(ROUTING_KEYS)})")
        if not isinstance(value, ROUTING_KEYS[key]):
            raise fail(f"routing.{key}", f"must be {_TYPE_NAMES[ROUTING_KEYS[key]]}")
        if isinstance(value, list) and not all(isinstance(item, str) for item in value):
            raise fail(f"routing.{key}", "must be a list of strings (provider slugs or precisions)")
    if routing.get("data_collection", "allow") not in ("allow", "deny"):
        raise fail("routing.data_collection", "must be allow or deny")
    if routing.get("sort", "price") not in ("price", "throughput", "latency"):
        raise fail("routing.sort", "must be price, throughput or latency")
    return dict(routing)


def _check_price(price: Any, fail: Any) -> Price | None:
    if price is None:
        return None
    extra = set(price) - {"input_per_mtok", "output_per_mtok"}
    if extra:
        raise fail(f"price.{sorted(extra)[0]}", "unknown key (allowed: input_per_mtok, output_per_mtok)")
    values = {}
    for key in ("input_per_mtok", "output_per_mtok"):
        value = price.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise fail(f"price.{key}", "must be a non-negative number (USD per million tokens)")
        values[key] = float(value)
    return Price(**values)
