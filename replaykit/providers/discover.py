"""OpenRouter endpoint discovery: one provider per endpoint serving a model, pinned with `only`."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx
import tomli_w

from replaykit.errors import BadInputError
from replaykit.providers.loader import parse_providers

OPENROUTER = "https://openrouter.ai/api/v1"


def fetch_endpoints(model: str, base_url: str = OPENROUTER, timeout: float = 30.0) -> list[dict[str, Any]]:
    """The endpoints OpenRouter lists for `model` (`author/slug`)."""
    if not re.fullmatch(r"[\w.-]+/[\w.:-]+", model):
        raise BadInputError(f"a model is author/slug, e.g. qwen/qwen3-coder; got {model!r}")
    url = f"{base_url.rstrip('/')}/models/{model}/endpoints"
    try:
        response = httpx.get(url, timeout=timeout, headers={"accept": "application/json"})
    except httpx.HTTPError as err:
        raise BadInputError(f"cannot reach {url}: {type(err).__name__}") from None
    if response.status_code != 200:
        raise BadInputError(f"{url} answered HTTP {response.status_code}")
    try:
        endpoints = response.json()["data"]["endpoints"]
    except (ValueError, KeyError, TypeError):
        raise BadInputError(f"{url} did not return an endpoints listing") from None
    if not isinstance(endpoints, list):
        raise BadInputError(f"{url}: data.endpoints is not a list")
    return [e for e in endpoints if isinstance(e, dict)]


def _name(endpoint: dict[str, Any]) -> str:
    raw = str(endpoint.get("tag") or endpoint.get("provider_name") or "endpoint")
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", raw).strip("-").lower() or "endpoint"


def _per_mtok(value: Any) -> float | None:
    try:
        return round(float(value) * 1e6, 6)
    except (TypeError, ValueError):
        return None


def provider_table(endpoint: dict[str, Any]) -> dict[str, Any]:
    tag = str(endpoint.get("tag") or endpoint.get("provider_name"))
    table: dict[str, Any] = {"routing": {"only": [tag], "allow_fallbacks": False}}
    if endpoint.get("quantization") and endpoint["quantization"] != "unknown":
        table["quantization"] = str(endpoint["quantization"])
    pricing = endpoint.get("pricing") or {}
    prompt, completion = _per_mtok(pricing.get("prompt")), _per_mtok(pricing.get("completion"))
    if prompt is not None and completion is not None:
        table["price"] = {"input_per_mtok": prompt, "output_per_mtok": completion}
    if isinstance(endpoint.get("context_length"), int):
        table["context_length"] = endpoint["context_length"]
    return table


def discover_toml(model: str, base_url: str = OPENROUTER, api_key_env: str = "OPENROUTER_API_KEY") -> str:
    """A providers TOML for `model`: only endpoints that accept `tools`; names unique and valid."""
    endpoints = fetch_endpoints(model, base_url)
    providers: dict[str, dict[str, Any]] = {}
    skipped = []
    for endpoint in endpoints:
        params = endpoint.get("supported_parameters")
        if isinstance(params, list) and "tools" not in params:
            skipped.append(_name(endpoint))
            continue
        name = _name(endpoint)
        while name in providers:
            name += "-2"
        providers[name] = provider_table(endpoint)
    if not providers:
        raise BadInputError(f"no endpoint of {model} supports tool calling")
    defaults = {"base_url": base_url, "api_key_env": api_key_env, "model": model, "temperature": 0.0,
                "stream": True, "mode": "native", "usage_accounting": True}
    if not api_key_env:  # an endpoint that needs no key (a local simulator)
        del defaults["api_key_env"]
    data = {"defaults": defaults, "providers": providers}
    parse_providers(data, "<discovered>")  # what we write must load
    header = (f"# Providers serving {model}, discovered from {base_url} on "
              f"{datetime.now(UTC).date().isoformat()}.\n# Prices and precisions change: run "
              f"`replaykit providers discover {model}` again to refresh.\n")
    if skipped:
        header += f"# Left out (no tool calling): {', '.join(skipped)}\n"
    return header + "\n" + tomli_w.dumps(data)
