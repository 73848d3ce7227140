"""Every Cypher file parses and plans against the real server, and the loader refuses a name
with no file."""

from __future__ import annotations

import pytest

from fission.errors import ConfigurationError
from graph.gateway import Gateway
from graph.queries import all_query_names, cypher, statements

# DDL cannot be EXPLAINed; the schema file runs for real in every session (tests/conftest.py).
PLANNABLE = [name for name in all_query_names() if not name.startswith("schema/")]


def test_every_area_has_queries() -> None:
    areas = {name.split("/")[0] for name in all_query_names()}
    assert {"load", "derive", "schema", "influence", "stores", "people", "paths"} <= areas
    assert len(statements("schema/constraints")) >= 10


@pytest.mark.parametrize("name", PLANNABLE)
def test_query_plans(gateway: Gateway, name: str) -> None:
    text = cypher(name)
    assert text.lstrip().startswith("//"), f"{name} needs a header comment"
    header = "\n".join(line for line in text.splitlines() if line.startswith("//"))
    assert "Parameters" in header and "Returns" in header, f"{name}: header lacks them"
    with gateway.driver.session(database=gateway.database) as session:
        plan = session.run("EXPLAIN " + text).consume().plan  # type: ignore[operator]
    assert plan is not None


def test_a_missing_query_fails_at_load_time() -> None:
    with pytest.raises(ConfigurationError, match="no_such_query"):
        cypher("load/no_such_query")
