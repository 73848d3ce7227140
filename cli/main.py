"""The `fission` command: local server, schema, loading, generation, influence, the
precomputed customer value, API keys, the API, and the demo.

Every command reports a project error (fission.errors) as one line and an exit code from
`EXIT_CODES` (sysexits-style), never as a traceback.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
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
    FeatureUnavailable,
    FissionError,
    InvalidInput,
    NotFound,
    RenderingFailed,
    ServerError,
)
from fission.localserver import LocalNeo4j, assemble_lib, assemble_plugins
from fission.settings import ApiKeyEntry, Settings, get_settings

if TYPE_CHECKING:
    from loaders.pipeline import LoadReport
    from loaders.runs import TimeWindow
    from loaders.status import OperationsStatus

F = TypeVar("F", bound=Callable[..., Any])
# Exit codes by kind of error, after BSD's sysexits.h; any other FissionError exits 1.
EXIT_CODES: dict[type[FissionError], int] = {
    InvalidInput: 65,  # EX_DATAERR
    NotFound: 66,  # EX_NOINPUT
    DatabaseUnavailable: 69,  # EX_UNAVAILABLE
    FeatureUnavailable: 69,  # EX_UNAVAILABLE
    RenderingFailed: 70,  # EX_SOFTWARE
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


class Language(StrEnum):
    zh = "zh"
    en = "en"


class Role(StrEnum):
    hq = "hq"
    store = "store"
    staff = "staff"
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
            console.print(f"[red]error:[/red] {exc}", soft_wrap=True)
            raise typer.Exit(code=exit_code(exc)) from exc

    return run  # type: ignore[return-value]


def _local(settings: Settings | None = None) -> LocalNeo4j:
    return LocalNeo4j.from_settings(settings or get_settings())


# ----------------------------------------------------------------------------- server


@server_app.command("install")
@reports_errors
def server_install() -> None:
    """Download Neo4j's jars, and the GDS and APOC plugins, from Maven Central (once; cached
    afterwards; no plugins with FISSION_LOCAL_PLUGINS=false)."""
    server = _local()
    assemble_lib(server.lib_dir, console.print)
    console.print(f"Neo4j jars ready in {server.lib_dir}")
    if server.plugins_dir:
        assemble_plugins(server.plugins_dir, console.print)
        console.print(f"GDS and APOC jars ready in {server.plugins_dir}")


@server_app.command("start")
@reports_errors
def server_start(
    timeout: Annotated[float, typer.Option(help="Seconds to wait for Bolt.")] = 180.0,
) -> None:
    """Start the local server in the background (a no-op if it is running)."""
    status = _local().start(timeout=timeout, log=console.print)
    console.print(
        f"Neo4j {status.version} running (pid {status.pid}) at {status.bolt_uri}; "
        f"GDS {status.gds_version or 'not loaded'}, APOC {status.apoc_version or 'not loaded'}"
    )


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
    console.print(
        f"running: pid {status.pid}, {status.bolt_uri}, Neo4j {status.version}, "
        f"Graph Data Science {status.gds_version or 'not loaded'}, "
        f"APOC {status.apoc_version or 'not loaded'}"
    )


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


def _reject_path(settings: Settings, rejects: Path | None) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return rejects or settings.var_dir / "rejects" / f"rejects-{stamp}.csv"


@contextmanager
def _progress_callback() -> Iterator[Callable[[str, int], None]]:
    """A progress bar per type of row, as a loader progress callback."""
    with _progress() as progress:
        tasks: dict[str, TaskID] = {}

        def advance(kind: str, rows: int) -> None:
            if kind not in tasks:
                tasks[kind] = progress.add_task(kind, total=None)
            progress.advance(tasks[kind], rows)

        yield advance


def _load(
    settings: Settings,
    paths: list[Path],
    rejects: Path | None,
    derive: bool,
    window: TimeWindow | None = None,
) -> LoadReport:
    from graph.gateway import Gateway
    from loaders.runs import run_load

    with Gateway(settings) as gateway, _progress_callback() as advance:
        result = run_load(
            gateway,
            paths,
            reject_path=_reject_path(settings, rejects),
            window=window,
            progress=advance,
            derive=derive,
        )
    console.print(f"Load run {result.run_id}")
    return result.report


def _print_stats(report: Any, title: str, columns: list[str]) -> None:
    """Rows per type and verdict (a LoadReport or an ImportReport)."""
    table = Table("type", *columns, title=title)
    for kind, s in report.stats.items():
        table.add_row(kind, *(f"{getattr(s, c):,}" for c in columns))
    table.add_row("all", *(f"{report.total(c):,}" for c in columns), style="bold")
    console.print(table)


def _print_load_report(report: LoadReport) -> None:
    columns = ["read", "accepted", "duplicates", "held", "rejected"]
    if report.total("skipped"):
        columns.append("skipped")
    _print_stats(report, "Load summary", columns)
    derive_s = report.derive.seconds if report.derive else 0.0
    console.print(
        f"{report.total('read'):,} rows in {report.seconds:.1f}s "
        f"(load {report.load_seconds:.1f}s + derive {derive_s:.1f}s): "
        f"{report.rows_per_second:,.0f} rows/s"
    )
    if report.total("skipped"):
        console.print(f"{report.total('skipped'):,} event rows outside --since/--until skipped.")
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
    """Influence, then (where the server has Graph Data Science) circles and fraud flags."""
    from graph.circles import refresh_circles
    from graph.fraud import refresh_flags
    from graph.gateway import Gateway
    from graph.gds import server_plugins
    from graph.influence import refresh_influence

    with Gateway(settings) as gateway:
        report = refresh_influence(gateway)
        console.print(f"Influence refreshed in {report.seconds:.1f}s ({report.engine}).")
        if not server_plugins(gateway).has_gds:
            console.print("No Graph Data Science on the server: circles and rings not computed.")
            return
        circles = refresh_circles(gateway)
        flags = refresh_flags(gateway)
    console.print(
        f"Circles: {circles.circles} in {circles.stores} stores, {circles.bridges} bridges "
        f"({circles.seconds:.1f}s). Fraud flags: {flags.flags or 'none'} ({flags.seconds:.1f}s)."
    )


def _refresh_store_overview(settings: Settings) -> None:
    from graph.gateway import Gateway
    from graph.stores import refresh_store_overview

    with Gateway(settings) as gateway:
        report = refresh_store_overview(gateway)
    console.print(f"HQ overview of {report.stores:,} stores precomputed in {report.seconds:.1f}s.")


def _refresh_value_snapshot(settings: Settings, as_of: datetime | None = None) -> None:
    from graph.gateway import Gateway
    from graph.value import refresh_value_snapshot

    with Gateway(settings) as gateway:
        report = refresh_value_snapshot(gateway, as_of)
    seconds = sum(report.seconds.values())
    console.print(f"Brand-wide customer value precomputed in {seconds:.1f}s.")


@app.command()
@reports_errors
def load(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders (the input files directly inside) to load."),
    ] = None,
    rejects: Annotated[
        Path | None, typer.Option(help="Where to write rejected rows (CSV).")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="Replay: only events at or after this time (ISO date = 00:00 UTC, or a time "
            "with offset). Reference data always loads."
        ),
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Replay: only events before this time (exclusive).")
    ] = None,
    from_rejects: Annotated[
        Path | None,
        typer.Option(
            help="Load the rows of a reject file again (rebuilt from its raw column), after "
            "fixing them or what they name."
        ),
    ] = None,
    derive: Annotated[
        bool, typer.Option(help="Recompute derived data (referrers, homes, ties) afterwards.")
    ] = True,
    influence: Annotated[
        bool,
        typer.Option(
            help="Recompute influence scores and the brand-wide customer value afterwards "
            "(`fission influence`, `fission value-snapshot`)."
        ),
    ] = True,
) -> None:
    """Load CSV / JSON Lines / Parquet files; the type comes from each file's name or columns.
    Every load is recorded (`fission status`); loading the same rows again changes nothing."""
    from loaders.runs import TimeWindow, parse_instant

    settings = get_settings()
    if from_rejects is not None:
        if paths or since or until:
            raise InvalidInput("--from-rejects loads one reject file, without paths or a window")
        _reload_rejects(settings, from_rejects, rejects, derive)
    elif not paths:
        raise InvalidInput("name the files or folders to load (or --from-rejects FILE)")
    else:
        window = TimeWindow(
            since=parse_instant(since, "--since") if since else None,
            until=parse_instant(until, "--until") if until else None,
        )
        _print_load_report(_load(settings, paths, rejects, derive, window))
    if influence and derive:
        _refresh_influence(settings)
        _refresh_value_snapshot(settings)
    if derive:
        _refresh_store_overview(settings)


def _reload_rejects(
    settings: Settings, reject_file: Path, rejects: Path | None, derive: bool
) -> None:
    from graph.gateway import Gateway
    from loaders.rejects import reload_rejects

    with Gateway(settings) as gateway, _progress_callback() as advance:
        reload = reload_rejects(
            gateway, reject_file, _reject_path(settings, rejects), advance, derive
        )
    if reload.run is not None:
        console.print(f"Load run {reload.run.run_id}")
        _print_load_report(reload.run.report)
    if reload.not_rebuilt:
        console.print(
            f"[yellow]{reload.not_rebuilt} rows have no raw row to rebuild (undecodable "
            "bytes): fix them in their source file.[/yellow]"
        )
    if reload.reject_file:
        console.print(f"[yellow]Rows still refused:[/yellow] {reload.reject_file}")
    else:
        console.print(f"No row of {reject_file} was refused again.")


@app.command("import")
@reports_errors
def import_(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or directories, as `fission load` reads them.")
    ],
    rejects: Annotated[
        Path | None, typer.Option(help="Where to write rejected rows (CSV).")
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace a database that already holds data.")
    ] = False,
    keep_files: Annotated[
        bool, typer.Option("--keep-files", help="Keep the files written for neo4j-admin.")
    ] = False,
) -> None:
    """Bulk first load: build the whole graph from files (derived data and influence
    included) and make it the local server's database with neo4j-admin. Replaces the
    database; afterwards `fission load` and streaming continue on top of it."""
    from loaders.bulk import bulk_import

    settings = get_settings()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    reject_path = rejects or settings.var_dir / "rejects" / f"rejects-{stamp}.csv"
    started = datetime.now(UTC)

    def progress(message: str) -> None:
        elapsed = (datetime.now(UTC) - started).total_seconds()
        console.print(f"[dim]{elapsed:7.1f}s[/dim] {message}")

    report = bulk_import(
        settings, paths, reject_path=reject_path, replace=replace, keep_files=keep_files,
        progress=progress,
    )  # fmt: skip
    _print_stats(report, "Import summary", ["read", "accepted", "duplicates", "held", "rejected"])
    graph = Table("nodes and relationships", "count", title="Graph")
    for name, count in report.counts.items():
        graph.add_row(name, f"{count:,}")
    console.print(graph)
    steps = Table("step", "seconds", title="Timings")
    for name, seconds in report.step_seconds.items():
        steps.add_row(name, f"{seconds:.1f}")
    steps.add_row("total", f"{report.seconds:.1f}", style="bold")
    console.print(steps)
    _refresh_store_overview(settings)
    if report.reject_file:
        console.print(
            f"[yellow]{report.rejected:,} rejected rows, with reasons:[/yellow] "
            f"{report.reject_file}"
        )
    if report.total("held"):
        console.print(
            f"{report.total('held'):,} rows name something the files do not bring: held, and "
            "applied when it arrives (`fission held` lists them)."
        )
    console.print("The database is new: restart a running `fission serve` so that it reconnects.")


@app.command()
@reports_errors
def derive() -> None:
    """Recompute derived data for everyone a load marked as changed."""
    from graph.derive import derive_stale
    from graph.gateway import Gateway

    settings = get_settings()
    with Gateway(settings) as gateway:
        report = derive_stale(gateway)
    console.print(f"Derived data recomputed for {report.people:,} people in {report.seconds:.1f}s")
    _refresh_store_overview(settings)


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

    settings = get_settings()
    with Gateway(settings) as gateway:
        report = refresh_influence(gateway)
    console.print(report.model_dump_json(indent=2))
    _refresh_store_overview(settings)


@app.command("value-snapshot")
@reports_errors
def value_snapshot(
    as_of: Annotated[
        str | None,
        typer.Option(help="Where the default windows end (ISO 8601 with an offset; default: now)."),
    ] = None,
) -> None:
    """Precompute the brand-wide customer value HQ reads (value, retention, sources, funnel,
    agent candidates); schedule it where events are streamed, like `fission influence`."""
    when = None
    if as_of is not None:
        try:
            when = datetime.fromisoformat(as_of)
        except ValueError as exc:
            raise InvalidInput(f"--as-of: not an ISO 8601 date-time: {as_of}") from exc
    _refresh_value_snapshot(get_settings(), when)


@app.command()
@reports_errors
def circles() -> None:
    """Recompute every store network's circles (Leiden) and bridges (betweenness); needs GDS."""
    from graph.circles import refresh_circles
    from graph.gateway import Gateway

    with Gateway(get_settings()) as gateway:
        report = refresh_circles(gateway)
    console.print(report.model_dump_json(indent=2))


@app.command()
@reports_errors
def flags() -> None:
    """Detect coupon farms, rings and self-referral brand-wide and store the flags."""
    from graph.fraud import refresh_flags
    from graph.gateway import Gateway

    with Gateway(get_settings()) as gateway:
        report = refresh_flags(gateway)
    console.print(report.model_dump_json(indent=2))


@app.command()
@reports_errors
def seeds(
    store: Annotated[str, typer.Argument(help="Store id.")],
    k: Annotated[int, typer.Option(help="How many people.")] = 5,
    p: Annotated[float | None, typer.Option(help="Propagation probability.")] = None,
) -> None:
    """Whom to seed in a store: the k people whose sharing is expected to reach the most."""
    from graph.gateway import Gateway
    from graph.seeds import store_seeds

    with Gateway(get_settings()) as gateway:
        plan = store_seeds(gateway, store, k=k, probability=p)
    table = Table("rank", "person", "role", "marginal gain", "expected spread")
    for seed in plan.seeds:
        table.add_row(str(seed.rank), seed.person_id, seed.role, f"{seed.marginal_gain:.2f}",
                      f"{seed.expected_spread:.2f}")  # fmt: skip
    console.print(table)
    console.print(f"p = {plan.propagation_probability}, {plan.people} people who can spread.")


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
    plant: Annotated[
        list[str] | None,
        typer.Option(
            help="Also plant a fraud pattern: coupon_farm, ring, self_referral or all "
            "(repeatable; ground truth in planted.json)."
        ),
    ] = None,
) -> None:
    """Generate a synthetic brand (stores, staff, members, content and events) as files."""
    from synthetic import FRAUD_PATTERNS
    from synthetic import generate as run_generator

    patterns = FRAUD_PATTERNS if plant and "all" in plant else tuple(plant or ())
    unknown = set(patterns) - set(FRAUD_PATTERNS)
    if unknown:
        raise InvalidInput(
            f"--plant {', '.join(sorted(unknown))}: choose from {', '.join(FRAUD_PATTERNS)}, all"
        )
    folder = out or get_settings().var_dir / "data" / preset.value
    summary = run_generator(
        preset.value,
        seed=seed,
        out=folder,
        fmt=fmt.value,
        end=_end_of(end),
        progress=console.print,
        plant=patterns,
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


@app.command()
@reports_errors
def report(
    store: Annotated[str, typer.Option(help="The store, e.g. S0001.")],
    out: Annotated[Path, typer.Option(help="Where to write the PDF.")] = Path("report.pdf"),
    lang: Annotated[
        Language | None, typer.Option(help="zh or en (default: FISSION_PAGE_LANGUAGE).")
    ] = None,
) -> None:
    """Print a store's weekly report (its dashboard: figures, plan, charts, suggestions, map,
    key nodes, sales leaderboard) to PDF with headless Chromium."""
    from api.pages.report import store_report_pdf
    from graph.gateway import Gateway

    settings = get_settings()
    with Gateway(settings) as gateway:
        pdf = store_report_pdf(gateway, store, lang.value if lang else settings.page_language)
    out.write_bytes(pdf)
    console.print(f"Weekly report of {store}: {out} ({len(pdf) / 1024:,.0f} KiB)")


# ----------------------------------------------------------------------------- operation


@app.command()
@reports_errors
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """How fresh everything is: last loads, held events, people awaiting derivation, influence
    age, database size, and warnings (the same as GET /status)."""
    from graph.gateway import Gateway
    from loaders.status import operations_status

    with Gateway(get_settings()) as gateway:
        report = operations_status(gateway)
    if as_json:
        console.print_json(report.model_dump_json())
    else:
        _print_status(report)


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M:%S} UTC" if value else "never"


def _print_status(report: OperationsStatus) -> None:
    console.print(f"Status as of {_when(report.as_of)}; data as of {_when(report.data_as_of)}")
    loads = Table("run", "source", "status", "started (UTC)", "files", "read", "accepted",
                  "duplicates", "held", "rejected", title="Latest loads")  # fmt: skip
    for run in report.recent_loads:
        loads.add_row(
            run.id,
            run.source,
            run.status,
            f"{run.started_at:%m-%d %H:%M}",
            str(len(run.files)),
            *(
                "" if v is None else f"{v:,}"
                for v in (run.read, run.accepted, run.duplicates, run.held, run.rejected)
            ),
        )
    console.print(loads)
    held = report.held
    oldest = f" (the oldest since {_when(held.oldest)})" if held.count else ""
    console.print(f"Held events: {held.count:,}{oldest}")
    if held.by_reason:
        groups = Table("type", "waiting for", "events", "oldest", "example")
        for group in held.by_reason:
            groups.add_row(
                group.kind, group.waiting_for, f"{group.count:,}", _when(group.oldest),
                group.example or "",
            )  # fmt: skip
        console.print(groups)
    console.print(f"People awaiting derivation: {report.stale_people:,}")
    influence = report.influence
    age = f" ({influence.age_hours:.1f} h ago)" if influence.age_hours is not None else ""
    console.print(f"Influence refreshed: {_when(influence.refreshed_at)}{age}")
    db = report.database
    size = f"{db.store_bytes / 2**20:,.1f} MiB" if db.store_bytes is not None else "unknown"
    console.print(
        f"Database: {db.nodes:,} nodes, {db.relationships:,} relationships, {db.people:,} "
        f"people; on disk {size} ({db.store_note})"
    )
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")


def _duration(text: str | None) -> timedelta | None:
    """`90s`, `30m`, `6h`, `1d` (or a number of seconds) as a timedelta."""
    if text is None:
        return None
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    number, unit = (text[:-1], text[-1]) if text[-1:] in units else (text, "s")
    try:
        seconds = float(number) * units[unit]
    except ValueError as exc:
        raise InvalidInput(f"{text!r} is not a duration such as 30m, 6h or 1d") from exc
    if seconds <= 0:
        raise InvalidInput(f"{text!r}: a duration must be positive")
    return timedelta(seconds=seconds)


@app.command()
@reports_errors
def watch(
    folder: Annotated[Path, typer.Argument(help="The drop folder.")],
    interval: Annotated[float, typer.Option(help="Seconds between looks at the folder.")] = 10.0,
    settle: Annotated[
        float, typer.Option(help="Seconds a file must be unmodified before it is loaded.")
    ] = 10.0,
    marker: Annotated[
        bool, typer.Option(help="Load a file only once `<name>.done` is beside it.")
    ] = False,
    max_rejects: Annotated[
        int, typer.Option(min=0, help="More rejected rows than this send a file to failed/.")
    ] = 0,
    influence: Annotated[
        bool, typer.Option(help="Refresh influence (see --influence-every).")
    ] = True,
    influence_every: Annotated[
        str | None,
        typer.Option(
            help="Refresh influence on this schedule (30m, 6h, 1d) instead of once the loads "
            "are done."
        ),
    ] = None,
    once: Annotated[
        bool, typer.Option("--once", help="Handle what is in the folder now, then exit.")
    ] = False,
) -> None:
    """Load every complete file dropped into FOLDER, once; move it to done/ or failed/ with
    its rejects; refresh influence when the loads are done or on a schedule. Stop with
    SIGTERM or Ctrl-C: the current drop finishes first."""
    import logging
    import signal
    import threading

    from graph.gateway import Gateway
    from loaders.watch import DropFolder, WatchOptions

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    options = WatchOptions(
        interval=interval,
        settle=settle,
        marker=marker,
        max_rejects=max_rejects,
        influence=influence,
        influence_every=_duration(influence_every),
    )
    stop = threading.Event()

    def finish_then_stop(signum: int, _: Any) -> None:
        logging.getLogger("fission.watch").info("stopping after the current drop")
        stop.set()
        signal.signal(signum, signal.SIG_DFL)  # a second signal stops at once

    signal.signal(signal.SIGTERM, finish_then_stop)
    signal.signal(signal.SIGINT, finish_then_stop)
    with Gateway(get_settings()) as gateway:
        DropFolder(gateway, folder, options).run(stop, once=once)


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
        "api.app:serving_app",
        factory=True,
        host=host or settings.api_host,
        port=port or settings.api_port,
        workers=settings.api_workers,
    )


def create_key(
    settings: Settings,
    name: str,
    role: Role,
    store: str | None,
    save_plain: Path | None = None,
    staff: str | None = None,
) -> str:
    """A new key: its hash is added to the keys file, the key itself is returned."""
    from api.auth import hash_key, new_key

    key = new_key()
    try:
        entry = ApiKeyEntry(
            name=name, role=role.value, store_id=store, staff_id=staff, sha256=hash_key(key)
        )
    except ValidationError as exc:
        problems = (e["msg"].removeprefix("Value error, ") for e in exc.errors())
        raise InvalidInput("; ".join(problems)) from exc
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
    store: Annotated[
        str | None, typer.Option(help="The store, for a store key or a staff key.")
    ] = None,
    staff: Annotated[
        str | None,
        typer.Option(help="The staff member (person id), for a staff key: their today page."),
    ] = None,
    save_plain: Annotated[
        Path | None, typer.Option(help="Also keep the key in this JSON file (local demo only).")
    ] = None,
) -> None:
    """Create a key: its hash goes to the keys file, the key itself is printed once."""
    key = create_key(get_settings(), name, role, store, save_plain, staff)
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
    _refresh_value_snapshot(settings)
    _refresh_store_overview(settings)
    keys_file = settings.var_dir / "demo-keys.json"
    import pandas as pd

    store = str(pd.read_parquet(data / "stores.parquet")["store_id"].min())
    staff = pd.read_parquet(data / "staff.parquet")
    clerk = str(staff[staff["store_id"] == store]["person_id"].min())
    if not keys_file.exists():
        create_key(settings, "demo-hq", Role.hq, None, keys_file)
        create_key(settings, f"demo-{store}", Role.store, store, keys_file)
        create_key(settings, "demo-ingest", Role.ingest, None, keys_file)
    if f"demo-{clerk}" not in json.loads(keys_file.read_text()):
        create_key(settings, f"demo-{clerk}", Role.staff, store, keys_file, staff=clerk)
    keys = json.loads(keys_file.read_text())
    hq, shop, own = keys["demo-hq"], keys.get(f"demo-{store}", ""), keys[f"demo-{clerk}"]
    base = f"http://{settings.api_host}:{settings.api_port}"
    console.print(
        f"\nDemo brand loaded. Neo4j: {status.bolt_uri} (user {settings.neo4j_user}, password "
        f"in {settings.local_password_file}).\n"
        f"  HQ dashboard (中文):               {base}/?key={hq}&lang=zh\n"
        f"  HQ dashboard (English):            {base}/?key={hq}&lang=en\n"
        f"  {store} dashboard (store key):     {base}/stores/{store}/dashboard?key={shop}\n"
        f"  A staff member's today page:       {base}/staff/{clerk}/today?key={own}\n"
        f"  {store} weekly report (PDF):       fission report --store {store} --out report.pdf\n"
        f"  API docs (OpenAPI):                {base}/docs\n"
        f"  Demo keys (hq, store, staff, ingest): {keys_file}\n"
        f'  Try: curl -H "X-API-Key: {hq}" {base}/stores?limit=3\n'
        "Stop the API with Ctrl-C; stop Neo4j with: make server-stop"
    )
    if serve_api:
        serve(host=None, port=None)
