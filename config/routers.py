"""Send reads to read replicas and writes to the primary, keeping a writer's reads fresh."""

import contextvars
import random

from django.conf import settings
from django.db import connections

# Set for the current request when it writes, or when the browser wrote a moment ago.
pinned_to_primary = contextvars.ContextVar("pinned_to_primary", default=False)
# The replica chosen for the current request (outside requests: any of them).
chosen_replica = contextvars.ContextVar("chosen_replica", default=None)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        replicas = settings.DATABASE_REPLICAS
        if not replicas or pinned_to_primary.get():
            return "default"
        # Reads inside a write transaction (locks, re-reads) must see the primary's data.
        if connections["default"].in_atomic_block:
            return "default"
        return chosen_replica.get() or random.choice(replicas)

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
