-- A user's own sessions, in every tenant they belong to, whatever the state of those memberships: the user's own
-- scope (DbScope.user: a user and no tenant) may read their refresh tokens and revoke them (an update that leaves the
-- token revoked, nothing else). Logout and a token presented again end the token's family, and a password change ends
-- the user's other sessions, as plain SQL under that scope instead of two definers (AccountRepository.revokeFamilyOf,
-- PasswordRepository.revokeOtherSessions). A scope in a tenant still sees only what its membership gives.
create policy refresh_tokens_own_read on tenancy.refresh_tokens for select to palisade_services
    using (user_id = tenancy.current_user_id() and tenancy.current_tenant_id() is null);
create policy refresh_tokens_own_revoke on tenancy.refresh_tokens for update to palisade_services
    using (user_id = tenancy.current_user_id() and tenancy.current_tenant_id() is null)
    with check (user_id = tenancy.current_user_id() and tenancy.current_tenant_id() is null and revoked_at is not null);

drop function tenancy.revoke_other_sessions(uuid);
drop function tenancy.revoke_refresh_family(text);
create index refresh_tokens_user_idx on tenancy.refresh_tokens (user_id);
create index refresh_tokens_family_of_idx on tenancy.refresh_tokens (family_id);
