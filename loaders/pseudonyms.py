"""Pseudonymous person ids (DESIGN.md §2 "person": identified by a pseudonymous id, never the
raw WeChat id), made at the edge when the brand sets FISSION_PSEUDONYM_SECRET.

A person id that arrives raw (a WeChat openid, a phone number, ...) is replaced, before it is
validated further, written, held or logged, by `px_` + 32 base32 characters of
HMAC-SHA256(secret, id): the same id always gives the same pseudonym, and without the secret
nobody can compute it from a guessed id. An id that already is a pseudonym passes unchanged, so
clients may address people by the ids Fission answers with, and re-sending a reject file or a
held event does not hash twice. Store, share, content and event ids are not personal data and
are kept as they are.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from pydantic import SecretStr

PREFIX = "px_"
_PSEUDONYM = re.compile(r"^px_[a-z2-7]{32}$")
# The key of pydantic's validation context that carries the secret (loaders.models).
CONTEXT_KEY = "pseudonym_secret"


def is_pseudonym(value: str) -> bool:
    return bool(_PSEUDONYM.match(value))


def pseudonym(person_id: str, secret: SecretStr | None) -> str:
    """The id to store for `person_id`: unchanged without a secret or when it already is one."""
    if secret is None or is_pseudonym(person_id):
        return person_id
    digest = hmac.new(
        secret.get_secret_value().encode(), person_id.encode(), hashlib.sha256
    ).digest()
    return PREFIX + base64.b32encode(digest[:20]).decode().lower()


def validation_context(secret: SecretStr | None) -> dict[str, SecretStr | None]:
    """What loaders.models needs to pseudonymise while validating a row."""
    return {CONTEXT_KEY: secret}
