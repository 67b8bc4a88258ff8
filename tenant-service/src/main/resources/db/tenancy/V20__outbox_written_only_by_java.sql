-- Members only write events (outbox_insert) and read their tenant's (outbox_select). The update and delete policies
-- of V1 never had a grant to act on; now that the relay's role may update published_at (db/outbox-relay), they would
-- let a member's scope mark its own tenant's events published. The upkeep scope's policy is the only one left.
drop policy outbox_update on tenancy.outbox;
drop policy outbox_delete on tenancy.outbox;
