"""The `fission` command line: local server, schema, loading, generation, demo."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal, cast

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from fission.errors import FissionError
from fission.localserver import LocalNeo4j
from fission.settings import get_settings

app = typer.Typer(
    help="Fission: referral analytics for retail chains on Neo4j.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
server_app = typer.Typer(
    help="The project's own local Neo4j server (no Docker).", no_args_is_help=True
)
app.add_typer(server_app, name="server")
console = Console()


def _local() -> LocalNeo4j:
    return LocalNeo4j.from_settings(get_settings())


def _fail(exc: FissionError) -> typer.Exit:
    console.print(f"[red]error:[/red] {exc}")
    return typer.Exit(code=1)


@server_app.command("install")
def server_install() -> None:
    """Download Neo4j's jars from Maven Central (once; cached afterwards)."""
    from fission.localserver import assemble_lib

    server = _local()
    try:
        assemble_lib(server.lib_dir, console.print)
    except FissionError as exc:
        raise _fail(exc) from exc
    console.print(f"Neo4j jars ready in {server.lib_dir}")


@server_app.command("start")
def server_start(
    timeout: Annotated[float, typer.Option(help="Seconds to wait for Bolt.")] = 180.0,
) -> None:
    """Start the local server in the background (a no-op if it is running)."""
    try:
        status = _local().start(timeout=timeout, log=console.print)
    except FissionError as exc:
        raise _fail(exc) from exc
    console.print(f"Neo4j {status.version} running (pid {status.pid}) at {status.bolt_uri}")


@server_app.command("stop")
def server_stop() -> None:
    """Stop the local server cleanly."""
    stopped = _local().stop()
    console.print("Neo4j stopped." if stopped else "Neo4j was not running.")


@server_app.command("status")
def server_status() -> None:
    """Say whether the local server runs, where, and which version."""
    status = _local().status()
    if status.running:
        console.print(f"running: pid {status.pid}, {status.bolt_uri}, Neo4j {status.version}")
    else:
        console.print("not running")
        raise typer.Exit(code=3)


@server_app.command("reset")
def server_reset(
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False,
) -> None:
    """Stop the local server and delete its database (password and jars are kept)."""
    if not yes:
        typer.confirm("Delete every node of the local database?", abort=True)
    _local().reset()
    console.print("Local database deleted; `fission server start` makes a new one.")


@server_app.command("logs")
def server_logs(lines: int = 40) -> None:
    """Print the end of the local server's logs."""
    console.print(_local().log_tail(lines))


@app.command()
def schema() -> None:
    """Create the graph's constraints and indexes (idempotent)."""
    from graph.gateway import Gateway
    from graph.schema import apply_schema

    with Gateway(get_settings()) as gateway:
        count = apply_schema(gateway)
    console.print(f"Schema in place ({count} constraints and indexes).")


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories to load.")],
    rejects: Annotated[
        Path | None, typer.Option(help="Where to write rejected rows (CSV).")
    ] = None,
    derive: Annotated[
        bool, typer.Option(help="Recompute derived data (referrers, homes, ties) afterwards.")
    ] = True,
    influence: Annotated[
        bool, typer.Option(help="Recompute influence scores afterwards (`fission influence`).")
    ] = True,
) -> None:
    """Load CSV / JSON Lines / Parquet files; the type comes from each file's name or columns."""
    from graph.gateway import Gateway
    from loaders.pipeline import load_files

    settings = get_settings()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    reject_path = rejects or settings.var_dir / "rejects" / f"rejects-{stamp}.csv"
    try:
        with Gateway(settings) as gateway, _progress() as progress:
            tasks: dict[str, TaskID] = {}

            def advance(kind: str, rows: int) -> None:
                if kind not in tasks:
                    tasks[kind] = progress.add_task(kind, total=None)
                progress.advance(tasks[kind], rows)

            report = load_files(gateway, paths, reject_path, progress=advance, derive=derive)
        _print_load_report(report)
        if influence and derive:
            from graph.influence import refresh_influence

            scores = refresh_influence(gateway)
            console.print(f"Influence refreshed in {scores.seconds:.1f}s.")
    except FissionError as exc:
        raise _fail(exc) from exc


@app.command()
def influence() -> None:
    """Recompute influence (PageRank) brand-wide and per store, and store it on people."""
    from graph.gateway import Gateway
    from graph.influence import refresh_influence

    with Gateway(get_settings()) as gateway:
        report = refresh_influence(gateway)
    console.print(report.model_dump_json(indent=2))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default: FISSION_API_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: FISSION_API_PORT.")] = None,
) -> None:
    """Serve the API, the HQ page and the store maps."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host or settings.api_host,
        port=port or settings.api_port,
    )


keys_app = typer.Typer(help="API keys (stored hashed).", no_args_is_help=True)
app.add_typer(keys_app, name="api-key")


@keys_app.command("create")
def api_key_create(
    name: Annotated[str, typer.Option(help="Who uses it, e.g. 'S0001 clerk app'.")],
    role: Annotated[str, typer.Option(help="hq, store or ingest.")],
    store: Annotated[str | None, typer.Option(help="The store, for a store key.")] = None,
    save_plain: Annotated[
        Path | None, typer.Option(help="Also keep the key in this JSON file (local demo only).")
    ] = None,
) -> None:
    """Create a key: its hash goes to the keys file, the key itself is printed once."""
    from api.auth import hash_key, new_key
    from fission.settings import ApiKeyEntry

    settings = get_settings()
    key = new_key()
    try:
        entry = ApiKeyEntry(name=name, role=role, store_id=store, sha256=hash_key(key))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    path = settings.api_keys_file or settings.var_dir / "api-keys.json"
    entries = json.loads(path.read_text()) if path.exists() else []
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([*entries, entry.model_dump()], indent=2))
    path.chmod(0o600)
    if save_plain:
        plain = json.loads(save_plain.read_text()) if save_plain.exists() else {}
        save_plain.write_text(json.dumps({**plain, name: key}, indent=2))
        save_plain.chmod(0o600)
    console.print(f"{role} key for {name!r} (shown once): [bold]{key}[/bold]")


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description:>12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rows"),
        TimeElapsedColumn(),
        console=console,
    )


def _print_load_report(report: object) -> None:
    from loaders.pipeline import LoadReport

    assert isinstance(report, LoadReport)
    table = Table("type", "read", "accepted", "duplicates", "rejected", title="Load summary")
    for kind, s in report.stats.items():
        table.add_row(kind, *(f"{v:,}" for v in (s.read, s.accepted, s.duplicates, s.rejected)))
    table.add_row(
        "all",
        *(f"{report.total(a):,}" for a in ("read", "accepted", "duplicates", "rejected")),
        style="bold",
    )
    console.print(table)
    derive_s = report.derive.seconds if report.derive else 0.0
    console.print(
        f"{report.total('read'):,} rows in {report.seconds:.1f}s "
        f"(load {report.load_seconds:.1f}s + derive {derive_s:.1f}s): "
        f"{report.rows_per_second:,.0f} rows/s"
    )
    if report.reject_file:
        console.print(
            f"[yellow]{report.total('rejected')} rejected rows, with reasons:[/yellow] "
            f"{report.reject_file}"
        )


@app.command()
def derive() -> None:
    """Recompute derived data for everyone a load marked as changed."""
    from graph.derive import derive_stale
    from graph.gateway import Gateway

    with Gateway(get_settings()) as gateway:
        report = derive_stale(gateway)
    console.print(f"Derived data recomputed for {report.people:,} people in {report.seconds:.1f}s")


@app.command()
def generate(
    preset: Annotated[str, typer.Option(help="tiny, small, medium or large.")] = "small",
    seed: Annotated[int, typer.Option(help="Same seed, same files.")] = 7,
    out: Annotated[Path | None, typer.Option(help="Output folder.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv, jsonl or parquet.")] = "csv",
    end: Annotated[
        str | None, typer.Option(help="Time of the last event (ISO date), or 'today'.")
    ] = None,
) -> None:
    """Generate a synthetic brand (stores, staff, members, content and events) as files."""
    from synthetic import generate as run_generator

    folder = out or get_settings().var_dir / "data" / preset
    end_at = None
    if end == "today":
        end_at = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    elif end:
        end_at = datetime.fromisoformat(end).replace(tzinfo=UTC)
    if fmt not in ("csv", "jsonl", "parquet"):
        raise typer.BadParameter("--format must be csv, jsonl or parquet")
    fmt_ = cast(Literal["csv", "jsonl", "parquet"], fmt)
    summary = run_generator(
        preset, seed=seed, out=folder, fmt=fmt_, end=end_at, progress=console.print
    )
    console.print_json(json.dumps(summary.to_dict(), default=str))
    console.print(f"Files in {folder}")
