"""`replaykit capture`: a recording proxy between your agent and a provider."""

from __future__ import annotations

import contextlib

import click


@click.command()
@click.option("--providers", "providers_file", required=True, type=click.Path(), help="Provider config (TOML).")
@click.option("--provider", "name", required=True, help="The provider (from the file) to forward to.")
@click.option("--out", required=True, type=click.Path(), help="The new run folder.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Listen address (keep it on loopback).")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="0: any free port.")
@click.option("--keep-model", is_flag=True, help="Send the agent's `model` instead of the provider file's.")
def capture(providers_file: str, name: str, out: str, host: str, port: int, keep_model: bool) -> None:
    """Record what your agent sends: point it at the proxy, use it as usual, stop with Ctrl-C. Every
    request is forwarded to the provider (key from the environment), streamed back as it arrives, and stored
    as a cassette of a normal run, with a replay scenario (`replaykit scenarios from-run`). docs/capture.md."""
    import uvicorn

    from replaykit.cli.options import shipped_or_given
    from replaykit.providers import load_providers
    from replaykit.recorder.engine import check_keys
    from replaykit.recorder.proxy import CaptureProxy, CaptureServer

    provider = load_providers(shipped_or_given(providers_file)).get(name)  # unknown names: one line naming the file
    check_keys([provider])
    proxy = CaptureProxy(provider, out, keep_model=keep_model)
    server = CaptureServer(proxy, host, port)
    config, sock = server.config()
    click.echo(f"capturing {provider.name} into {out}\n"
               f"  OpenAI SDKs:    OPENAI_BASE_URL={server.url}/v1  OPENAI_API_KEY=capture\n"
               f"  Anthropic SDKs: ANTHROPIC_BASE_URL={server.url}  ANTHROPIC_API_KEY=capture\n"
               "stop with Ctrl-C", err=True)
    # uvicorn re-raises Ctrl-C once it has shut down, and the run is saved by then
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[sock])
    click.echo(f"captured {proxy.requests} requests; run written to {out} "
               f"(turn them into scenarios: replaykit scenarios from-run {out} --out DIR)", err=True)
