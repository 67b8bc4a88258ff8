-- A support session leaves nothing behind (docs/support-access.md): an endpoint registered under it would keep
-- receiving the tenant's events after the session. Under a support scope endpoints can be read, never written.
drop policy endpoints_tenant on webhook.endpoints;
create policy endpoints_select on webhook.endpoints for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy endpoints_insert on webhook.endpoints for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
                and current_setting('app.principal', true) is distinct from 'support');
create policy endpoints_update on webhook.endpoints for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
           and current_setting('app.principal', true) is distinct from 'support')
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy endpoints_delete on webhook.endpoints for delete to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
           and current_setting('app.principal', true) is distinct from 'support');
