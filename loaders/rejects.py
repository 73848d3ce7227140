"""Loading a reject file again, after fixing what was wrong (`fission load --from-rejects`).

A reject file (loaders.pipeline.RejectWriter) has one row per refused input row: source, row,
type, key, reason, and `raw`, the row as it was read (JSON). Reloading rebuilds each type's
rows from `raw` into a JSON Lines file of that type, loads them as one recorded run, and
writes the rows still refused to a new reject file that names the original source file and
row, so it reads like the first one. A row without `raw` (its bytes were not valid UTF-8, or
it was not a JSON object) cannot be rebuilt: it is copied to the new reject file as it was.

Fix rows either at their source (then load the fixed file: loads are idempotent) or in the
reject file itself (edit the value inside `raw`), then reload it.
"""

from __future__ import annotations

import csv
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fission.errors import InvalidInput
from graph.gateway import Gateway
from loaders.models import MODEL_BY_KIND
from loaders.pipeline import KIND_ORDER, ProgressCallback, RejectWriter
from loaders.runs import RunResult, run_load


@dataclass
class RejectRow:
    source: str
    row: str
    kind: str
    key: str
    reason: str
    raw: str

    @property
    def cells(self) -> list[str]:
        return [self.source, self.row, self.kind, self.key, self.reason, self.raw]


@dataclass
class Reload:
    run: RunResult | None
    rebuilt: int
    not_rebuilt: int
    reject_file: Path | None


def read_reject_file(path: Path) -> list[RejectRow]:
    """The rows of a reject file; InvalidInput when it is not one."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None or tuple(header) != RejectWriter.COLUMNS:
                raise InvalidInput(
                    f"{path}: not a reject file (its header must be "
                    f"{','.join(RejectWriter.COLUMNS)})"
                )
            rows = []
            for cells in reader:
                if len(cells) != len(header):
                    raise InvalidInput(
                        f"{path}, line {reader.line_num}: {len(cells)} cells, not {len(header)}"
                    )
                rows.append(RejectRow(*cells))
            return rows
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read it ({exc})") from exc


def _raw_record(row: RejectRow) -> dict[str, object] | None:
    if row.kind not in MODEL_BY_KIND or not row.raw:
        return None
    try:
        record = json.loads(row.raw)
    except json.JSONDecodeError:
        return None
    return record if isinstance(record, dict) else None


def reload_rejects(
    gateway: Gateway,
    reject_file: Path,
    reject_path: Path,
    progress: ProgressCallback | None = None,
    derive: bool = True,
) -> Reload:
    """Rebuilds and loads the rows of `reject_file`; rows refused again go to `reject_path`."""
    rows = read_reject_file(reject_file)
    by_kind: dict[str, list[tuple[RejectRow, dict[str, object]]]] = {}
    not_rebuilt: list[RejectRow] = []
    for row in rows:
        record = _raw_record(row)
        if record is None:
            not_rebuilt.append(row)
        else:
            by_kind.setdefault(row.kind, []).append((row, record))
    run = None
    with tempfile.TemporaryDirectory(prefix="fission-rejects-") as tmp:
        origin: dict[tuple[str, str], RejectRow] = {}
        files = []
        for kind in (k for k in KIND_ORDER if k in by_kind):
            path = Path(tmp) / f"{kind}.jsonl"
            with path.open("w", encoding="utf-8") as handle:
                for number, (row, record) in enumerate(by_kind[kind], start=1):
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                    origin[(str(path), str(number))] = row
            files.append(path)
        again = Path(tmp) / "again.csv"
        if files:
            run = run_load(
                gateway,
                files,
                source="rejects",
                reject_path=again,
                progress=progress,
                derive=derive,
                names=[str(reject_file)],
            )
        refused = _relabel(again, origin) if again.exists() else []
    refused += not_rebuilt
    if refused:
        write_reject_file(reject_path, refused)
    return Reload(
        run=run,
        rebuilt=sum(len(v) for v in by_kind.values()),
        not_rebuilt=len(not_rebuilt),
        reject_file=reject_path if refused else None,
    )


def _relabel(path: Path, origin: dict[tuple[str, str], RejectRow]) -> list[RejectRow]:
    """Rows refused again, named by their original source file and row."""
    refused = []
    for row in read_reject_file(path):
        first = origin[(row.source, row.row)]
        refused.append(RejectRow(first.source, first.row, row.kind, row.key, row.reason, row.raw))
    return refused


def write_reject_file(path: Path, rows: list[RejectRow]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(RejectWriter.COLUMNS)
        writer.writerows(row.cells for row in rows)
