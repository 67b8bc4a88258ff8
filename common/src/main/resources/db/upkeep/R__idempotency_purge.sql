-- Repeatable (re-applied whenever it changes): the purge of expired Idempotency-Key records (common:
-- IdempotencyKeys.purgeExpired) runs under the upkeep scope (DbScope.upkeep) across tenants. These policies admit it,
-- and only this service's role, to expired records alone: whatever its statement says, it cannot see or delete a key
-- that still answers a retry (docs/idempotency.md).
drop function if exists ${flyway:defaultSchema}.idempotency_purge();

drop policy if exists idempotency_keys_upkeep_select on ${flyway:defaultSchema}.idempotency_keys;
create policy idempotency_keys_upkeep_select on ${flyway:defaultSchema}.idempotency_keys for select to ${app_role}
    using (current_setting('app.principal', true) = 'upkeep' and expires_at < now());
drop policy if exists idempotency_keys_upkeep_purge on ${flyway:defaultSchema}.idempotency_keys;
create policy idempotency_keys_upkeep_purge on ${flyway:defaultSchema}.idempotency_keys for delete to ${app_role}
    using (current_setting('app.principal', true) = 'upkeep' and expires_at < now());
