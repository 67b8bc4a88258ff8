-- Deliveries and messages are read by their keys, and nothing else may look cheaper to PostgreSQL when its statistics
-- are older than a burst (docs/performance.md, "2026-12-04, eighth session").

-- A lease is held only by an attempt in flight, so only while its delivery is pending: every recording clears it with
-- the status it sets. Held as a constraint, an attempt's delivery is found by its id and lease alone. With
-- status = 'pending' beside them, PostgreSQL could read through the pending deliveries' index instead of the key, and
-- on statistics from before a burst it did: every pending delivery read for every batch of results (89 ms for 23
-- results at 16,000 pending, 4 ms by the key).
alter table webhook.deliveries add constraint deliveries_lease_only_while_pending check (lease is null or status = 'pending');

-- A message's uniqueness per tenant and event id, led by the event id: led by the tenant, it offered row-level
-- security's tenant condition an index, and for a tenant the statistics had not yet seen (estimated at one row)
-- PostgreSQL read all of the tenant's messages for each delivery instead of the one message by its key.
alter table webhook.messages add constraint messages_event_id_tenant_id_key unique (event_id, tenant_id);
alter table webhook.messages drop constraint messages_tenant_id_event_id_key;
