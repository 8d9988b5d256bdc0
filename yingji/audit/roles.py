"""PostgreSQL two-role set-up: the owner role runs migrations; the application role that the
web, worker and ingest processes log in with may read and write every table but only INSERT
into (and read) the audit log — it cannot UPDATE, DELETE or TRUNCATE audit rows, and, not
owning the table, cannot drop or disable the append-only trigger. docs/security.md explains it.
"""

from __future__ import annotations

AUDIT_TABLE = "audit_auditentry"


def app_role_grants(app_role: str, owner_role: str, schema: str = "public") -> list[str]:
    """SQL the owner (or a superuser) runs once after `yingji migrate` (and again after an
    upgrade that adds tables, although the default privileges cover new ones)."""
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {app_role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {app_role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app_role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {AUDIT_TABLE} FROM {app_role}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_role} IN SCHEMA {schema} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app_role}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_role} IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {app_role}",
    ]
