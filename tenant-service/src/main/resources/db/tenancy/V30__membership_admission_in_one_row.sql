-- A membership admits its user to its tenant when it, its tenant and its user are all active. Every policy asks that
-- on every statement (tenancy.is_active_member), and joining the three rows to answer cost three index lookups a
-- check; the membership row now carries the answer, admitted, which the triggers below keep current whenever any of
-- the three rows' status changes (docs/performance.md, B1). Nobody writes admitted: its trigger recomputes it on every
-- insert and update of the row, whatever the statement said.
alter table tenancy.memberships add column admitted boolean not null default false;

-- Locks the tenant and the user row FOR SHARE, whatever their status: a suspension or a disabling that is running waits
-- for this membership's transaction, or this one waits for it and reads the status it committed. Either way the
-- status trigger below sees this membership, or this membership sees the status. Plain, not a definer: only the
-- definer triggers below call it, as the schema owner.
create function tenancy.membership_admits(p_tenant uuid, p_user uuid, p_status text) returns boolean
    language plpgsql volatile set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_tenant_active boolean;
        v_user_active boolean;
    begin
        select t.status = 'active' into v_tenant_active from tenancy.tenants t where t.id = p_tenant for share;
        select u.status = 'active' into v_user_active from tenancy.users u where u.id = p_user for share;
        return p_status = 'active' and coalesce(v_tenant_active, false) and coalesce(v_user_active, false);
    end
    $$;
revoke all on function tenancy.membership_admits(uuid, uuid, text) from public;

-- A definer because the writer's scope need not read the tenant or the user (an invitee is no member yet).
create function tenancy.membership_admission() returns trigger
    language plpgsql security definer set search_path = pg_catalog, pg_temp
    as $$
    begin
        new.admitted := tenancy.membership_admits(new.tenant_id, new.user_id, new.status);
        return new;
    end
    $$;
revoke all on function tenancy.membership_admission() from public;
create trigger memberships_admission before insert or update on tenancy.memberships
    for each row execute function tenancy.membership_admission();

-- Definers because a tenant's status reaches memberships its changer may not write, and a user's reaches their
-- memberships in every tenant.
create function tenancy.tenant_status_reaches_memberships() returns trigger
    language plpgsql security definer set search_path = pg_catalog, pg_temp
    as $$
    begin
        update tenancy.memberships m set admitted = tenancy.membership_admits(m.tenant_id, m.user_id, m.status)
         where m.tenant_id = new.id;
        return null;
    end
    $$;
revoke all on function tenancy.tenant_status_reaches_memberships() from public;
create trigger tenants_status_reaches_memberships after update of status on tenancy.tenants
    for each row when (old.status is distinct from new.status) execute function tenancy.tenant_status_reaches_memberships();

create function tenancy.user_status_reaches_memberships() returns trigger
    language plpgsql security definer set search_path = pg_catalog, pg_temp
    as $$
    begin
        update tenancy.memberships m set admitted = tenancy.membership_admits(m.tenant_id, m.user_id, m.status)
         where m.user_id = new.id;
        return null;
    end
    $$;
revoke all on function tenancy.user_status_reaches_memberships() from public;
create trigger users_status_reaches_memberships after update of status on tenancy.users
    for each row when (old.status is distinct from new.status) execute function tenancy.user_status_reaches_memberships();

-- Every membership as it stands.
update tenancy.memberships m set admitted = tenancy.membership_admits(m.tenant_id, m.user_id, m.status);
