-- Enterprise SSO: a tenant's own OIDC identity provider, and which IdP accounts are which members.

create table tenancy.sso_providers (
    tenant_id            uuid primary key references tenancy.tenants (id),
    issuer               text not null check (length(issuer) between 8 and 500),
    client_id            text not null check (length(client_id) between 1 and 200),
    client_secret_sealed text not null,
    updated_by           uuid not null,
    created_at           timestamptz not null default now(),
    updated_at           timestamptz not null default now()
);

-- An IdP account (issuer + subject) linked to one member of the tenant, on their first SSO sign-in.
create table tenancy.sso_identities (
    tenant_id    uuid not null references tenancy.tenants (id),
    issuer       text not null,
    subject      text not null,
    user_id      uuid not null references tenancy.users (id),
    created_at   timestamptz not null default now(),
    last_used_at timestamptz not null default now(),
    primary key (tenant_id, issuer, subject)
);

alter table tenancy.sso_providers enable row level security;
alter table tenancy.sso_providers force row level security;
create policy sso_providers_owner_helpers on tenancy.sso_providers for all to ${owner_role} using (true) with check (true);
create policy sso_providers_select on tenancy.sso_providers for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy sso_providers_insert on tenancy.sso_providers for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy sso_providers_update on tenancy.sso_providers for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy sso_providers_delete on tenancy.sso_providers for delete to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));

alter table tenancy.sso_identities enable row level security;
alter table tenancy.sso_identities force row level security;
create policy sso_identities_owner_helpers on tenancy.sso_identities for all to ${owner_role} using (true) with check (true);
create policy sso_identities_select on tenancy.sso_identities for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy sso_identities_delete on tenancy.sso_identities for delete to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));

grant select, insert, update, delete on tenancy.sso_providers to ${app_role};
grant select, delete on tenancy.sso_identities to ${app_role};

-- The sign-in page of a tenant's SSO, before anyone is signed in: its provider settings.
create function tenancy.sso_provider(p_slug text)
    returns table (tenant_id uuid, issuer text, client_id text, client_secret_sealed text, updated_at timestamptz)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select p.tenant_id, p.issuer, p.client_id, p.client_secret_sealed, p.updated_at
          from tenancy.sso_providers p join tenancy.tenants t on t.id = p.tenant_id
         where t.slug = p_slug and t.status = 'active'
    $$;

-- After the IdP vouched for (issuer, subject, email): the member of THIS tenant they are. A linked account
-- first; otherwise the active member with that email, who is linked from now on. Never a member of another
-- tenant, never a new member: owners invite staff first.
create function tenancy.sso_member(p_tenant uuid, p_issuer text, p_subject text, p_email text)
    returns table (user_id uuid)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_user uuid;
    begin
        if not exists (select 1 from tenancy.sso_providers p where p.tenant_id = p_tenant and p.issuer = p_issuer) then
            return;
        end if;
        select i.user_id into v_user from tenancy.sso_identities i
         where i.tenant_id = p_tenant and i.issuer = p_issuer and i.subject = p_subject;
        if v_user is null and p_email is not null then
            select u.id into v_user from tenancy.users u
             where u.email = lower(p_email)
               and not exists (select 1 from tenancy.sso_identities i where i.tenant_id = p_tenant and i.user_id = u.id);
            if v_user is not null then
                insert into tenancy.sso_identities (tenant_id, issuer, subject, user_id)
                select p_tenant, p_issuer, p_subject, v_user
                 where exists (select 1 from tenancy.memberships m where m.tenant_id = p_tenant and m.user_id = v_user and m.status = 'active');
            end if;
        end if;
        if v_user is null or not exists (select 1 from tenancy.memberships m join tenancy.users u on u.id = m.user_id
                                           where m.tenant_id = p_tenant and m.user_id = v_user and m.status = 'active'
                                             and u.status = 'active') then
            return;
        end if;
        update tenancy.sso_identities i set last_used_at = now()
         where i.tenant_id = p_tenant and i.issuer = p_issuer and i.subject = p_subject;
        return query select v_user;
    end
    $$;

revoke all on function tenancy.sso_provider(text), tenancy.sso_member(uuid, text, text, text) from public;
grant execute on function tenancy.sso_provider(text), tenancy.sso_member(uuid, text, text, text) to ${app_role};

-- The client secrets are sealed with the master key too: master key rotation covers them.
create or replace function tenancy.master_sealed_values()
    returns table (kind text, id text, sealed text)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select 'data_key', k.tenant_id || '/' || k.version, k.wrapped_key from tenancy.tenant_data_keys k
        union all
        select 'totp_secret', t.user_id::text, t.secret_sealed from tenancy.mfa_totp t
        union all
        select 'signing_key', s.kid, s.private_key_sealed from tenancy.signing_keys s
        union all
        select 'sso_client_secret', p.tenant_id::text, p.client_secret_sealed from tenancy.sso_providers p
    $$;

create or replace function tenancy.reseal_master_sealed_value(p_kind text, p_id text, p_old text, p_new text) returns boolean
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    begin
        if p_kind = 'data_key' then
            update tenancy.tenant_data_keys set wrapped_key = p_new, rewrapped_at = now()
             where tenant_id || '/' || version = p_id and wrapped_key = p_old;
        elsif p_kind = 'totp_secret' then
            update tenancy.mfa_totp set secret_sealed = p_new where user_id::text = p_id and secret_sealed = p_old;
        elsif p_kind = 'signing_key' then
            update tenancy.signing_keys set private_key_sealed = p_new where kid = p_id and private_key_sealed = p_old;
        elsif p_kind = 'sso_client_secret' then
            update tenancy.sso_providers set client_secret_sealed = p_new where tenant_id::text = p_id and client_secret_sealed = p_old;
        else
            raise exception 'unknown sealed value kind %', p_kind;
        end if;
        return found;
    end
    $$;
