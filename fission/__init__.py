"""Fission: referral analytics for retail chains on Neo4j."""

__version__ = "0.1.0"
