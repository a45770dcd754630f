"""Cost of the secret scan and of the recorder's redaction, as ratios measured in one run.

Records a run from the simulator (streamed answers, the shipped fixture scenarios), then times:
- `verify` (hashes, structure, the scan over every string and over what readers show), per cassette:
  `verify_ms_per_file`;
- the scan alone over the run's text: `scan_mb_s`, MB of cassette text per second;
- `Redactor.body` with two known keys over a 1 MB stream body holding none of them (the common case) and one
  holding them in every form: `redact_clean_mb_s`, `redact_leaky_mb_s`.

Usage: python scripts/bench_scan.py [--repeat N]. Last line: `RESULT verify_ms_per_file=... scan_mb_s=...`.
"""

from __future__ import annotations

import argparse
import base64
import sys
import tempfile
import time
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from simkit import fixture_scenarios, profiles, providers_for  # noqa: E402

from replaykit import RecordOptions, record  # noqa: E402
from replaykit.recorder.redact import Redactor  # noqa: E402
from replaykit.share.secrets import find_secrets  # noqa: E402
from replaykit.share.verify import verify_run  # noqa: E402
from replaykit.sim import SimServer  # noqa: E402


def best(fn: object, times: int = 3) -> float:
    out = []
    for _ in range(times):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append(time.perf_counter() - start)
    return min(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    scenarios = fixture_scenarios()
    with tempfile.TemporaryDirectory() as tmp, \
            SimServer(profiles=profiles(p={}), scenarios=scenarios, time_scale=0) as sim:
        run = Path(tmp) / "run"
        record(list(scenarios), providers_for(sim.base_url, "p"), run,
               options=RecordOptions(repeat=args.repeat, backoff_base=0.0))
        files = sorted((run / "cassettes").rglob("*.json"))
        texts = [f.read_text() for f in files]
        size_mb = sum(len(t) for t in texts) / 1e6
        parse_s = best(lambda: [orjson.loads(f.read_bytes()) for f in files])
        verify_s = best(lambda: verify_run(run), 1)
        scan_s = best(lambda: [find_secrets(t) for t in texts])
    key, other = "sk-or-v1-" + "0123456789abcdef" * 4, "tok-" + "Zq1Wx2Ec3Rv4" * 2
    redactor = Redactor([key, other])
    event = 'data: {"choices":[{"index":0,"delta":{"content":"some generated text, a few words"}}]}\n\n'
    clean = event * (1_000_000 // len(event))
    leaky = clean + key + "".join(f"\\u{ord(c):04x}" for c in key) + base64.b64encode(key.encode()).decode()
    clean_s = best(lambda: redactor.body(clean))
    leaky_s = best(lambda: redactor.body(leaky))
    assert key not in redactor.body(leaky)
    print(f"files={len(files)} text_mb={size_mb:.2f} parse_s={parse_s:.3f} verify_s={verify_s:.3f} "
          f"scan_s={scan_s:.3f} redact_clean_s={clean_s:.3f} redact_leaky_s={leaky_s:.3f}")
    print(f"RESULT verify_ms_per_file={verify_s * 1000 / len(files):.1f} scan_mb_s={size_mb / scan_s:.2f} "
          f"redact_clean_mb_s={len(clean) / 1e6 / clean_s:.1f} redact_leaky_mb_s={len(leaky) / 1e6 / leaky_s:.1f}")


if __name__ == "__main__":
    main()
