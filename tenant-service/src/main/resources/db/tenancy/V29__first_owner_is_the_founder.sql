-- Self-serve signup: the first owner of a new tenant is whoever founded it in this very transaction (founded_by, the
-- scope's user, and created_at, the transaction's start), checked under row-level security. This replaces the definer
-- tenancy.has_members, which looked past RLS to see whether a tenant had members yet.
alter table tenancy.tenants add column founded_by uuid references tenancy.users (id);

drop policy tenants_insert on tenancy.tenants;
create policy tenants_insert on tenancy.tenants for insert to palisade_services
    with check (id = tenancy.current_tenant_id() and founded_by = tenancy.current_user_id() and created_at = now());
-- Its founding transaction, and nothing later, reads the tenant it created: to check the first owner below.
create policy tenants_founding_read on tenancy.tenants for select to palisade_services
    using (id = tenancy.current_tenant_id() and founded_by = tenancy.current_user_id() and created_at = now());

drop policy memberships_insert on tenancy.memberships;
create policy memberships_insert on tenancy.memberships for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id()
                and current_setting('app.principal', true) is distinct from 'support'
                and ((select tenancy.is_active_member(tenancy.current_tenant_id()))
                     or (user_id = tenancy.current_user_id() and role = 'owner'
                         and exists (select 1 from tenancy.tenants t where t.id = memberships.tenant_id
                                      and t.founded_by = tenancy.current_user_id() and t.created_at = now()))));

-- Members change a tenant's name and settings, never who founded it or when (which the checks above read).
revoke update on tenancy.tenants from ${app_role};
grant update (name, require_mfa_for_admins, updated_at) on tenancy.tenants to ${app_role};

drop function tenancy.has_members(uuid);
