-- Every chain is written and read under its own scope (ledger/Chains): a tenant's chain under the worker scope of
-- that tenant (DbScope.worker), the platform chain under the platform worker scope (DbScope.platformWorker,
-- app.principal = 'platform_worker', no tenant). The ledger consumer appends and weighs alerts, the checkpoint
-- signer stores signed heads, and the archive writer reads a chain with ordinary SQL under these policies, instead
-- of the definers that took a chain or a tenant as an argument. Only the claims across chains stay definers
-- (archive_heads, last_checkpoints, flush_held_alerts). The ledger stays append-only: no policy or grant updates or
-- deletes an entry, and its triggers refuse it for everyone.

create policy ledger_worker_read on audit.ledger for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy ledger_worker_append on audit.ledger for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker'
                and chain_key = tenant_id::text);
create policy ledger_platform_worker_read on audit.ledger for select to ${app_role}
    using (current_setting('app.principal', true) = 'platform_worker' and tenant_id is null);
create policy ledger_platform_worker_append on audit.ledger for insert to ${app_role}
    with check (current_setting('app.principal', true) = 'platform_worker' and tenant_id is null and chain_key = 'platform');
grant insert (event_id, tenant_id, chain_key, chain_seq, action, actor_id, actor_role, target_type, target_id, outcome, source,
              occurred_at, entry, prev_hash, hash) on audit.ledger to ${app_role};
grant usage on sequence audit.ledger_seq_seq to ${app_role};

create policy chain_heads_worker on audit.chain_heads for all to palisade_services
    using (chain_key = tenancy.current_tenant_id()::text and current_setting('app.principal', true) = 'worker')
    with check (chain_key = tenancy.current_tenant_id()::text and current_setting('app.principal', true) = 'worker');
create policy chain_heads_platform_worker on audit.chain_heads for all to ${app_role}
    using (current_setting('app.principal', true) = 'platform_worker' and chain_key = 'platform')
    with check (current_setting('app.principal', true) = 'platform_worker' and chain_key = 'platform');
grant select, insert, update (last_seq, last_hash) on audit.chain_heads to ${app_role};

create policy alert_state_worker on audit.alert_state for all to palisade_services
    using (chain_key = tenancy.current_tenant_id()::text and current_setting('app.principal', true) = 'worker')
    with check (chain_key = tenancy.current_tenant_id()::text and current_setting('app.principal', true) = 'worker');
create policy alert_state_platform_worker on audit.alert_state for all to ${app_role}
    using (current_setting('app.principal', true) = 'platform_worker' and chain_key = 'platform')
    with check (current_setting('app.principal', true) = 'platform_worker' and chain_key = 'platform');
grant select, insert, update (last_alert_at, held) on audit.alert_state to ${app_role};

-- Alerts leave through the outbox: a tenant's, and the platform's (no tenant).
create policy outbox_worker_insert on audit.outbox for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy outbox_platform_worker_alert on audit.outbox for insert to ${app_role}
    with check (current_setting('app.principal', true) = 'platform_worker' and tenant_id is null and type = 'audit.alert');

create policy checkpoints_worker_read on audit.checkpoints for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy checkpoints_worker_insert on audit.checkpoints for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker'
                and chain_key = tenant_id::text);
create policy checkpoints_platform_worker_read on audit.checkpoints for select to ${app_role}
    using (current_setting('app.principal', true) = 'platform_worker' and tenant_id is null);
create policy checkpoints_platform_worker_insert on audit.checkpoints for insert to ${app_role}
    with check (current_setting('app.principal', true) = 'platform_worker' and tenant_id is null and chain_key = 'platform');
grant insert on audit.checkpoints to ${app_role};

-- The helpers the Java statements call (no rights of their own: they run as the caller, under these policies).
revoke all on function audit.entry_hash(text, text, bigint, uuid, jsonb) from public;
grant execute on function audit.entry_hash(text, text, bigint, uuid, jsonb) to ${app_role};
revoke all on function audit.alert_payload(text, text, uuid, interval, bigint, int, audit.ledger) from public;
grant execute on function audit.alert_payload(text, text, uuid, interval, bigint, int, audit.ledger) to ${app_role};

drop function audit.append(uuid, text, timestamptz, jsonb);
drop function audit.consider_alert(uuid, text, int, interval);
drop function audit.record_checkpoint(uuid, text, bigint, text, timestamptz, text, text);
drop function audit.archive_entries(text, bigint, int);
drop function audit.archive_checkpoints(text, bigint, bigint);
