-- Account security: audit events in the outbox, password history, login throttling, session revocation.

-- Audit events travel through the outbox too, on their own stream (the relay sends them to the audit topic).
-- Platform-level audit events (a failed login names no tenant) have no tenant; only audit events may lack one.
alter table tenancy.outbox add column stream text not null default 'domain' check (stream in ('domain', 'audit'));
alter table tenancy.outbox alter column tenant_id drop not null;
alter table tenancy.outbox add constraint outbox_platform_events_are_audit check (tenant_id is not null or stream = 'audit');
drop policy outbox_insert on tenancy.outbox;
create policy outbox_insert on tenancy.outbox for insert to palisade_services
    with check ((tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
                or (tenant_id is null and stream = 'audit'));

drop function tenancy.outbox_pending(int);
create function tenancy.outbox_pending(p_limit int)
    returns table (seq bigint, id uuid, tenant_id uuid, stream text, type text, subject text, data jsonb, occurred_at timestamptz)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select o.seq, o.id, o.tenant_id, o.stream, o.type, o.subject, o.data, o.occurred_at from tenancy.outbox o
         where o.published_at is null order by o.seq limit p_limit
    $$;
revoke all on function tenancy.outbox_pending(int) from public;
grant execute on function tenancy.outbox_pending(int) to ${app_role};

-- The last password hashes of a user (PBKDF2-SHA256, salted per hash), to refuse reuse. A user's own rows only.
create table tenancy.password_history (
    id         uuid primary key,
    user_id    uuid not null references tenancy.users (id),
    hash       text not null,
    created_at timestamptz not null default now()
);
create index password_history_user_idx on tenancy.password_history (user_id, created_at desc);
alter table tenancy.password_history enable row level security;
alter table tenancy.password_history force row level security;
create policy password_history_owner_helpers on tenancy.password_history for all to ${owner_role} using (true) with check (true);
create policy password_history_own on tenancy.password_history for all to palisade_services
    using (user_id = tenancy.current_user_id()) with check (user_id = tenancy.current_user_id());
grant select, insert, delete on tenancy.password_history to ${app_role};

-- Login throttling, shared by every instance of the service. Keys are a hash of the email address or the
-- client address; no tenant data. Failures inside the sliding window count; a lock grows with each strike.
create table tenancy.login_failures (
    kind      text not null check (kind in ('email', 'ip')),
    key       text not null,
    failed_at timestamptz not null default now()
);
create index login_failures_key_idx on tenancy.login_failures (kind, key, failed_at);

create table tenancy.login_locks (
    kind           text not null check (kind in ('email', 'ip')),
    key            text not null,
    locked_until   timestamptz not null,
    strikes        int not null check (strikes > 0),
    last_locked_at timestamptz not null,
    primary key (kind, key)
);
grant select, insert, update, delete on tenancy.login_failures, tenancy.login_locks to ${app_role};

-- A password change ends every other session of the user, in every tenant (row-level security would limit
-- the app to the current tenant's tokens). Only the caller's own tokens: the user comes from the scope.
create function tenancy.revoke_other_sessions(p_keep_family uuid) returns int
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
        with revoked as (
            update tenancy.refresh_tokens set revoked_at = now()
             where user_id = tenancy.current_user_id() and revoked_at is null
               and family_id is distinct from p_keep_family
            returning 1)
        select count(*)::int from revoked
    $$;
revoke all on function tenancy.revoke_other_sessions(uuid) from public;
grant execute on function tenancy.revoke_other_sessions(uuid) to ${app_role};
