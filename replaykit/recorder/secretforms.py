"""Every form a known secret may come back in, as one regular expression per secret.

A server echoing a key rarely echoes it verbatim: it percent-encodes it in a URL, escapes it as JSON `\\u`
sequences, puts it in Basic credentials (base64 of `user:key`, so at any byte alignment), or slips an
invisible character into it. The pattern built here matches the key written any of those ways, each
character on its own, so a half-escaped copy is caught too. Splitting across stream events is handled by the
caller (recorder/streamsecrets.py), which joins the events' strings before matching.
"""

from __future__ import annotations

import base64
import math
import re
from collections import Counter
from collections.abc import Iterable

PLACEHOLDER = "<redacted>"
# Characters a reader does not see: zero-width space, non-joiner, joiner, word joiner, BOM, soft hyphen.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_GAP = f"[{INVISIBLE}]*"
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
MIN_BASE64_CORE = 8  # shorter base64 fragments would match by chance


def _hex(value: int, width: int) -> str:
    """`value` in hex as a pattern that accepts either letter case."""
    digits = f"{value:0{width}x}"
    return "".join(f"[{d}{d.upper()}]" if d.isalpha() else d for d in digits)


def _char(c: str) -> str:
    """One character: itself, percent-encoded (UTF-8 bytes), or a JSON `\\u` escape (any depth of escaping)."""
    forms = [re.escape(c)]
    forms.append("".join("%" + _hex(b, 2) for b in c.encode()))
    if ord(c) <= 0xFFFF:
        forms.append(r"\\+u" + _hex(ord(c), 4))
    if c == " ":
        forms.append(r"\+")
    return "(?:" + "|".join(forms) + ")"


def base64_cores(secret: bytes) -> set[str]:
    """The base64 characters that depend only on `secret`, for each of the three byte alignments it can
    have inside a longer encoded value, in the standard and the URL-safe alphabets."""
    cores = set()
    for align in range(3):
        encoded = base64.b64encode(b"\0" * align + secret).decode().rstrip("=")
        head = (0, 2, 3)[align]  # characters carrying bits of the padding bytes in front
        tail = 1 if (align + len(secret)) % 3 else 0  # a last character mixing in the bytes that follow
        core = encoded[head:len(encoded) - tail]
        if len(core) >= MIN_BASE64_CORE:
            cores.add(core)
            cores.add(core.translate(str.maketrans("+/", "-_")))
    return cores


def secret_pattern(secrets: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern matching any of `secrets` in any of the forms above; None when there are none."""
    alternatives = []
    for secret in sorted(set(secrets), key=len, reverse=True):
        alternatives.append(_GAP.join(_char(c) for c in secret))
        alternatives += sorted((re.escape(core) for core in base64_cores(secret.encode())), key=len, reverse=True)
    if not alternatives:
        return None
    return re.compile("|".join(alternatives))


def may_be_encoded(text: str) -> bool:
    """Can `text` hold a secret in a form other than verbatim and base64? (A cheap test before the slow pattern.)"""
    return "%" in text or "\\u" in text or any(c in text for c in INVISIBLE)


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values()) if text else 0.0


def looks_like_credential(value: str) -> bool:
    """A long token of letters and digits mixed at random, as keys are (and words, names and ids are not)."""
    value = value.strip()
    if _ENV_NAME.match(value):  # `api_key_env = "MY_PROVIDER_KEY_2"`: the name of a variable, not its value
        return False
    return (len(value) >= 16 and not any(c.isspace() for c in value) and any(c.isdigit() for c in value)
            and any(c.isalpha() for c in value) and entropy(value) >= 3.5)
