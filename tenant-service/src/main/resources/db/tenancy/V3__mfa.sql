-- Multi-factor authentication: TOTP secrets, recovery codes, login challenges, and the tenant's requirement.

alter table tenancy.tenants add column require_mfa_for_admins boolean not null default false;

-- One authenticator per user. The secret is sealed with the master key (SecretBox); the database never holds
-- it in clear. last_used_step makes every code single use: a code is accepted only for a later time step.
create table tenancy.mfa_totp (
    user_id        uuid primary key references tenancy.users (id),
    secret_sealed  text not null,
    confirmed_at   timestamptz,
    last_used_step bigint not null default 0,
    created_at     timestamptz not null default now()
);

-- Recovery codes: only their SHA-256 is stored; each works once.
create table tenancy.mfa_recovery_codes (
    user_id    uuid not null references tenancy.users (id),
    code_hash  text not null,
    used_at    timestamptz,
    created_at timestamptz not null default now(),
    primary key (user_id, code_hash)
);

-- A login that passed the password and waits for the second factor (or for enrolment, where the tenant
-- requires it). Opaque token, stored as a hash; five minutes; a few wrong codes burn it.
create table tenancy.mfa_challenges (
    id              uuid primary key,
    token_hash      text not null unique,
    user_id         uuid not null references tenancy.users (id),
    tenant_id       uuid references tenancy.tenants (id),
    identifier      text not null,
    step            text not null check (step in ('verify', 'enrol')),
    expires_at      timestamptz not null,
    used_at         timestamptz,
    failed_attempts int not null default 0,
    created_at      timestamptz not null default now()
);

alter table tenancy.mfa_totp enable row level security;
alter table tenancy.mfa_totp force row level security;
create policy mfa_totp_owner_helpers on tenancy.mfa_totp for all to ${owner_role} using (true) with check (true);
create policy mfa_totp_own on tenancy.mfa_totp for all to palisade_services
    using (user_id = tenancy.current_user_id()) with check (user_id = tenancy.current_user_id());

alter table tenancy.mfa_recovery_codes enable row level security;
alter table tenancy.mfa_recovery_codes force row level security;
create policy mfa_recovery_codes_owner_helpers on tenancy.mfa_recovery_codes for all to ${owner_role} using (true) with check (true);
create policy mfa_recovery_codes_own on tenancy.mfa_recovery_codes for all to palisade_services
    using (user_id = tenancy.current_user_id()) with check (user_id = tenancy.current_user_id());

-- Challenges are the user's own; a challenge for a tenant sign-in also needs the membership to be active.
alter table tenancy.mfa_challenges enable row level security;
alter table tenancy.mfa_challenges force row level security;
create policy mfa_challenges_owner_helpers on tenancy.mfa_challenges for all to ${owner_role} using (true) with check (true);
create policy mfa_challenges_select on tenancy.mfa_challenges for select to palisade_services
    using (user_id = tenancy.current_user_id() and (tenant_id is null
           or (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))));
create policy mfa_challenges_insert on tenancy.mfa_challenges for insert to palisade_services
    with check (user_id = tenancy.current_user_id() and (tenant_id is null
           or (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))));
create policy mfa_challenges_update on tenancy.mfa_challenges for update to palisade_services
    using (user_id = tenancy.current_user_id() and (tenant_id is null
           or (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))))
    with check (user_id = tenancy.current_user_id() and (tenant_id is null
           or (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))));
create policy mfa_challenges_delete on tenancy.mfa_challenges for delete to palisade_services
    using (user_id = tenancy.current_user_id() and (tenant_id is null
           or (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))));

grant select, insert, update, delete on tenancy.mfa_totp, tenancy.mfa_recovery_codes to ${app_role};
grant select, insert, update on tenancy.mfa_challenges to ${app_role};

-- The second-factor step presents only the opaque challenge token: whose login, for which tenant.
create function tenancy.mfa_challenge_scope(p_token_hash text)
    returns table (user_id uuid, tenant_id uuid)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select c.user_id, c.tenant_id from tenancy.mfa_challenges c
         where c.token_hash = p_token_hash and c.used_at is null and c.expires_at > now()
    $$;
revoke all on function tenancy.mfa_challenge_scope(text) from public;
grant execute on function tenancy.mfa_challenge_scope(text) to ${app_role};

-- Login lists the tenants with their MFA requirement.
drop function tenancy.login_memberships(uuid);
create function tenancy.login_memberships(p_user uuid)
    returns table (tenant_id uuid, slug text, name text, role text, permissions bigint, require_mfa_for_admins boolean)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select t.id, t.slug, t.name, m.role, m.permissions, t.require_mfa_for_admins
          from tenancy.memberships m join tenancy.tenants t on t.id = m.tenant_id
         where m.user_id = p_user and m.status = 'active' and t.status = 'active'
         order by t.slug
    $$;
revoke all on function tenancy.login_memberships(uuid) from public;
grant execute on function tenancy.login_memberships(uuid) to ${app_role};
