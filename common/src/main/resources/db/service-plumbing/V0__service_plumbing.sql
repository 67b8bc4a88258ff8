-- What every service schema has, migrated first into each (common's default Flyway locations):
-- the transactional outbox and the Idempotency-Key records (common: Outbox, AuditLog, OutboxRelay,
-- IdempotencyKeys; docs/events.md, docs/idempotency.md), and the audit helper of definer functions.
-- ${flyway:defaultSchema} is the service's schema; ${owner_role} and ${app_role} its roles.

create table ${flyway:defaultSchema}.outbox (
    seq          bigserial primary key,
    id           uuid not null unique,
    tenant_id    uuid,
    stream       text not null default 'domain' check (stream in ('domain', 'audit')),
    type         text not null,
    subject      text,
    data         jsonb not null,
    occurred_at  timestamptz not null default now(),
    published_at timestamptz,
    constraint outbox_platform_events_are_audit check (tenant_id is not null or stream = 'audit')
);
create index outbox_pending_idx on ${flyway:defaultSchema}.outbox (seq) where published_at is null;
alter table ${flyway:defaultSchema}.outbox enable row level security;
alter table ${flyway:defaultSchema}.outbox force row level security;
create policy outbox_owner_helpers on ${flyway:defaultSchema}.outbox for all to ${owner_role} using (true) with check (true);
create policy outbox_select on ${flyway:defaultSchema}.outbox for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy outbox_insert on ${flyway:defaultSchema}.outbox for insert to palisade_services
    with check ((tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
                or (tenant_id is null and stream = 'audit'));
grant select, insert on ${flyway:defaultSchema}.outbox to ${app_role};
grant usage on sequence ${flyway:defaultSchema}.outbox_seq_seq to ${app_role};

create function ${flyway:defaultSchema}.outbox_pending(p_limit int)
    returns table (seq bigint, id uuid, tenant_id uuid, stream text, type text, subject text, data jsonb, occurred_at timestamptz)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select o.seq, o.id, o.tenant_id, o.stream, o.type, o.subject, o.data, o.occurred_at from ${flyway:defaultSchema}.outbox o
         where o.published_at is null order by o.seq limit p_limit
    $$;
create function ${flyway:defaultSchema}.outbox_mark_published(p_seqs bigint[]) returns void
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$ update ${flyway:defaultSchema}.outbox set published_at = now() where seq = any(p_seqs) and published_at is null $$;

create table ${flyway:defaultSchema}.idempotency_keys (
    tenant_id             uuid not null,
    principal             uuid not null,
    key                   text not null check (length(key) between 1 and 255),
    fingerprint           text not null,
    state                 text not null check (state in ('in_flight', 'completed')),
    locked_until          timestamptz not null,
    expires_at            timestamptz not null,
    response_status       int,
    response_content_type text,
    response_location     text,
    response_body_sealed  text,
    created_at            timestamptz not null default now(),
    primary key (tenant_id, principal, key)
);
create index idempotency_keys_expiry_idx on ${flyway:defaultSchema}.idempotency_keys (expires_at);
alter table ${flyway:defaultSchema}.idempotency_keys enable row level security;
alter table ${flyway:defaultSchema}.idempotency_keys force row level security;
create policy idempotency_keys_owner_helpers on ${flyway:defaultSchema}.idempotency_keys for all to ${owner_role} using (true) with check (true);
create policy idempotency_keys_select on ${flyway:defaultSchema}.idempotency_keys for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
           and principal = tenancy.current_user_id());
create policy idempotency_keys_insert on ${flyway:defaultSchema}.idempotency_keys for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
                and principal = tenancy.current_user_id());
create policy idempotency_keys_update on ${flyway:defaultSchema}.idempotency_keys for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
           and principal = tenancy.current_user_id())
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
                and principal = tenancy.current_user_id());
create policy idempotency_keys_delete on ${flyway:defaultSchema}.idempotency_keys for delete to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
           and principal = tenancy.current_user_id());
grant select, insert, update, delete on ${flyway:defaultSchema}.idempotency_keys to ${app_role};

create function ${flyway:defaultSchema}.idempotency_purge() returns void
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$ delete from ${flyway:defaultSchema}.idempotency_keys where expires_at < now() $$;

revoke all on function ${flyway:defaultSchema}.outbox_pending(int), ${flyway:defaultSchema}.outbox_mark_published(bigint[]), ${flyway:defaultSchema}.idempotency_purge() from public;
grant execute on function ${flyway:defaultSchema}.outbox_pending(int), ${flyway:defaultSchema}.outbox_mark_published(bigint[]), ${flyway:defaultSchema}.idempotency_purge()
    to ${app_role};

-- An audit event of this schema's helpers, in the shape of common's AuditEvent (schema version 1).
create function ${flyway:defaultSchema}.audit_event(p_tenant uuid, p_action text, p_actor uuid, p_role text, p_target_type text, p_target_id text,
        p_before jsonb, p_after jsonb, p_details jsonb) returns void
    language sql volatile set search_path = pg_catalog, pg_temp
    as $$
        insert into ${flyway:defaultSchema}.outbox (id, tenant_id, stream, type, subject, data)
        values (gen_random_uuid(), p_tenant, 'audit', p_action, p_target_id,
                jsonb_build_object('schemaVersion', 1, 'action', p_action, 'tenantId', p_tenant,
                    'actor', jsonb_build_object('userId', p_actor, 'role', p_role, 'impersonatorId', null, 'clientIp', null),
                    'target', jsonb_build_object('type', p_target_type, 'id', p_target_id), 'outcome', 'success',
                    'before', p_before, 'after', p_after, 'details', coalesce(p_details, '{}'::jsonb), 'requestId', null))
    $$;
revoke all on function ${flyway:defaultSchema}.audit_event(uuid, text, uuid, text, text, text, jsonb, jsonb, jsonb) from public;
