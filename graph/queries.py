"""The query registry: every Cypher file under `cypher/<area>/<name>.cypher`, with its header.

A file starts with comment lines saying what the query does, then three declarations:

    // mode: read                 (read | write | schema)
    // params: $store_id, $since (datetime), $rows ([{i, event_id}])     (or: none)
    // columns: store_id, name, nodes ([{id, score}])                     (or: none)

A declaration may go on over indented comment lines. Each item is a name with an optional
description in brackets. `query(name)` parses the file once and refuses it (ConfigurationError)
when it is missing or its header is incomplete, so a module that binds its queries at import
(`SUMMARY = query("stores/summary")`) fails when it is imported, not when the query first runs.
The test suite checks every file: its declared parameters are exactly the `$names` it uses,
and on a small graph it returns exactly the declared columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from typing import Literal, LiteralString, cast

from fission.errors import ConfigurationError

Mode = Literal["read", "write", "schema"]
MODES: tuple[Mode, ...] = ("read", "write", "schema")
DECLARATIONS = ("mode", "params", "columns")
_DECLARATION = re.compile(r"^//\s*(mode|params|columns):\s*(.*)$")
_CONTINUATION = re.compile(r"^//\s{2,}(\S.*)$")
_NAME = re.compile(r"^\$?([A-Za-z_]\w*)")
_PARAMETER = re.compile(r"\$([A-Za-z_]\w*)")


@dataclass(frozen=True)
class Query:
    """One Cypher file: its text and what its header declares."""

    name: str
    mode: Mode
    text: LiteralString
    params: tuple[str, ...]
    columns: tuple[str, ...]

    def statements(self) -> list[LiteralString]:
        """A schema file's statements (DDL only), split on the `;` that ends a line."""
        body = "\n".join(
            line for line in self.text.splitlines() if not line.lstrip().startswith("//")
        )
        return [cast(LiteralString, s.strip()) for s in body.split(";\n") if s.strip().strip(";")]

    def used_params(self) -> set[str]:
        """The `$names` the query body uses (comments left out)."""
        body = "\n".join(line.split("//")[0] for line in self.text.splitlines())
        return set(_PARAMETER.findall(body))


def _items(text: str) -> tuple[str, ...]:
    """Names in a declaration: comma-separated at bracket depth 0, each a name and an optional
    description; `none` declares nothing."""
    text = text.strip().rstrip(".")
    if text.lower() in ("", "none"):
        return ()
    items, depth, current = [], 0, ""
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0:
            items.append(current)
            current = ""
        else:
            current += char
    items.append(current)
    names = []
    for item in items:
        match = _NAME.match(item.strip())
        if match is None:
            raise ValueError(f"cannot read a name in {item.strip()!r}")
        names.append(match.group(1))
    return tuple(names)


def parse_header(name: str, text: str) -> tuple[Mode, tuple[str, ...], tuple[str, ...]]:
    """The declared mode, parameters and columns of a query file (see the module docstring)."""
    found: dict[str, str] = {}
    current: str | None = None
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        declaration = _DECLARATION.match(line)
        if declaration:
            current = declaration.group(1)
            if current in found:
                raise ConfigurationError(f"cypher/{name}.cypher declares {current} twice")
            found[current] = declaration.group(2)
        elif current and (more := _CONTINUATION.match(line)):
            found[current] += " " + more.group(1)
        else:
            current = None
    missing = [d for d in DECLARATIONS if d not in found]
    if missing:
        raise ConfigurationError(
            f"cypher/{name}.cypher: its header lacks {', '.join(missing)} "
            "(see graph/queries.py for the format)"
        )
    mode = found["mode"].strip()
    if mode not in MODES:
        raise ConfigurationError(f"cypher/{name}.cypher: mode must be one of {MODES}, not {mode}")
    try:
        params, columns = _items(found["params"]), _items(found["columns"])
    except ValueError as exc:
        raise ConfigurationError(f"cypher/{name}.cypher: {exc}") from exc
    return cast(Mode, mode), params, columns


@cache
def query(name: str) -> Query:
    """The query in `cypher/<name>.cypher`, e.g. `query("load/shares")`."""
    resource = resources.files("cypher").joinpath(*f"{name}.cypher".split("/"))
    if not resource.is_file():
        raise ConfigurationError(f"No Cypher file cypher/{name}.cypher")
    text = resource.read_text(encoding="utf-8")
    mode, params, columns = parse_header(name, text)
    return Query(name, mode, cast(LiteralString, text), params, columns)


def all_query_names() -> list[str]:
    """Every query file, as names `query()` accepts."""
    names: list[str] = []

    def walk(node: Traversable, prefix: str) -> None:
        for child in node.iterdir():
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith(".cypher"):
                names.append(prefix + child.name.removesuffix(".cypher"))

    walk(resources.files("cypher"), "")
    return sorted(names)
