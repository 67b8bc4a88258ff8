-- The platform admins' compliance feed: every tenant's entries, to a transaction with no tenant whose user the
-- database itself knows as an active platform admin (tenancy.is_platform_admin, not the token's word). A
-- platform admin inside a tenant (support access) has a tenant set and sees that tenant's entries only.
create policy ledger_platform_feed on audit.ledger for select to palisade_services
    using (tenancy.current_tenant_id() is null and (select tenancy.is_platform_admin()));
