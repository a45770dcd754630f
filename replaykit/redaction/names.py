"""Names (of headers, query parameters, JSON fields) whose value is a credential."""

from __future__ import annotations

import functools
import re

SECRET_HEADERS = frozenset({
    "authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie", "x-goog-api-key",
    "openai-organization", "openai-project", "x-auth-token",
})
KEYLIKE_PARAM = re.compile(r"(key|token|secret|signature|sig|password|auth)", re.I)
# A name (header, query parameter, JSON field) whose value is a credential: one of its words says so.
# `max_tokens` is not one ("tokens"), `x-custom-auth`, `apiKey`, `access_token` and `k` are.
_SECRET_WORD = re.compile(r"(?:^|_)(?:auth\w*|token|access_?key|api_?key|apikey|key|secret\w*|password|passwd|"
                          r"passphrase|pwd|credentials?|signature|sig|session|cookie|bearer)(?:$|_)")
_SHORT_NAMES = frozenset({"k", "pw", "pass"})
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")


def secret_name(name: object) -> bool:
    """Does a header, query parameter or field of this name hold a credential?"""
    return _secret_name(str(name))


@functools.lru_cache(maxsize=8192)  # a report asks of the same few hundred names millions of times
def _secret_name(text: str) -> bool:
    lower = text.lower()
    if lower in SECRET_HEADERS or lower in _SHORT_NAMES:
        return True
    words = re.sub(r"[^a-z0-9]+", "_", _CAMEL.sub(r"\1_\2", text).lower())
    return bool(_SECRET_WORD.search(words))
