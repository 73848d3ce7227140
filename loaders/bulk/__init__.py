"""The bulk first load (`fission import`): files -> the whole graph in columnar code ->
`neo4j-admin database import full`. See loaders.bulk.run."""

from loaders.bulk.run import ImportReport, bulk_import, check_target

__all__ = ["ImportReport", "bulk_import", "check_target"]
