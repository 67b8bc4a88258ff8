-- Accepting an invitation runs as plain SQL under row-level security instead of through a definer: the definer
-- tenancy.pending_invitation learns the invitation's tenant from its token's hash, then the transaction is scoped as
-- the invitee (DbScope.invitee: that tenant, the signed-in user, app.principal = 'invitee', and app.invitation, the
-- token's hash, which proves the invitation as the token did). Its policies admit that invitation alone, its
-- acceptance only by a user whose own email it is made out to, and a membership only on the terms of an invitation
-- that user accepted in this very transaction.
-- (The email is read from tenancy.users in the accept policy only: users' member policy reads memberships, so a
-- memberships policy that read users through invitations would recurse.)
create policy invitations_invitee_read on tenancy.invitations for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'invitee'
           and token_hash = current_setting('app.invitation', true));
create policy invitations_invitee_accept on tenancy.invitations for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'invitee'
           and token_hash = current_setting('app.invitation', true)
           and email = (select u.email from tenancy.users u where u.id = tenancy.current_user_id() and u.status = 'active')
           and accepted_at is null and revoked_at is null and expires_at > now())
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'invitee'
                and accepted_by = tenancy.current_user_id() and accepted_at = now() and revoked_at is null);

create policy memberships_invitee_read on tenancy.memberships for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'invitee'
           and user_id = tenancy.current_user_id());
create policy memberships_invitee_join on tenancy.memberships for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'invitee'
                and user_id = tenancy.current_user_id() and status = 'active'
                and exists (select 1 from tenancy.invitations i
                             where i.tenant_id = memberships.tenant_id and i.accepted_by = tenancy.current_user_id()
                               and i.accepted_at = now() and i.role = memberships.role and i.permissions = memberships.permissions));
-- Someone removed or suspended earlier joins again on the new invitation's terms; an owner stays owner (no update).
create policy memberships_invitee_rejoin on tenancy.memberships for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'invitee'
           and user_id = tenancy.current_user_id() and role <> 'owner')
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'invitee'
                and user_id = tenancy.current_user_id() and status = 'active'
                and exists (select 1 from tenancy.invitations i
                             where i.tenant_id = memberships.tenant_id and i.accepted_by = tenancy.current_user_id()
                               and i.accepted_at = now() and i.role = memberships.role and i.permissions = memberships.permissions));

drop function tenancy.accept_invitation(text);
