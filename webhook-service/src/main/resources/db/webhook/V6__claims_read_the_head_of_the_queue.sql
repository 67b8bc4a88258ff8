-- The delivery claim counts the leases held per endpoint from their own small index instead of every pending delivery
-- (webhook.claim_due, R__webhook_functions.sql): its work no longer grows with the backlog.
create index deliveries_leased_idx on webhook.deliveries (endpoint_id) where status = 'pending' and locked_until is not null;
