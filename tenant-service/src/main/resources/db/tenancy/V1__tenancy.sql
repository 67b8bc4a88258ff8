-- tenancy schema: tenants, users, memberships, invitations, refresh tokens, signing keys.
-- Runs as the schema owner (${owner_role}); the service connects as ${app_role}.
--
-- Row-level security pattern of every tenant-scoped table (docs/database.md):
--   * ENABLE and FORCE row level security;
--   * for the service roles (group palisade_services), one policy per command with two checks: the row's
--     tenant is the transaction's tenant, and the transaction's user is an active member of that tenant;
--   * for the owner role, one policy that lets the few SECURITY DEFINER helpers below work. The owner holds
--     DDL on its schema anyway; it never serves requests.

create function tenancy.current_tenant_id() returns uuid
    language sql stable parallel safe
    as $$ select nullif(current_setting('app.tenant_id', true), '')::uuid $$;

create function tenancy.current_user_id() returns uuid
    language sql stable parallel safe
    as $$ select nullif(current_setting('app.user_id', true), '')::uuid $$;

create table tenancy.tenants (
    id          uuid primary key,
    slug        text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$'),
    name        text not null check (length(name) between 1 and 200),
    status      text not null default 'active' check (status in ('active', 'suspended')),
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now()
);

create table tenancy.users (
    id             uuid primary key,
    email          text not null check (email = lower(email) and length(email) between 3 and 254),
    display_name   text not null check (length(display_name) between 1 and 200),
    password_hash  text not null,
    platform_admin boolean not null default false,
    status         text not null default 'active' check (status in ('active', 'disabled')),
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now()
);
create unique index users_email_key on tenancy.users (email);

create table tenancy.memberships (
    tenant_id   uuid not null references tenancy.tenants (id),
    user_id     uuid not null references tenancy.users (id),
    role        text not null check (role in ('owner', 'admin', 'staff')),
    permissions bigint not null default 0 check (permissions >= 0),
    status      text not null default 'active' check (status in ('active', 'suspended', 'removed')),
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    primary key (tenant_id, user_id)
);
-- Login lists one user's memberships across tenants (through login_memberships below only).
create index memberships_user_idx on tenancy.memberships (user_id, tenant_id);

create table tenancy.invitations (
    id          uuid primary key,
    tenant_id   uuid not null references tenancy.tenants (id),
    email       text not null check (email = lower(email)),
    role        text not null check (role in ('admin', 'staff')),
    permissions bigint not null default 0 check (permissions >= 0),
    token_hash  text not null unique,
    invited_by  uuid not null references tenancy.users (id),
    expires_at  timestamptz not null,
    accepted_at timestamptz,
    accepted_by uuid references tenancy.users (id),
    revoked_at  timestamptz,
    created_at  timestamptz not null default now()
);
create index invitations_tenant_idx on tenancy.invitations (tenant_id, created_at, id);

create table tenancy.refresh_tokens (
    id          uuid primary key,
    tenant_id   uuid not null references tenancy.tenants (id),
    user_id     uuid not null references tenancy.users (id),
    family_id   uuid not null,
    token_hash  text not null unique,
    expires_at  timestamptz not null,
    used_at     timestamptz,
    revoked_at  timestamptz,
    created_at  timestamptz not null default now()
);
create index refresh_tokens_family_idx on tenancy.refresh_tokens (tenant_id, family_id);

-- Transactional outbox: events are written in the same transaction as the change they describe, and the
-- relay (common: OutboxRelay) publishes them to Kafka in order. Tenant-scoped like every table.
create table tenancy.outbox (
    seq          bigserial primary key,
    id           uuid not null unique,
    tenant_id    uuid not null references tenancy.tenants (id),
    type         text not null,
    subject      text,
    data         jsonb not null,
    occurred_at  timestamptz not null default now(),
    published_at timestamptz
);
create index outbox_tenant_idx on tenancy.outbox (tenant_id, seq);
-- The relay reads across tenants in commit order (through outbox_pending only).
create index outbox_pending_idx on tenancy.outbox (seq) where published_at is null;

-- Idempotency-Key records (common: IdempotencyInterceptor), per tenant and principal.
create table tenancy.idempotency_keys (
    tenant_id             uuid not null references tenancy.tenants (id),
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
-- The purge deletes across tenants by expiry (through idempotency_purge only).
create index idempotency_keys_expiry_idx on tenancy.idempotency_keys (expires_at);

-- Platform-level, not tenant data: the token signing keys (private halves sealed with the master key).
create table tenancy.signing_keys (
    kid                text primary key,
    public_jwk         jsonb not null,
    private_key_sealed text not null,
    created_at         timestamptz not null default now(),
    -- Published at once, signs only from here: verifiers have fetched it by then (staged rotation).
    activates_at       timestamptz not null default now(),
    retired_at         timestamptz
);

-- ---------------------------------------------------------------------------------------------------------
-- Helpers. SECURITY DEFINER with a fixed search_path; each does one narrow thing.

-- The membership check of every staff policy, in every schema.
create function tenancy.is_active_member(p_tenant uuid) returns boolean
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select exists (select 1 from tenancy.memberships m join tenancy.tenants t on t.id = m.tenant_id
                                 join tenancy.users u on u.id = m.user_id
                        where m.tenant_id = p_tenant and m.user_id = tenancy.current_user_id()
                          and m.status = 'active' and t.status = 'active' and u.status = 'active')
    $$;

-- Self-serve signup: the first member of a tenant without members may add themselves as its owner.
create function tenancy.has_members(p_tenant uuid) returns boolean
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$ select exists (select 1 from tenancy.memberships m where m.tenant_id = p_tenant) $$;

-- Login, before any scope exists: the credentials of one email address.
create function tenancy.find_login(p_email text)
    returns table (user_id uuid, password_hash text, status text, platform_admin boolean)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$ select u.id, u.password_hash, u.status, u.platform_admin from tenancy.users u where u.email = lower(p_email) $$;

-- Login, after the password was verified: the tenants this user may choose from.
create function tenancy.login_memberships(p_user uuid)
    returns table (tenant_id uuid, slug text, name text, role text, permissions bigint)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select t.id, t.slug, t.name, m.role, m.permissions
          from tenancy.memberships m join tenancy.tenants t on t.id = m.tenant_id
         where m.user_id = p_user and m.status = 'active' and t.status = 'active'
         order by t.slug
    $$;

-- Refresh and logout present only the opaque token: which tenant and user it belongs to.
create function tenancy.refresh_token_scope(p_token_hash text)
    returns table (tenant_id uuid, user_id uuid)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$ select r.tenant_id, r.user_id from tenancy.refresh_tokens r where r.token_hash = p_token_hash $$;

-- Accepting an invitation: who was invited, to which tenant (only for a pending, unexpired invitation).
create function tenancy.pending_invitation(p_token_hash text)
    returns table (invitation_id uuid, tenant_id uuid, email text)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select i.id, i.tenant_id, i.email from tenancy.invitations i join tenancy.tenants t on t.id = i.tenant_id
         where i.token_hash = p_token_hash and i.accepted_at is null and i.revoked_at is null
           and i.expires_at > now() and t.status = 'active'
    $$;

-- The invitee joins: only the user whose email was invited, only once, only before it expires.
create function tenancy.accept_invitation(p_token_hash text, p_user uuid) returns uuid
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        inv tenancy.invitations%rowtype;
    begin
        select i.* into inv from tenancy.invitations i
         where i.token_hash = p_token_hash and i.accepted_at is null and i.revoked_at is null and i.expires_at > now()
           for update;
        if not found then
            return null;
        end if;
        if not exists (select 1 from tenancy.users u where u.id = p_user and u.email = inv.email and u.status = 'active') then
            return null;
        end if;
        insert into tenancy.memberships (tenant_id, user_id, role, permissions, status)
        values (inv.tenant_id, p_user, inv.role, inv.permissions, 'active')
        on conflict (tenant_id, user_id) do update
           set role = excluded.role, permissions = excluded.permissions, status = 'active', updated_at = now()
         where tenancy.memberships.role <> 'owner';
        update tenancy.invitations set accepted_at = now(), accepted_by = p_user where id = inv.id;
        -- The invitee is no member yet, so this helper records member.joined itself, in the same transaction.
        insert into tenancy.outbox (id, tenant_id, type, subject, data)
        values (gen_random_uuid(), inv.tenant_id, 'member.joined', p_user::text,
                jsonb_build_object('invitation', inv.id, 'role', inv.role, 'permissions', inv.permissions));
        return inv.tenant_id;
    end
    $$;

-- The platform's first operator, from configuration, only while there is none (the app cannot set
-- platform_admin any other way: its column privileges exclude it).
create function tenancy.ensure_platform_admin(p_id uuid, p_email text, p_display_name text, p_password_hash text)
    returns boolean
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
        with created as (
            insert into tenancy.users (id, email, display_name, password_hash, platform_admin)
            select p_id, lower(p_email), p_display_name, p_password_hash, true
             where not exists (select 1 from tenancy.users where platform_admin)
            on conflict (email) do nothing returning 1)
        select exists (select 1 from created)
    $$;

revoke all on function tenancy.ensure_platform_admin(uuid, text, text, text) from public;
grant execute on function tenancy.ensure_platform_admin(uuid, text, text, text) to ${app_role};
revoke all on function tenancy.is_active_member(uuid), tenancy.has_members(uuid), tenancy.find_login(text),
    tenancy.login_memberships(uuid), tenancy.refresh_token_scope(text), tenancy.pending_invitation(text),
    tenancy.accept_invitation(text, uuid) from public;
grant usage on schema tenancy to palisade_services;
grant execute on function tenancy.current_tenant_id(), tenancy.current_user_id(), tenancy.is_active_member(uuid)
    to palisade_services;
grant execute on function tenancy.has_members(uuid), tenancy.find_login(text), tenancy.login_memberships(uuid),
    tenancy.refresh_token_scope(text), tenancy.pending_invitation(text), tenancy.accept_invitation(text, uuid)
    to ${app_role};

-- ---------------------------------------------------------------------------------------------------------
-- Row-level security.

alter table tenancy.tenants enable row level security;
alter table tenancy.tenants force row level security;
create policy tenants_owner_helpers on tenancy.tenants for all to ${owner_role} using (true) with check (true);
create policy tenants_select on tenancy.tenants for select to palisade_services
    using (id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
-- A new tenant has no members yet: creating it needs only the transaction's tenant to be its id.
create policy tenants_insert on tenancy.tenants for insert to palisade_services
    with check (id = tenancy.current_tenant_id() and not tenancy.has_members(id));
create policy tenants_update on tenancy.tenants for update to palisade_services
    using (id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
    with check (id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy tenants_delete on tenancy.tenants for delete to palisade_services
    using (id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));

alter table tenancy.memberships enable row level security;
alter table tenancy.memberships force row level security;
create policy memberships_owner_helpers on tenancy.memberships for all to ${owner_role} using (true) with check (true);
create policy memberships_select on tenancy.memberships for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy memberships_insert on tenancy.memberships for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id()
                and ((select tenancy.is_active_member(tenancy.current_tenant_id()))
                     or (user_id = tenancy.current_user_id() and role = 'owner' and not tenancy.has_members(tenant_id))));
create policy memberships_update on tenancy.memberships for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy memberships_delete on tenancy.memberships for delete to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));

alter table tenancy.invitations enable row level security;
alter table tenancy.invitations force row level security;
create policy invitations_owner_helpers on tenancy.invitations for all to ${owner_role} using (true) with check (true);
create policy invitations_select on tenancy.invitations for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy invitations_insert on tenancy.invitations for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy invitations_update on tenancy.invitations for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy invitations_delete on tenancy.invitations for delete to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));

-- Refresh tokens: additionally only the token's own user.
alter table tenancy.refresh_tokens enable row level security;
alter table tenancy.refresh_tokens force row level security;
create policy refresh_tokens_owner_helpers on tenancy.refresh_tokens for all to ${owner_role} using (true) with check (true);
create policy refresh_tokens_select on tenancy.refresh_tokens for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
           and user_id = tenancy.current_user_id());
create policy refresh_tokens_insert on tenancy.refresh_tokens for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
                and user_id = tenancy.current_user_id());
create policy refresh_tokens_update on tenancy.refresh_tokens for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
           and user_id = tenancy.current_user_id())
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
                and user_id = tenancy.current_user_id());
create policy refresh_tokens_delete on tenancy.refresh_tokens for delete to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
           and user_id = tenancy.current_user_id());

-- Users are people, not tenant rows: a user sees themselves, and the members of the tenant they act in.
alter table tenancy.users enable row level security;
alter table tenancy.users force row level security;
create policy users_owner_helpers on tenancy.users for all to ${owner_role} using (true) with check (true);
create policy users_select on tenancy.users for select to palisade_services
    using (id = tenancy.current_user_id()
           or ((select tenancy.is_active_member(tenancy.current_tenant_id()))
               and exists (select 1 from tenancy.memberships m
                            where m.tenant_id = tenancy.current_tenant_id() and m.user_id = users.id)));
create policy users_insert on tenancy.users for insert to palisade_services with check (id = tenancy.current_user_id());
create policy users_update on tenancy.users for update to palisade_services
    using (id = tenancy.current_user_id()) with check (id = tenancy.current_user_id());
create policy users_delete on tenancy.users for delete to palisade_services using (false);

grant select, insert, update on tenancy.tenants, tenancy.memberships, tenancy.invitations,
    tenancy.refresh_tokens to ${app_role};
grant select on tenancy.users to ${app_role};
grant insert (id, email, display_name, password_hash) on tenancy.users to ${app_role};
grant update (display_name, password_hash, status, updated_at) on tenancy.users to ${app_role};
grant select, insert, update on tenancy.signing_keys to ${app_role};

-- Isolation proof: exact row counts of this schema's tables across all tenants (a count, never contents).
create function tenancy.total_rows(p_table regclass) returns bigint
    language plpgsql stable security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        n bigint;
    begin
        if (select c.relnamespace::regnamespace::text from pg_class c where c.oid = p_table) <> 'tenancy' then
            raise exception 'tenancy.total_rows counts only tenancy tables';
        end if;
        execute format('select count(*) from %s', p_table) into n;
        return n;
    end
    $$;
revoke all on function tenancy.total_rows(regclass) from public;
grant execute on function tenancy.total_rows(regclass) to palisade_services;

-- Outbox: row-level security and the relay's helpers.
alter table tenancy.outbox enable row level security;
alter table tenancy.outbox force row level security;
create policy outbox_owner_helpers on tenancy.outbox for all to ${owner_role} using (true) with check (true);
create policy outbox_select on tenancy.outbox for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy outbox_insert on tenancy.outbox for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy outbox_update on tenancy.outbox for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy outbox_delete on tenancy.outbox for delete to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));

create function tenancy.outbox_pending(p_limit int)
    returns table (seq bigint, id uuid, tenant_id uuid, type text, subject text, data jsonb, occurred_at timestamptz)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select o.seq, o.id, o.tenant_id, o.type, o.subject, o.data, o.occurred_at from tenancy.outbox o
         where o.published_at is null order by o.seq limit p_limit
    $$;

-- Exactly the rows that were sent: a row committed meanwhile with a lower seq is still pending.
create function tenancy.outbox_mark_published(p_seqs bigint[]) returns void
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$ update tenancy.outbox set published_at = now() where seq = any(p_seqs) and published_at is null $$;

revoke all on function tenancy.outbox_pending(int), tenancy.outbox_mark_published(bigint[]) from public;
grant execute on function tenancy.outbox_pending(int), tenancy.outbox_mark_published(bigint[]) to ${app_role};
grant select, insert on tenancy.outbox to ${app_role};
grant usage on sequence tenancy.outbox_seq_seq to ${app_role};

-- Idempotency records: row-level security (additionally only the caller's own keys) and the purge.
alter table tenancy.idempotency_keys enable row level security;
alter table tenancy.idempotency_keys force row level security;
create policy idempotency_keys_owner_helpers on tenancy.idempotency_keys for all to ${owner_role} using (true) with check (true);
create policy idempotency_keys_select on tenancy.idempotency_keys for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
           and principal = tenancy.current_user_id());
create policy idempotency_keys_insert on tenancy.idempotency_keys for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
                and principal = tenancy.current_user_id());
create policy idempotency_keys_update on tenancy.idempotency_keys for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
           and principal = tenancy.current_user_id())
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
                and principal = tenancy.current_user_id());
create policy idempotency_keys_delete on tenancy.idempotency_keys for delete to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
           and principal = tenancy.current_user_id());

create function tenancy.idempotency_purge() returns void
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$ delete from tenancy.idempotency_keys where expires_at < now() $$;
revoke all on function tenancy.idempotency_purge() from public;
grant execute on function tenancy.idempotency_purge() to ${app_role};
grant select, insert, update, delete on tenancy.idempotency_keys to ${app_role};
