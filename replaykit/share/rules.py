"""The secret scan's rules: today's key formats, one regular expression each.

Taken from gitleaks' rule set (config/gitleaks.toml; rule ids in the comments), kept to the formats LLM
traffic and its tooling carry, with the prefixes loosened where providers issue several key lengths. Plain
`re` patterns with a fixed prefix or a bounded context: no nested repetition, so each runs in linear time.
A rule that needs context (a variable name before the key) marks the key itself as the group `secret`, so
redaction keeps the context. A rule matches a key written verbatim; the scan (share/secrets.py) also runs
them over decoded views of a value (percent-decoded, `\\u`-unescaped, base64-decoded, invisible characters
removed).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable

from replaykit.recorder.secretforms import looks_like_credential

_END = r"(?![A-Za-z0-9_-])"  # a key ends where its alphabet does
_SEP = r"[\\\"'\s]{0,4}"  # between a name and its value: quotes (escaped in a JSON string too) and spaces

RULES: dict[str, re.Pattern[str]] = {
    # AI providers
    "openrouter key": re.compile(r"\bsk-or-(?:v1-)?[0-9a-f]{32,}"),  # openrouter-api-key
    "anthropic key": re.compile(r"\bsk-ant-(?:api|admin|oat|sid)?\d*-?[A-Za-z0-9_-]{20,}"),  # anthropic-api-key
    "openai key": re.compile(r"\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}"),  # openai-api-key
    "google api key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}"),  # gcp-api-key
    "google oauth token": re.compile(r"\bya29\.[0-9A-Za-z_-]{20,}"),
    "groq key": re.compile(r"\bgsk_[A-Za-z0-9]{20,}"),
    "xai key": re.compile(r"\bxai-[A-Za-z0-9]{20,}"),
    "perplexity key": re.compile(r"\bpplx-[A-Za-z0-9]{32,}"),  # perplexity-api-key
    "cerebras key": re.compile(r"\bcsk-[a-z0-9]{32,}"),
    "hugging face token": re.compile(r"\b(?:hf|api_org)_[A-Za-z0-9]{30,}"),  # huggingface-access-token
    "fireworks key": re.compile(r"\bfw_[A-Za-z0-9]{20,}"),
    "replicate token": re.compile(r"\br8_[A-Za-z0-9]{37}" + _END),
    # code hosting and package registries
    "github token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})"),  # github-*
    "gitlab token": re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"),  # gitlab-pat
    "npm token": re.compile(r"\bnpm_[A-Za-z0-9]{36}" + _END),  # npm-access-token
    "pypi token": re.compile(r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"),  # pypi-upload-token
    # clouds and payment
    "aws access key": re.compile(r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b"),  # aws-access-token
    "aws secret access key": re.compile(
        r"(?i:aws[\w.-]{0,20}?(?:secret|private)[\w.-]{0,20}?key)" + _SEP + "[:=>]{1,2}" + _SEP
        + r"(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"),
    "azure key": re.compile(
        r"(?i:azure|ocp-apim-subscription-key|subscription[_-]?key|api[_-]?key|AccountKey)[\w.-]{0,20}"
        + _SEP + "[:=>]{1,2}" + _SEP + r"(?P<secret>[0-9a-fA-F]{32}(?![0-9a-fA-F])|[A-Za-z0-9+/]{86}==)"),
    "azure ad client secret": re.compile(r"(?<![A-Za-z0-9_~.])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}"),
    "stripe key": re.compile(r"\b(?:sk|rk)_(?:test|live|prod)_[A-Za-z0-9]{10,99}"),  # stripe-access-token
    # chat and collaboration
    "slack token": re.compile(r"\bxox[abceprs]-[A-Za-z0-9-]{10,}"),  # slack-*-token
    "slack app token": re.compile(r"\bxapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+"),  # slack-app-token
    "slack webhook": re.compile(r"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{20,}"),
    "discord webhook": re.compile(r"discord(?:app)?\.com/api/webhooks/\d+/[A-Za-z0-9_-]{30,}"),
    "telegram bot token": re.compile(r"\b\d{8,10}:AA[A-Za-z0-9_-]{32,}"),  # telegram-bot-api-token
    # generic shapes
    "json web token": re.compile(r"\bey[A-Za-z0-9_-]{10,}\.ey[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),  # jwt
    "private key": re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),  # private-key
    "bearer token": re.compile(r"\b[Bb]earer\s+(?!<redacted>)(?P<secret>[A-Za-z0-9._~+/=-]{12,})"),
    "basic credentials": re.compile(r"\bBasic\s+(?!<redacted>)(?P<secret>[A-Za-z0-9+/]{8,}={0,2})"),
    # generic-api-key: a credential-named variable or field assigned a value; kept only when the value looks
    # random (CHECKED below), as gitleaks keeps it only above an entropy
    "credential assignment": re.compile(
        r"(?i:(?:secret|token|passw(?:or)?d|api[_-]?key|access[_-]?key|auth|credential|private[_-]?key)s?"
        r"[\w.-]{0,20})"
        + _SEP + "[:=]{1,2}" + _SEP + r"(?P<secret>[A-Za-z0-9+/_.~=-]{16,200})"),
    "url credentials": re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/:@<>\"']+:(?P<secret>[^\s/@<>\"']+)@"),
}


# A rule runs on a text only when one of its keywords (lowercase) is in it, as in gitleaks: most strings hold
# none, and a scan then costs a few substring searches instead of the whole table.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "openrouter key": ("sk-or-",), "anthropic key": ("sk-ant-",), "openai key": ("sk-",),
    "google api key": ("aiza",), "google oauth token": ("ya29.",), "groq key": ("gsk_",), "xai key": ("xai-",),
    "perplexity key": ("pplx-",), "cerebras key": ("csk-",), "hugging face token": ("hf_", "api_org_"),
    "fireworks key": ("fw_",), "replicate token": ("r8_",),
    "github token": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"), "gitlab token": ("glpat-",),
    "npm token": ("npm_",), "pypi token": ("pypi-",),
    "aws access key": ("a3t", "akia", "asia", "abia", "acca"), "aws secret access key": ("aws",),
    "azure key": ("azure", "subscription", "api-key", "api_key", "apikey", "accountkey"),
    "azure ad client secret": ("q~",), "stripe key": ("sk_", "rk_"),
    "slack token": ("xox",), "slack app token": ("xapp-",), "slack webhook": ("hooks.slack.com",),
    "discord webhook": ("discord",), "telegram bot token": (":aa",),
    "json web token": ("ey",), "private key": ("private key",), "bearer token": ("bearer",),
    "basic credentials": ("basic",),
    "credential assignment": ("secret", "token", "passw", "api", "access", "auth", "credential", "private"),
    "url credentials": ("://",),
}

# Placeholders that documentation and examples put where a password goes (gitleaks' stopwords, in spirit).
PLACEHOLDERS = frozenset({"password", "passwd", "pass", "secret", "changeme", "example", "username", "user",
                          "pwd", "token", "apikey", "api_key", "<redacted>"})


def _basic(value: str) -> bool:
    """Base64 of `user:password`, as Basic credentials are (not the word after "basic" in a sentence)."""
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return False
    return ":" in decoded and decoded.isprintable()


def _password(value: str) -> bool:
    return value.lower() not in PLACEHOLDERS and len(set(value)) > 2 and value[0] not in "$<{*%["


# Rules whose match counts only when its secret part passes a check: looks like a credential (long, random),
# decodes as Basic credentials, is not a placeholder.
CHECKED: dict[str, Callable[[str], bool]] = {
    "credential assignment": looks_like_credential,
    "bearer token": lambda v: any(c.isdigit() for c in v) and v.lower() not in PLACEHOLDERS,
    "basic credentials": _basic,
    "url credentials": _password,
}

