"""Plugin detection and the engine choice (graph.gds): the suite's server has GDS; a server
without it (its detection result stood in for, on a gateway of its own) falls back to igraph
for influence, refuses `FISSION_INFLUENCE_ENGINE=gds`, and answers seeds with a clear 503-class
error while circles and the map overlay still answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fission.errors import ConfigurationError, FeatureUnavailable
from graph import gds
from graph.algorithms import map_overlay
from graph.gateway import Gateway
from graph.gds import ServerPlugins, influence_engine, projected, server_plugins
from graph.influence import PROJECT_ENGAGEMENT, refresh_influence
from graph.seeds import store_seeds
from loaders.pipeline import load_files
from tests.helpers import reference_files, share, ts, visit, write_rows


@pytest.fixture
def store(graph: Gateway, tmp_path: Path) -> Gateway:
    """S1 where M1 shares once and P1 opens it: one engagement edge."""
    reference_files(tmp_path)
    write_rows(tmp_path, "shares", [share("e1", "sh1", "M1", ts(1))])
    write_rows(tmp_path, "visits", [visit("e2", "sh1", "P1", ts(1, 13))])
    assert load_files(graph, [tmp_path]).total("rejected") == 0
    return graph


@pytest.fixture
def without_gds(store: Gateway) -> Iterator[Gateway]:
    """A second gateway to the same database whose server reports no plugins."""
    with Gateway(store.settings) as plain:
        gds._DETECTED[plain] = ServerPlugins(gds_version=None, apoc_version=None)
        yield plain


def test_detection_is_cached_per_gateway(gateway: Gateway) -> None:
    first = server_plugins(gateway)
    assert first.has_gds and server_plugins(gateway) is first
    assert server_plugins(gateway, refresh=True) == first


def test_without_gds_influence_falls_back_and_gds_only_answers_say_why(
    without_gds: Gateway,
) -> None:
    assert influence_engine(without_gds) == "igraph"
    assert refresh_influence(without_gds).engine == "igraph"
    forced = Gateway(without_gds.settings.model_copy(update={"influence_engine": "gds"}))
    with forced:
        gds._DETECTED[forced] = ServerPlugins(None, None)
        with pytest.raises(ConfigurationError, match="FISSION_INFLUENCE_ENGINE"):
            influence_engine(forced)
    with pytest.raises(FeatureUnavailable, match="Graph Data Science"):
        store_seeds(without_gds, "S1")


def test_a_projection_is_dropped_even_when_its_work_fails(store: Gateway) -> None:
    def fission_graphs() -> list[str]:
        rows = store.read("CALL gds.graph.list() YIELD graphName RETURN collect(graphName) AS g")
        return [g for g in rows[0]["g"] if g.startswith("fission-")]

    with pytest.raises(RuntimeError), projected(store, PROJECT_ENGAGEMENT) as graph:
        assert (graph.nodes, graph.relationships) == (2, 1)
        assert fission_graphs() == [graph.name]
        raise RuntimeError("work failed")
    assert fission_graphs() == []


def test_map_overlay_without_gds_explains_missing_seeds(without_gds: Gateway) -> None:
    overlay = map_overlay(without_gds, "S1", ["M1", "P1"], seeds=3)
    assert overlay.seeds is None
    assert overlay.seeds_problem and "Graph Data Science" in overlay.seeds_problem
    assert overlay.circles.circles == [] and overlay.flags.flags == []
