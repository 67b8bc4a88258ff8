-- Integration credentials (API keys, OAuth tokens) under envelope encryption: each tenant has data keys,
-- stored only wrapped by the master key (which lives in the environment, never in the database); each
-- secret is sealed with one of its tenant's data keys and names that key's version.

create table tenancy.tenant_data_keys (
    tenant_id   uuid not null references tenancy.tenants (id),
    version     int not null check (version > 0),
    wrapped_key text not null,
    created_at  timestamptz not null default now(),
    rewrapped_at timestamptz,
    primary key (tenant_id, version)
);

create table tenancy.integration_secrets (
    tenant_id   uuid not null references tenancy.tenants (id),
    provider    text not null check (provider ~ '^[a-z][a-z0-9-]{1,39}$'),
    name        text not null check (name ~ '^[a-z][a-z0-9_]{0,63}$'),
    key_version int not null,
    ciphertext  text not null,
    updated_by  uuid not null,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    primary key (tenant_id, provider, name),
    foreign key (tenant_id, key_version) references tenancy.tenant_data_keys (tenant_id, version)
);

alter table tenancy.tenant_data_keys enable row level security;
alter table tenancy.tenant_data_keys force row level security;
create policy tenant_data_keys_owner_helpers on tenancy.tenant_data_keys for all to ${owner_role} using (true) with check (true);
create policy tenant_data_keys_select on tenancy.tenant_data_keys for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy tenant_data_keys_insert on tenancy.tenant_data_keys for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
-- Data keys are never changed or deleted by requests; only the rotation helper below re-wraps them.

alter table tenancy.integration_secrets enable row level security;
alter table tenancy.integration_secrets force row level security;
create policy integration_secrets_owner_helpers on tenancy.integration_secrets for all to ${owner_role} using (true) with check (true);
create policy integration_secrets_select on tenancy.integration_secrets for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy integration_secrets_insert on tenancy.integration_secrets for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy integration_secrets_update on tenancy.integration_secrets for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy integration_secrets_delete on tenancy.integration_secrets for delete to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));

grant select, insert on tenancy.tenant_data_keys to ${app_role};
grant select, insert, update, delete on tenancy.integration_secrets to ${app_role};

-- Master key rotation (the service's rotate-master-key command): every value sealed directly with the master
-- key, across tenants. These hand out only values sealed under the master key (useless without it) and take
-- back only the same values sealed again; a value that does not match what was read is left alone.
create function tenancy.master_sealed_values()
    returns table (kind text, id text, sealed text)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select 'data_key', k.tenant_id || '/' || k.version, k.wrapped_key from tenancy.tenant_data_keys k
        union all
        select 'totp_secret', t.user_id::text, t.secret_sealed from tenancy.mfa_totp t
        union all
        select 'signing_key', s.kid, s.private_key_sealed from tenancy.signing_keys s
    $$;

create function tenancy.reseal_master_sealed_value(p_kind text, p_id text, p_old text, p_new text) returns boolean
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
        else
            raise exception 'unknown sealed value kind %', p_kind;
        end if;
        return found;
    end
    $$;

revoke all on function tenancy.master_sealed_values(), tenancy.reseal_master_sealed_value(text, text, text, text) from public;
grant execute on function tenancy.master_sealed_values(), tenancy.reseal_master_sealed_value(text, text, text, text) to ${app_role};
