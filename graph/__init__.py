"""The gateway to Neo4j and the graph logic that runs through it."""

from collections.abc import Callable

# Runs work after an answer is sent: FastAPI's `BackgroundTasks.add_task(work, *args)`.
Defer = Callable[..., object]
