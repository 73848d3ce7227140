"""Event ingestion from the mini program backend."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request

from api.auth import Ingester
from api.bodies import JSONRoute
from api.deps import GatewayDep
from api.errors import BODY_RESPONSES, ERROR_RESPONSES
from fission.errors import InvalidInput
from fission.settings import Settings
from loaders.stream import IngestResult, ingest

router = APIRouter(
    prefix="/events",
    tags=["events"],
    responses={**ERROR_RESPONSES, **BODY_RESPONSES},
    route_class=JSONRoute,
)

EXAMPLE = [
    {
        "type": "share",
        "event_id": "e-1001",
        "share_id": "sh-77",
        "sharer_id": "P0001",
        "content_id": "C0001",
        "channel": "moments",
        "at": "2026-05-01T10:00:00+08:00",
    },
    {
        "type": "visit",
        "event_id": "e-1002",
        "share_id": "sh-77",
        "visitor_id": "P0002",
        "at": "2026-05-01T10:05:00+08:00",
        "action": "claim_coupon",
    },
]


@router.post("", summary="Ingest a batch of events; a status per event")
def post_events(
    request: Request,
    gateway: GatewayDep,
    caller: Ingester,
    events: Annotated[
        list[dict[str, Any]],
        Body(
            description="Events, each with `type` (share, visit, order, friendship, agent, "
            "note) and that type's fields (README, Input formats).",
            examples=[EXAMPLE],
        ),
    ],
) -> IngestResult:
    """Each event is validated on its own: `accepted`, `duplicate` (same event_id seen
    before), `pending` (names something not known yet; held and applied when it arrives) or
    `rejected` with the reason. Re-sending a batch is safe."""
    settings: Settings = request.app.state.settings
    if len(events) > settings.ingest_max_events:
        raise InvalidInput(f"at most {settings.ingest_max_events} events per call")
    return ingest(gateway, events)
