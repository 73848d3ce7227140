"""Operations status: how fresh the data is and what needs attention (HQ only)."""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import HQ
from api.deps import GatewayDep
from api.errors import ERROR_RESPONSES
from loaders.status import OperationsStatus, operations_status

router = APIRouter(tags=["operations"], responses=ERROR_RESPONSES)


@router.get("/status", summary="How fresh everything is, and what needs attention")
def status(gateway: GatewayDep, caller: HQ) -> OperationsStatus:
    """The latest load runs (when, files, rows, rejects, held), held events by type and by
    what they wait for, people awaiting derivation, when influence was last refreshed, the
    database's size, and warnings (influence older than FISSION_INFLUENCE_MAX_AGE_HOURS, at
    least FISSION_HELD_WARN_COUNT events held, a failed last load). `/health` stays the cheap
    liveness check."""
    return operations_status(gateway)
