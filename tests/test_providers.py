"""Provider TOML files: defaults merged, every mistake named by file and field, keys never shown."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from replaykit.cli import main
from replaykit.errors import ProviderConfigError
from replaykit.providers import Price, load_providers

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "replaykit" / "data" / "providers"

GOOD = """\
[defaults]
base_url = "https://openrouter.ai/api/v1"
api_key_env = "RK_TEST_OPENROUTER_KEY"
model = "qwen/qwen3-coder"
temperature = 0.0
stream = true
mode = "native"
usage_accounting = true

[providers.deepinfra-fp8]
routing = { only = ["deepinfra"], quantizations = ["fp8"], allow_fallbacks = false }
quantization = "fp8"
price = { input_per_mtok = 0.30, output_per_mtok = 1.20 }
data_policy = "no training; 30-day retention"
max_concurrency = 8

[providers.deepinfra-prompt]
routing = { only = ["deepinfra"], allow_fallbacks = false }
mode = "prompt"
temperature = 0.7

[providers.direct]
base_url = "http://127.0.0.1:8080/v1"
model = "Qwen/Qwen3-Coder-480B-A35B-Instruct"
api_key_env = "RK_TEST_DIRECT_KEY"
stream = false
headers = { "HTTP-Referer" = "https://example.org/replaykit" }
extra_body = { top_k = 20 }
timeout = 30
max_tokens = 2048
"""

CANARY = "sk-or-v1-canary0123456789abcdef0123456789abcdef"


def write(tmp_path: Path, text: str, name: str = "providers.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str) -> tuple[Path, ProviderConfigError]:
    path = write(tmp_path, text)
    with pytest.raises(ProviderConfigError) as info:
        load_providers(path)
    assert "\n" not in str(info.value)
    return path, info.value


MINIMAL_DEFAULTS = 'base_url = "https://x.test/v1"\nmodel = "m"\n'


def provider(table: str, name: str = "p", defaults: str = MINIMAL_DEFAULTS) -> str:
    return f"[defaults]\n{defaults}\n[providers.{name}]\n{table}\n"


def assert_field(err: ProviderConfigError, path: Path, field: str, words: str) -> None:
    assert str(err).startswith(f"{path}: {field}: "), str(err)
    assert err.field == field and err.source == str(path)
    assert words in err.message, err.message


# --- loading ---------------------------------------------------------------------------------------------


def test_defaults_are_merged_under_every_provider(tmp_path):
    providers = load_providers(write(tmp_path, GOOD))
    assert providers.names() == ["deepinfra-fp8", "deepinfra-prompt", "direct"]
    fp8 = providers.get("deepinfra-fp8")
    assert fp8.base_url == "https://openrouter.ai/api/v1"
    assert fp8.chat_url == "https://openrouter.ai/api/v1/chat/completions"
    assert fp8.model == "qwen/qwen3-coder"
    assert fp8.api_key_env == "RK_TEST_OPENROUTER_KEY"
    assert fp8.temperature == 0.0 and fp8.stream is True and fp8.mode == "native"
    assert fp8.usage_accounting is True
    assert fp8.routing == {"only": ["deepinfra"], "quantizations": ["fp8"], "allow_fallbacks": False}
    assert fp8.quantization == "fp8"
    assert fp8.price == Price(0.30, 1.20)
    assert fp8.price.cost(1_000_000, 500_000) == pytest.approx(0.90)
    assert fp8.data_policy == "no training; 30-day retention"
    assert fp8.max_concurrency == 8
    assert fp8.source == str(tmp_path / "providers.toml")


def test_a_provider_overrides_its_defaults(tmp_path):
    providers = load_providers(write(tmp_path, GOOD))
    prompt = providers.get("deepinfra-prompt")
    assert prompt.mode == "prompt" and prompt.temperature == 0.7
    assert prompt.model == "qwen/qwen3-coder" and prompt.price is None and prompt.max_concurrency == 4
    direct = providers.get("direct")
    assert direct.base_url == "http://127.0.0.1:8080/v1"
    assert direct.model == "Qwen/Qwen3-Coder-480B-A35B-Instruct"
    assert direct.api_key_env == "RK_TEST_DIRECT_KEY"
    assert direct.stream is False and direct.timeout == 30 and direct.max_tokens == 2048
    assert direct.usage_accounting is True  # still from [defaults]
    assert direct.headers == {"HTTP-Referer": "https://example.org/replaykit"}
    assert direct.extra_body == {"top_k": 20}


def test_providers_without_defaults(tmp_path):
    text = '[providers.local]\nbase_url = "http://localhost:9000/v1"\nmodel = "m"\n'
    (local,) = load_providers(write(tmp_path, text))
    assert local.api_key_env is None and local.key_status() == "no key needed"
    assert local.mode == "native" and local.routing is None


def test_select_keeps_the_order_asked(tmp_path):
    providers = load_providers(write(tmp_path, GOOD))
    assert providers.select(["direct", "deepinfra-fp8"]).names() == ["direct", "deepinfra-fp8"]
    assert providers.select(None).names() == providers.names()
    assert providers.select([]).names() == providers.names()


def test_select_an_unknown_name(tmp_path):
    path = write(tmp_path, GOOD)
    with pytest.raises(ProviderConfigError) as info:
        load_providers(path).select(["deepinfra-fp8", "cerebras"])
    assert str(info.value).startswith(f"{path}: unknown provider 'cerebras'")
    assert "deepinfra-fp8, deepinfra-prompt, direct" in str(info.value)


def test_sanitized_config_has_no_source_and_no_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("RK_TEST_OPENROUTER_KEY", CANARY)
    fp8 = load_providers(write(tmp_path, GOOD)).get("deepinfra-fp8")
    data = fp8.sanitized()
    assert "source" not in data
    assert data["api_key_env"] == "RK_TEST_OPENROUTER_KEY"
    assert data["price"] == {"input_per_mtok": 0.30, "output_per_mtok": 1.20}
    assert CANARY not in orjson.dumps(data).decode()
    assert fp8.api_key() == CANARY


# --- every mistake, with file and providers.NAME.field ---------------------------------------------------


@pytest.mark.parametrize(("table", "field", "words"), [
    ('modle = "x"', "providers.p.modle", "unknown key"),
    ('api_key = "sk-123"', "providers.p.api_key", "unknown key"),
    ('temperature = "0"', "providers.p.temperature", "must be a number, got str"),
    ("temperature = true", "providers.p.temperature", "must be a number, got bool"),
    ('stream = "yes"', "providers.p.stream", "must be a boolean (true or false), got str"),
    ("stream = 1", "providers.p.stream", "must be a boolean (true or false), got int"),
    ("max_concurrency = 2.5", "providers.p.max_concurrency", "must be an integer, got float"),
    ("max_concurrency = true", "providers.p.max_concurrency", "must be an integer, got bool"),
    ("routing = \"deepinfra\"", "providers.p.routing", "must be a table, got str"),
    ("price = 0.3", "providers.p.price", "must be a table, got float"),
    ("headers = []", "providers.p.headers", "must be a table, got list"),
    ('mode = "fast"', "providers.p.mode", "native or prompt"),
    ("max_concurrency = 0", "providers.p.max_concurrency", "positive"),
    ("timeout = -1.5", "providers.p.timeout", "positive"),
    ("max_tokens = 0", "providers.p.max_tokens", "positive"),
    ('routing = { onyl = ["deepinfra"] }', "providers.p.routing.onyl", "unknown OpenRouter routing key"),
    ('routing = { only = "deepinfra" }', "providers.p.routing.only", "must be a list"),
    ('routing = { allow_fallbacks = "no" }', "providers.p.routing.allow_fallbacks", "must be a boolean"),
    ("routing = { only = [1, 2] }", "providers.p.routing.only", "list of strings"),
    ("routing = { quantizations = [8] }", "providers.p.routing.quantizations", "list of strings"),
    ('routing = { order = ["a", true] }', "providers.p.routing.order", "list of strings"),
    ('routing = { sort = 1 }', "providers.p.routing.sort", "must be a string"),
    ('routing = { data_collection = "maybe" }', "providers.p.routing.data_collection", "allow or deny"),
    ('routing = { sort = "cheapest" }', "providers.p.routing.sort", "price, throughput or latency"),
    ("price = { input_per_mtok = -0.1, output_per_mtok = 1 }", "providers.p.price.input_per_mtok",
     "non-negative"),
    ("price = { input_per_mtok = 0.1 }", "providers.p.price.output_per_mtok", "non-negative number"),
    ('price = { input_per_mtok = 0.1, output_per_mtok = "1" }', "providers.p.price.output_per_mtok",
     "non-negative"),
    ("price = { input_per_mtok = 0.1, output_per_mtok = 1, cached_per_mtok = 0.01 }",
     "providers.p.price.cached_per_mtok", "unknown key"),
    ('headers = { Authorization = "Bearer sk-123" }', "providers.p.headers.Authorization", "secrets"),
    ('headers = { "x-api-key" = "abc" }', "providers.p.headers.x-api-key", "api_key_env"),
    ('headers = { "X-Title" = 3 }', "providers.p.headers.X-Title", "must be strings"),
    ('api_key_env = "sk-or-v1-abcdef"', "providers.p.api_key_env", "environment variable NAME"),
    ('api_key_env = "$OPENROUTER_API_KEY"', "providers.p.api_key_env", "environment variable NAME"),
    ('api_key_env = "1KEY"', "providers.p.api_key_env", "environment variable NAME"),
    ('base_url = "ftp://x.test/v1"', "providers.p.base_url", "http(s) URL"),
    ('base_url = "openrouter.ai/api/v1"', "providers.p.base_url", "http(s) URL"),
])
def test_a_mistake_names_file_and_field(tmp_path, table, field, words):
    path, err = refused(tmp_path, provider(table))
    assert_field(err, path, field, words)


@pytest.mark.parametrize("missing", ["base_url", "model"])
def test_missing_base_url_or_model(tmp_path, missing):
    defaults = "\n".join(line for line in MINIMAL_DEFAULTS.splitlines() if not line.startswith(missing))
    path, err = refused(tmp_path, provider("max_concurrency = 2", defaults=defaults))
    assert_field(err, path, f"providers.p.{missing}", "missing")


def test_a_mistake_in_the_second_provider_names_it(tmp_path):
    text = provider("max_concurrency = 2", name="first") + '[providers.second]\nmode = "chat"\n'
    path, err = refused(tmp_path, text)
    assert_field(err, path, "providers.second.mode", "native or prompt")


def test_a_mistake_in_defaults_names_defaults(tmp_path):
    path, err = refused(tmp_path, provider("", defaults='base_url = "https://x.test/v1"\nmodle = "m"\n'))
    assert_field(err, path, "defaults.modle", "unknown key")


def test_a_bad_value_set_in_defaults_names_defaults_and_the_provider(tmp_path):
    path, err = refused(tmp_path, provider("max_concurrency = 2", name="a",
                                           defaults=MINIMAL_DEFAULTS + '\nmode = "nativ"\n'))
    assert_field(err, path, "defaults.mode (for providers.a)", "native or prompt")
    path, err = refused(tmp_path, provider('mode = "nativ"', name="a", defaults=MINIMAL_DEFAULTS))
    assert_field(err, path, "providers.a.mode", "native or prompt")


def test_bad_provider_name(tmp_path):
    path, err = refused(tmp_path, provider("", name='"deep infra"'))
    assert_field(err, path, "providers.deep infra", "[A-Za-z0-9_.-]+")


def test_unknown_table(tmp_path):
    path, err = refused(tmp_path, provider("") + "[provider.typo]\nmodel = 'x'\n")
    assert_field(err, path, "provider", "unknown table")


def test_no_providers(tmp_path):
    path, err = refused(tmp_path, '[defaults]\nmodel = "m"\n')
    assert str(err) == f"{path}: no providers: add at least one [providers.NAME] table"


def test_invalid_toml(tmp_path):
    path, err = refused(tmp_path, '[providers.p]\nmodel = "unterminated\n')
    assert str(err).startswith(f"{path}: invalid TOML: ")
    assert "line 2" in str(err)


def test_missing_file(tmp_path):
    path = tmp_path / "absent.toml"
    with pytest.raises(ProviderConfigError) as info:
        load_providers(path)
    assert str(info.value) == f"{path}: cannot read: No such file or directory"


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'[providers.p]\nmodel = "caf\xe9"\n')
    with pytest.raises(ProviderConfigError, match="invalid TOML"):
        load_providers(path)


# --- the command line ------------------------------------------------------------------------------------


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "replaykit", *args], capture_output=True, text=True,
                          timeout=60, env={**os.environ, **(env or {})})


def test_cli_list_shows_the_key_variable_and_whether_it_is_set(tmp_path, monkeypatch):
    path = write(tmp_path, GOOD)
    monkeypatch.setenv("RK_TEST_OPENROUTER_KEY", CANARY)
    monkeypatch.delenv("RK_TEST_DIRECT_KEY", raising=False)
    result = CliRunner().invoke(main, ["providers", "list", str(path)])
    assert result.exit_code == 0, result.output
    header, *rows = [line.rstrip() for line in result.stdout.splitlines()]
    assert header.split() == ["provider", "model", "routing", "precision", "$/Mtok", "in/out", "mode", "key"]
    lines = [row for row in rows if not row.startswith(" ")]  # not a long cell's wrapped continuation
    assert [line.split()[0] for line in lines] == ["deepinfra-fp8", "deepinfra-prompt", "direct"]
    assert lines[0].endswith("$RK_TEST_OPENROUTER_KEY (set)")
    assert lines[2].endswith("$RK_TEST_DIRECT_KEY (not set)")
    assert "fp8" in lines[0] and "$0.3/$1.2" in lines[0] and "deepinfra" in lines[0]
    assert "prompt" in lines[1]
    assert CANARY not in result.output


def test_cli_list_keeps_its_columns_with_a_long_model_name(tmp_path):
    long_model = "some-lab/" + "a-very-long-model-name-" * 4
    path = write(tmp_path, GOOD.replace('model = "qwen/qwen3-coder"', f'model = "{long_model}"', 1))
    result = CliRunner().invoke(main, ["providers", "list", str(path)])
    assert result.exit_code == 0, result.output
    header, *lines = result.stdout.splitlines()
    column = header.index(" mode ") + 1  # every row's mode sits under the header, however long the model
    rows = [line for line in lines if line[:1] != " "]
    assert len(rows) == 3 and all(row[column:].split()[0] in ("native", "prompt") for row in rows), result.stdout


def test_cli_show_never_prints_the_key(tmp_path):
    path = write(tmp_path, GOOD)
    proc = run_cli("providers", "show", str(path), env={"RK_TEST_OPENROUTER_KEY": CANARY,
                                                          "RK_TEST_DIRECT_KEY": CANARY[::-1]})
    assert proc.returncode == 0, proc.stderr
    assert CANARY not in proc.stdout + proc.stderr
    assert CANARY[::-1] not in proc.stdout + proc.stderr
    data = orjson.loads(proc.stdout)
    assert list(data) == ["deepinfra-fp8", "deepinfra-prompt", "direct"]
    assert data["deepinfra-fp8"]["api_key"] == "$RK_TEST_OPENROUTER_KEY (set)"
    assert data["direct"]["api_key"] == "$RK_TEST_DIRECT_KEY (set)"
    assert data["deepinfra-fp8"]["routing"]["only"] == ["deepinfra"]


def test_cli_show_selected_names(tmp_path, monkeypatch):
    monkeypatch.delenv("RK_TEST_DIRECT_KEY", raising=False)
    result = CliRunner().invoke(main, ["providers", "show", str(write(tmp_path, GOOD)), "direct"])
    assert result.exit_code == 0, result.output
    data = orjson.loads(result.stdout)
    assert list(data) == ["direct"]
    assert data["direct"]["api_key"] == "$RK_TEST_DIRECT_KEY (not set)"


@pytest.mark.parametrize(("text", "words"), [
    (provider('mode = "fast"'), "providers.p.mode: must be native or prompt"),
    (provider('prompt_format = "llama"'), "providers.p.prompt_format: must be one of deepseek, glm, gpt-oss"),
    (provider('headers = { Authorization = "Bearer sk-123" }'), "providers.p.headers.Authorization:"),
    ("[providers.p\n", "invalid TOML"),
])
def test_cli_bad_file_exits_2_with_one_line(tmp_path, text, words):
    path = write(tmp_path, text)
    proc = run_cli("providers", "list", str(path))  # a real process: no traceback reaches the user
    result = CliRunner().invoke(main, ["providers", "show", str(path)])
    for code, stdout, stderr in ((proc.returncode, proc.stdout, proc.stderr),
                                 (result.exit_code, result.stdout, result.stderr)):
        assert code == 2
        assert stdout == ""
        lines = stderr.splitlines()
        assert len(lines) == 1 and "Traceback" not in stderr
        assert lines[0].startswith(f"error: {path}: ") and words in lines[0]
        assert "sk-123" not in lines[0]


def test_cli_missing_file_and_unknown_name_exit_2(tmp_path):
    proc = run_cli("providers", "list", str(tmp_path / "nope.toml"))
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1
    result = CliRunner().invoke(main, ["providers", "show", str(write(tmp_path, GOOD)), "nobody"])
    assert result.exit_code == 2
    assert "unknown provider 'nobody'" in result.stderr


# --- the shipped provider files --------------------------------------------------------------------------

KEY_LIKE = [
    re.compile(r"\bsk-[A-Za-z0-9_-]{8,}"),  # OpenAI / OpenRouter / DashScope style
    re.compile(r"\b(?:gsk|fw|csk|tgp|xai|nvapi|cpk)[-_][A-Za-z0-9_-]{8,}"),
    re.compile(r"\bBearer\s+\S"),
    re.compile(r"[A-Za-z0-9]{32,}"),  # a long unbroken token (hex, base62); model ids have dashes
]


def shipped_files() -> list[Path]:
    return sorted(SHIPPED.glob("*.toml"))


def test_shipped_qwen3_coder_files_load(monkeypatch):
    openrouter = load_providers(SHIPPED / "openrouter-qwen3-coder.toml")
    assert len(openrouter) >= 10
    for p in openrouter:
        assert p.base_url == "https://openrouter.ai/api/v1"
        assert p.model == "qwen/qwen3-coder"
        assert p.api_key_env == "OPENROUTER_API_KEY"
        assert p.temperature == 0.0 and p.stream is True and p.usage_accounting is True
        assert p.routing is not None, p.name
        assert len(p.routing["only"]) == 1 and p.routing["allow_fallbacks"] is False, p.name
        assert p.max_concurrency >= 1
        if p.quantization and "quantizations" in p.routing:
            assert p.routing["quantizations"] == [p.quantization], p.name
    assert openrouter.get("deepinfra-prompt").mode == "prompt"
    assert {p.mode for p in openrouter if p.name != "deepinfra-prompt"} == {"native"}
    slugs = {p.routing["only"][0] for p in openrouter}
    assert {"deepinfra", "cerebras", "fireworks", "alibaba", "atlas-cloud", "chutes"} <= slugs

    direct = load_providers(SHIPPED / "direct-qwen3-coder.toml")
    assert len(direct) >= 4
    env_by_host: dict[str, set[str | None]] = {}
    for p in direct:
        assert p.base_url.startswith("https://") and "openrouter.ai" not in p.base_url
        assert p.routing is None, "routing is OpenRouter's; a direct endpoint ignores it"
        assert p.model != "qwen/qwen3-coder", "each provider names the model its own way"
        env_by_host.setdefault(p.base_url.split("/")[2], set()).add(p.api_key_env)
    envs = [env for found in env_by_host.values() for env in found]
    assert all(envs) and all(len(found) == 1 for found in env_by_host.values())
    assert len(set(envs)) == len(env_by_host), "each provider has its own key variable"


@pytest.mark.parametrize("path", shipped_files(), ids=lambda p: p.name)
def test_no_shipped_provider_file_holds_a_key(path):
    text = path.read_text(encoding="utf-8")
    for pattern in KEY_LIKE:
        match = pattern.search(text)
        assert match is None, f"{path.name}: key-like value {match.group(0)[:12]}..."
    data = tomllib.loads(text)
    tables = [data.get("defaults", {}), *data.get("providers", {}).values()]
    for table in tables:
        env = table.get("api_key_env")
        assert env is None or re.fullmatch(r"[A-Z][A-Z0-9_]*", env), env
        for header in table.get("headers", {}):
            assert header.lower() not in {"authorization", "x-api-key", "api-key", "cookie"}


def test_the_key_scan_catches_keys():
    samples = [f"api = \"{CANARY}\"", "h = 'Bearer abc'", "k = \"" + "ab12" * 10 + "\""]
    for sample in samples:
        assert any(p.search(sample) for p in KEY_LIKE), sample
    clean = ('model = "accounts/fireworks/models/qwen3-coder-480b-a35b-instruct"\n'
             'base_url = "https://api.deepinfra.com/v1/openai"  # risk-free, see /api/v1/models/x/endpoints')
    assert not any(p.search(clean) for p in KEY_LIKE)
