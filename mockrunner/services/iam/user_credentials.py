"""The credentials a user owns besides access keys (SSH public keys, signing certificates, service-specific
credentials): IAM deletes no user that still has them, and they follow the user when it is renamed."""
from __future__ import annotations

from mockrunner.model.iam import IamState, User
from mockrunner.services.iam.entities import delete_conflict

OWNED = (
    ("signing_certificates", "delete certificates"),
    ("ssh_keys", "remove referenced objects"),
    ("service_credentials", "remove referenced objects"),
)
"""IamState collection holding credentials with a ``user_name`` -> what DeleteUser's DeleteConflict asks for:
"Cannot delete entity, must remove referenced objects first." for service-specific credentials (recorded from AWS:
LocalStack snapshot tests/aws/services/iam/test_iam.snapshot.json, test_delete_user_after_service_credential_created,
2026-02-24) and SSH public keys (rebuy-de/aws-nuke#470), "... must delete certificates first." for signing
certificates (rebuy-de/aws-nuke#671)."""


def refuse_delete(iam: IamState, user: User) -> None:
    """``DeleteConflict`` while ``user`` still owns credentials of one of the :data:`OWNED` kinds."""
    for collection, must in OWNED:
        if any(item.user_name == user.name for item in getattr(iam, collection).values()):
            raise delete_conflict(must)


def rename_owner(iam: IamState, old: str, new: str) -> None:
    """Move the credentials of user ``old`` to its new name ``new``."""
    for collection, _ in OWNED:
        for item in [item for item in getattr(iam, collection).values() if item.user_name == old]:
            iam.update(item, user_name=new)
