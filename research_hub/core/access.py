"""Roles and what they permit, and how long a wrong password locks an account.

Three roles, each with the rights of the one before: a viewer searches, reads and
exports; an editor also changes tags, links, highlights, insights, features and
themes; an admin also ingests, deletes, changes settings and manages accounts.
"""
from __future__ import annotations

from enum import IntEnum

from research_hub.core.errors import InvalidInputError


class Permission(IntEnum):
    READ = 1   # search, read, export
    EDIT = 2   # tags, links, highlights, insights, features, themes
    ADMIN = 3  # ingest, delete, settings, accounts


ROLES: dict[str, Permission] = {"viewer": Permission.READ, "editor": Permission.EDIT,
                                "admin": Permission.ADMIN}
NEEDS = {Permission.READ: "viewer", Permission.EDIT: "editor", Permission.ADMIN: "admin"}

FREE_TRIES = 3          # wrong passwords before an account is locked for a while
FIRST_LOCK_SECONDS = 2  # the first lock; each further wrong password doubles it
MAX_LOCK_SECONDS = 15 * 60


def check_role(role: str) -> str:
    role = (role or "").strip().lower()
    if role not in ROLES:
        raise InvalidInputError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    return role


def allows(role: str | None, permission: Permission) -> bool:
    return role in ROLES and ROLES[role] >= permission


def lock_seconds(failures: int) -> float:
    """How long an account stays locked after its `failures`-th wrong password in a row."""
    if failures < FREE_TRIES:
        return 0.0
    return float(min(MAX_LOCK_SECONDS, FIRST_LOCK_SECONDS * 2 ** (failures - FREE_TRIES)))
