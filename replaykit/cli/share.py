"""`replaykit redact | pack | unpack | merge`: publishing runs and combining other people's."""

from __future__ import annotations

import os

import click

from replaykit.errors import BadInputError, printable


@click.command()
@click.argument("run", type=click.Path())
@click.option("--secret-env", "secret_env", multiple=True, metavar="VAR",
              help="Also replace the value of this environment variable wherever it appears (repeatable).")
def redact(run: str, secret_env: tuple[str, ...]) -> None:
    """Scrub a run in place: secret headers, key-like query parameters, provider key formats, bearer tokens.
    Safe to repeat: a second pass changes nothing."""
    from replaykit.share.redact import redact_run

    missing = [name for name in secret_env if not os.environ.get(name)]
    if missing:
        raise BadInputError(f"--secret-env: {', '.join(missing)} not set")
    report = redact_run(run, secrets=[os.environ[name] for name in secret_env])
    for change in report.changes:
        click.echo(f"redacted: {change}")
    if report.changes:
        click.echo(f"redact {report.run}: {len(report.changes)} fields in {len(report.rewritten)} files rewritten")
    else:
        click.echo(f"redact {report.run}: nothing to redact")


@click.command()
@click.argument("run", type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(), help="The .tar.gz to write.")
@click.option("--no-verify", is_flag=True, help="Pack even if hashes or structure do not verify (not for publishing); "
              "the secret scan still runs.")
def pack(run: str, output: str, no_verify: bool) -> None:
    """Pack a verified run into one deterministic .tar.gz with a manifest of every file's sha256."""
    from replaykit.share.pack import pack_run

    report = pack_run(run, output, check=not no_verify)
    for rel in report.left_out:
        click.echo(f"left out (not a run file): {printable(rel)}")
    click.echo(f"packed {report.members} files into {report.path} ({report.size} bytes)")
    digest = report.sha256.removeprefix("sha256:")
    if no_verify:  # never encourage publishing what was not checked (a planted key would go out with it)
        click.echo(f"sha256 of the pack: {digest}")
        click.echo(f"not verified (--no-verify): don't publish this pack; check the run with `replaykit verify {run}` "
                   "and pack it again without --no-verify", err=True)
    else:
        click.echo(f"sha256 of the pack: {digest}  (publish it with the pack)")


@click.command()
@click.argument("pack_file", metavar="FILE", type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(), help="Folder to create (absent or empty).")
def unpack(pack_file: str, output: str) -> None:
    """Unpack a run safely: only the run's own files, within size limits, checked against the manifest."""
    from replaykit.share.pack import unpack as unpack_run

    report = unpack_run(pack_file, output)
    click.echo(f"unpacked {report.members} files ({report.size} bytes) of run {printable(report.run_id)} into "
               f"{report.path}; check it with `replaykit verify {report.path}`")


@click.command()
@click.argument("runs", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(), help="The merged run folder (absent or empty).")
@click.option("--run-id", help="Id of the merged run (default: the folder's name).")
@click.option("-v", "--verbose", is_flag=True, help="List every duplicate dropped and repetition renumbered.")
def merge(runs: tuple[str, ...], output: str, run_id: str | None, verbose: bool) -> None:
    """Merge runs from several contributors: identical samples kept once, each with its provenance."""
    from replaykit.share.merge import merge_runs

    report = merge_runs(list(runs), output, run_id=run_id)
    for line in report.warnings:
        click.echo(f"warning: {printable(line)}", err=True)
    if verbose:  # one line per file: thousands on a big merge, so only when asked
        for line in report.duplicates:
            click.echo(f"duplicate: {printable(line)}")
        for line in report.renumbered:
            click.echo(f"renumbered: {printable(line)}")
    hint = " (-v lists them)" if (report.duplicates or report.renumbered) and not verbose else ""
    click.echo(f"merged {len(runs)} runs into {report.path}: {report.kept} samples, "
               f"{len(report.duplicates)} duplicates dropped, {len(report.renumbered)} repetitions renumbered{hint}")
