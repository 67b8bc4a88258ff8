-- Palisade's database bootstrap: group role, login roles, schemas and grants, as docs/database.md describes.
-- Run as a superuser in the palisade database, after it was created: by dev-stack (local platform and tests) and
-- by the platform chart's CloudNativePG Cluster (postInitApplicationSQL), unchanged. Idempotent. It sets no
-- passwords: dev-stack sets them right after, CloudNativePG's managed roles take them from Secrets.
-- Per service: the schema's owner (migrations only) and the login role the running service uses.

do $$
declare
    r text;
begin
    if not exists (select from pg_roles where rolname = 'palisade_services') then
        create role palisade_services nologin;
    end if;
    foreach r in array array['tenancy_owner', 'tenant_service', 'booking_owner', 'booking_service', 'payment_owner',
                             'payment_service', 'audit_owner', 'audit_service', 'webhook_owner', 'webhook_service'] loop
        if not exists (select from pg_roles where rolname = r) then
            execute format('create role %I login', r);
        end if;
        -- Never superuser, never BYPASSRLS, no DDL outside the own schema: row-level security binds every role.
        execute format('alter role %I login nosuperuser nocreatedb nocreaterole noreplication nobypassrls', r);
    end loop;
end
$$;

revoke all on database palisade from public;
revoke create on schema public from public;

-- Every service login role is a member of palisade_services, to which tenancy grants its RLS helper functions.
grant palisade_services to tenant_service, booking_service, payment_service, audit_service, webhook_service;
grant connect on database palisade to tenancy_owner, tenant_service, booking_owner, booking_service, payment_owner, payment_service,
    audit_owner, audit_service, webhook_owner, webhook_service;

create schema if not exists tenancy authorization tenancy_owner;
create schema if not exists booking authorization booking_owner;
create schema if not exists payment authorization payment_owner;
create schema if not exists audit authorization audit_owner;
create schema if not exists webhook authorization webhook_owner;

revoke all on schema tenancy, booking, payment, audit, webhook from public;
grant usage on schema tenancy to tenant_service;
grant usage on schema booking to booking_service;
grant usage on schema payment to payment_service;
grant usage on schema audit to audit_service;
grant usage on schema webhook to webhook_service;

-- Every schema's policies call tenancy's helpers (tenancy.current_tenant_id, is_active_member): its owner must be
-- able to name them. Usage only: the helpers' EXECUTE grants stay with tenancy.
grant usage on schema tenancy to booking_owner, payment_owner, audit_owner, webhook_owner;
