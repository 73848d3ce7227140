"""The `fission` command: local server, schema, loading, generation, influence, API keys, the
API, and the demo.

Every command reports a project error (fission.errors) as one line and an exit code from
`EXIT_CODES` (sysexits-style), never as a traceback.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

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

from fission.errors import (
    ConfigurationError,
    DatabaseUnavailable,
    FissionError,
    InvalidInput,
    NotFound,
    ServerError,
)
from fission.localserver import LocalNeo4j, assemble_lib
from fission.settings import ApiKeyEntry, Settings, get_settings

F = TypeVar("F", bound=Callable[..., Any])
# Exit codes by kind of error, after BSD's sysexits.h; any other FissionError exits 1.
EXIT_CODES: dict[type[FissionError], int] = {
    InvalidInput: 65,  # EX_DATAERR
    NotFound: 66,  # EX_NOINPUT
    DatabaseUnavailable: 69,  # EX_UNAVAILABLE
    ServerError: 71,  # EX_OSERR
    ConfigurationError: 78,  # EX_CONFIG
}
NOT_RUNNING = 3  # `server status` when the server is stopped (as LSB init scripts say)

app = typer.Typer(
    help="Fission: referral analytics for retail chains on Neo4j.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
server_app = typer.Typer(
    help="The project's own local Neo4j server (no Docker).", no_args_is_help=True
)
keys_app = typer.Typer(help="API keys (stored hashed).", no_args_is_help=True)
app.add_typer(server_app, name="server")
app.add_typer(keys_app, name="api-key")
console = Console()


class Preset(StrEnum):
    tiny = "tiny"
    small = "small"
    medium = "medium"
    large = "large"


class FileFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"


class Role(StrEnum):
    hq = "hq"
    store = "store"
    ingest = "ingest"


def exit_code(exc: FissionError) -> int:
    for kind in type(exc).__mro__:
        if kind in EXIT_CODES:
            return EXIT_CODES[kind]
    return 1


def reports_errors(command: F) -> F:
    """Turns a FissionError escaping `command` into one red line and its exit code."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except FissionError as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(code=exit_code(exc)) from exc

    return run  # type: ignore[return-value]


def _local(settings: Settings | None = None) -> LocalNeo4j:
    return LocalNeo4j.from_settings(settings or get_settings())


# ----------------------------------------------------------------------------- server


@server_app.command("install")
@reports_errors
def server_install() -> None:
    """Download Neo4j's jars from Maven Central (once; cached afterwards)."""
    server = _local()
    assemble_lib(server.lib_dir, console.print)
    console.print(f"Neo4j jars ready in {server.lib_dir}")


@server_app.command("start")
@reports_errors
def server_start(
    timeout: Annotated[float, typer.Option(help="Seconds to wait for Bolt.")] = 180.0,
) -> None:
    """Start the local server in the background (a no-op if it is running)."""
    status = _local().start(timeout=timeout, log=console.print)
    console.print(f"Neo4j {status.version} running (pid {status.pid}) at {status.bolt_uri}")


@server_app.command("stop")
@reports_errors
def server_stop() -> None:
    """Stop the local server cleanly."""
    stopped = _local().stop()
    console.print("Neo4j stopped." if stopped else "Neo4j was not running.")


@server_app.command("status")
@reports_errors
def server_status() -> None:
    """Say whether the local server runs, where, and which version (exit 3 when stopped)."""
    status = _local().status()
    if not status.running:
        console.print("not running")
        raise typer.Exit(code=NOT_RUNNING)
    console.print(f"running: pid {status.pid}, {status.bolt_uri}, Neo4j {status.version}")


@server_app.command("reset")
@reports_errors
def server_reset(
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False,
) -> None:
    """Stop the local server and delete its database (password and jars are kept)."""
    if not yes:
        typer.confirm("Delete every node of the local database?", abort=True)
    _local().reset()
    console.print("Local database deleted; `fission server start` makes a new one.")


@server_app.command("logs")
@reports_errors
def server_logs(lines: int = 40) -> None:
    """Print the end of the local server's logs."""
    console.print(_local().log_tail(lines))


# ----------------------------------------------------------------------------- graph


@app.command()
@reports_errors
def schema() -> None:
    """Create the graph's constraints and indexes (idempotent)."""
    from graph.gateway import Gateway
    from graph.schema import apply_schema

    with Gateway(get_settings()) as gateway:
        count = apply_schema(gateway)
    console.print(f"Schema in place ({count} constraints and indexes).")


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description:>12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rows"),
        TimeElapsedColumn(),
        console=console,
    )


def _load(settings: Settings, paths: list[Path], rejects: Path | None, derive: bool) -> Any:
    from graph.gateway import Gateway
    from loaders.pipeline import load_files

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    reject_path = rejects or settings.var_dir / "rejects" / f"rejects-{stamp}.csv"
    with Gateway(settings) as gateway, _progress() as progress:
        tasks: dict[str, TaskID] = {}

        def advance(kind: str, rows: int) -> None:
            if kind not in tasks:
                tasks[kind] = progress.add_task(kind, total=None)
            progress.advance(tasks[kind], rows)

        return load_files(gateway, paths, reject_path, progress=advance, derive=derive)


def _print_load_report(report: Any) -> None:
    columns = ("read", "accepted", "duplicates", "rejected", "held")
    table = Table("type", *columns, title="Load summary")
    for kind, s in report.stats.items():
        table.add_row(kind, *(f"{getattr(s, c):,}" for c in columns))
    table.add_row("all", *(f"{report.total(c):,}" for c in columns), style="bold")
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
    if report.total("held"):
        console.print(
            f"{report.total('held'):,} rows name something not loaded yet: held, and applied "
            "when it arrives (`fission held` lists them)."
        )
    if report.released:
        console.print(f"{report.released:,} events held before were applied.")
    if report.expired.expired:
        console.print(
            f"[yellow]{report.expired.expired:,} held events expired (older than "
            f"{get_settings().held_max_age_days:g} days):[/yellow] {report.expired.report}"
        )


def _refresh_influence(settings: Settings) -> None:
    from graph.gateway import Gateway
    from graph.influence import refresh_influence

    with Gateway(settings) as gateway:
        report = refresh_influence(gateway)
    console.print(f"Influence refreshed in {report.seconds:.1f}s.")


@app.command()
@reports_errors
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
    settings = get_settings()
    _print_load_report(_load(settings, paths, rejects, derive))
    if influence and derive:
        _refresh_influence(settings)


@app.command()
@reports_errors
def derive() -> None:
    """Recompute derived data for everyone a load marked as changed."""
    from graph.derive import derive_stale
    from graph.gateway import Gateway

    with Gateway(get_settings()) as gateway:
        report = derive_stale(gateway)
    console.print(f"Derived data recomputed for {report.people:,} people in {report.seconds:.1f}s")


@app.command()
@reports_errors
def held(
    expire: Annotated[
        bool, typer.Option(help="Expire held events older than FISSION_HELD_MAX_AGE_DAYS now.")
    ] = False,
) -> None:
    """Events held because they name something not known yet: how many, the oldest, by what
    they wait for; with --expire, move those past the configured age into a report."""
    from graph.gateway import Gateway
    from loaders import held as held_events

    settings = get_settings()
    with Gateway(settings) as gateway:
        if expire:
            expired = held_events.expire(gateway, settings.held_report_dir)
            if expired.expired:
                console.print(f"{expired.expired:,} held events expired into {expired.report}")
            else:
                console.print("No held event is past the configured age.")
        found = held_events.summary(gateway)
    table = Table("waiting for", "held", title="Held events")
    for reference, count in found.by_reference.items():
        table.add_row(reference, f"{count:,}")
    console.print(table)
    oldest = found.oldest.isoformat(timespec="seconds") if found.oldest else "-"
    console.print(
        f"{found.held:,} held; oldest received {oldest}; expired after "
        f"{settings.held_max_age_days:g} days into {settings.held_report_dir}"
    )


@app.command()
@reports_errors
def influence() -> None:
    """Recompute influence (PageRank) brand-wide and per store, and store it on people."""
    from graph.gateway import Gateway
    from graph.influence import refresh_influence

    with Gateway(get_settings()) as gateway:
        report = refresh_influence(gateway)
    console.print(report.model_dump_json(indent=2))


@app.command()
@reports_errors
def generate(
    preset: Annotated[Preset, typer.Option(help="Size of the brand.")] = Preset.small,
    seed: Annotated[int, typer.Option(help="Same seed, same files.")] = 7,
    out: Annotated[Path | None, typer.Option(help="Output folder.")] = None,
    fmt: Annotated[FileFormat, typer.Option("--format", help="File format.")] = FileFormat.csv,
    end: Annotated[
        str | None, typer.Option(help="Time of the last event (ISO date), or 'today'.")
    ] = None,
) -> None:
    """Generate a synthetic brand (stores, staff, members, content and events) as files."""
    from synthetic import generate as run_generator

    folder = out or get_settings().var_dir / "data" / preset.value
    summary = run_generator(
        preset.value,
        seed=seed,
        out=folder,
        fmt=fmt.value,
        end=_end_of(end),
        progress=console.print,
    )
    console.print_json(json.dumps(summary.to_dict(), default=str))
    console.print(f"Files in {folder}")


def _end_of(end: str | None) -> datetime | None:
    if end is None:
        return None
    if end == "today":
        return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        return datetime.fromisoformat(end).replace(tzinfo=UTC)
    except ValueError as exc:
        raise InvalidInput(f"--end must be an ISO date or 'today', not {end!r}") from exc


# ----------------------------------------------------------------------------- API


@app.command()
@reports_errors
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


def create_key(
    settings: Settings, name: str, role: Role, store: str | None, save_plain: Path | None = None
) -> str:
    """A new key: its hash is added to the keys file, the key itself is returned."""
    from api.auth import hash_key, new_key

    key = new_key()
    try:
        entry = ApiKeyEntry(name=name, role=role.value, store_id=store, sha256=hash_key(key))
    except ValueError as exc:
        raise InvalidInput(str(exc).splitlines()[-1].strip()) from exc
    path = settings.api_keys_path
    entries = json.loads(path.read_text()) if path.exists() else []
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([*entries, entry.model_dump()], indent=2))
    path.chmod(0o600)
    if save_plain:
        plain = json.loads(save_plain.read_text()) if save_plain.exists() else {}
        save_plain.write_text(json.dumps({**plain, name: key}, indent=2))
        save_plain.chmod(0o600)
    return key


@keys_app.command("create")
@reports_errors
def api_key_create(
    name: Annotated[str, typer.Option(help="Who uses it, e.g. 'S0001 clerk app'.")],
    role: Annotated[Role, typer.Option(help="What the key may see.")],
    store: Annotated[str | None, typer.Option(help="The store, for a store key.")] = None,
    save_plain: Annotated[
        Path | None, typer.Option(help="Also keep the key in this JSON file (local demo only).")
    ] = None,
) -> None:
    """Create a key: its hash goes to the keys file, the key itself is printed once."""
    key = create_key(get_settings(), name, role, store, save_plain)
    console.print(f"{role.value} key for {name!r} (shown once): [bold]{key}[/bold]")


# ----------------------------------------------------------------------------- demo


@app.command()
@reports_errors
def demo(
    preset: Annotated[Preset, typer.Option(help="Size of the demo brand.")] = Preset.small,
    serve_api: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the API at the end.")
    ] = True,
) -> None:
    """Start the local Neo4j, generate and load a demo brand (once), create demo keys, and
    serve the API, the HQ page and the store maps."""
    settings = get_settings()
    status = _local(settings).start(log=console.print)
    console.print(f"Neo4j {status.version} at {status.bolt_uri}")
    data = settings.var_dir / "data" / preset.value
    if not (data / "summary.json").exists():
        from synthetic import generate as run_generator

        run_generator(preset.value, 7, data, fmt="parquet", end=_end_of("today"))
    _print_load_report(_load(settings, [data], None, derive=True))
    _refresh_influence(settings)
    keys_file = settings.var_dir / "demo-keys.json"
    if not keys_file.exists():
        import pandas as pd

        store = str(pd.read_parquet(data / "stores.parquet")["store_id"].min())
        create_key(settings, "demo-hq", Role.hq, None, keys_file)
        create_key(settings, f"demo-{store}", Role.store, store, keys_file)
        create_key(settings, "demo-ingest", Role.ingest, None, keys_file)
    hq = json.loads(keys_file.read_text())["demo-hq"]
    base = f"http://{settings.api_host}:{settings.api_port}"
    console.print(
        f"\nDemo brand loaded. Neo4j: {status.bolt_uri} (user {settings.neo4j_user}, password "
        f"in {settings.local_password_file}).\n"
        f"  HQ page (all stores, links to maps):  {base}/?key={hq}\n"
        f"  API docs (OpenAPI):                   {base}/docs\n"
        f"  Demo keys (hq, one store, ingest):    {keys_file}\n"
        f'  Try: curl -H "X-API-Key: {hq}" {base}/stores?limit=3\n'
        "Stop the API with Ctrl-C; stop Neo4j with: make server-stop"
    )
    if serve_api:
        serve(host=None, port=None)
