-- Each policy binds what it admits at its top level, where SecurityDefiners reads it (docs/database.md): a tenant, or
-- an allow-listed bound. Two policies that ORed their cases are split, with the same effect.

-- A guest or a platform admin under support access appends audit events to the tenant's own log (and nothing else);
-- a member's events and the audit events of no tenant are common's policies (db/outbox-relay), as in every schema.
create policy outbox_guest_or_support_audit on tenancy.outbox for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and stream = 'audit'
                and ((select tenancy.is_guest(tenancy.current_tenant_id())) or (select tenancy.is_platform_admin())));

-- A user sees themselves, and the members of the tenant they act in.
drop policy users_select on tenancy.users;
create policy users_select_own on tenancy.users for select to palisade_services
    using (id = tenancy.current_user_id());
create policy users_select_members on tenancy.users for select to palisade_services
    using ((select tenancy.is_active_member(tenancy.current_tenant_id()))
           and exists (select 1 from tenancy.memberships m where m.tenant_id = tenancy.current_tenant_id() and m.user_id = users.id));
