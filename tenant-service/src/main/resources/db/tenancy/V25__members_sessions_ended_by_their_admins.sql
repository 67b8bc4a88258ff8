-- An owner or admin ends every session a member has in their tenant when the member's authority changes or the member
-- is removed (MemberRepository.endSessions), as plain SQL under their own scope instead of a definer. These policies let
-- an active owner or admin of the scope's tenant see that tenant's refresh tokens (hashes of random tokens, useless to
-- anyone) and revoke them: an update that leaves them revoked, nothing else.
create policy refresh_tokens_admin_read on tenancy.refresh_tokens for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
           and (select a.role from tenancy.current_authority() a) in ('owner', 'admin'));
create policy refresh_tokens_admin_revoke on tenancy.refresh_tokens for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
           and (select a.role from tenancy.current_authority() a) in ('owner', 'admin'))
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
                and (select a.role from tenancy.current_authority() a) in ('owner', 'admin') and revoked_at is not null);

drop function tenancy.end_member_sessions(uuid);
