-- A support session leaves nothing behind (docs/support-access.md): under a support scope the database refuses writes
-- to SSO providers and identities, integration secrets and data keys, as it already does for memberships and
-- invitations. Reading them stays possible (support looks, the tenant's own people change).
drop policy sso_providers_insert on tenancy.sso_providers;
create policy sso_providers_insert on tenancy.sso_providers for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
                and current_setting('app.principal', true) is distinct from 'support');
drop policy sso_providers_update on tenancy.sso_providers;
create policy sso_providers_update on tenancy.sso_providers for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
           and current_setting('app.principal', true) is distinct from 'support')
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
drop policy sso_providers_delete on tenancy.sso_providers;
create policy sso_providers_delete on tenancy.sso_providers for delete to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
           and current_setting('app.principal', true) is distinct from 'support');
drop policy sso_identities_delete on tenancy.sso_identities;
create policy sso_identities_delete on tenancy.sso_identities for delete to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
           and current_setting('app.principal', true) is distinct from 'support');

drop policy integration_secrets_insert on tenancy.integration_secrets;
create policy integration_secrets_insert on tenancy.integration_secrets for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
                and current_setting('app.principal', true) is distinct from 'support');
drop policy integration_secrets_update on tenancy.integration_secrets;
create policy integration_secrets_update on tenancy.integration_secrets for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
           and current_setting('app.principal', true) is distinct from 'support')
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
drop policy integration_secrets_delete on tenancy.integration_secrets;
create policy integration_secrets_delete on tenancy.integration_secrets for delete to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
           and current_setting('app.principal', true) is distinct from 'support');
drop policy tenant_data_keys_insert on tenancy.tenant_data_keys;
create policy tenant_data_keys_insert on tenancy.tenant_data_keys for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
                and current_setting('app.principal', true) is distinct from 'support');
