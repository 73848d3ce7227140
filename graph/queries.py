"""Loads Cypher from `cypher/<area>/<name>.cypher` by name.

Modules bind their queries at import time (`SHARES = cypher("load/shares")`) so that a missing
file fails when the module is imported, not when the query first runs.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import LiteralString, cast

from fission.errors import ConfigurationError


@cache
def cypher(name: str) -> LiteralString:
    """The text of `cypher/<name>.cypher`, e.g. `cypher("load/shares")`."""
    resource = resources.files("cypher").joinpath(*f"{name}.cypher".split("/"))
    if not resource.is_file():
        raise ConfigurationError(f"No Cypher file cypher/{name}.cypher")
    return cast(LiteralString, resource.read_text(encoding="utf-8"))


def statements(name: str) -> list[LiteralString]:
    """A multi-statement file (schema DDL only) split on the `;` that ends a line."""
    text = cypher(name)
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    return [cast(LiteralString, s.strip()) for s in body.split(";\n") if s.strip().strip(";")]


def all_query_names() -> list[str]:
    """Every query file, as names `cypher()` accepts (used by the EXPLAIN-everything test)."""
    root = resources.files("cypher")
    names: list[str] = []

    def walk(node: object, prefix: str) -> None:
        for child in node.iterdir():  # type: ignore[attr-defined]
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith(".cypher"):
                names.append(prefix + child.name.removesuffix(".cypher"))

    walk(root, "")
    return sorted(names)
