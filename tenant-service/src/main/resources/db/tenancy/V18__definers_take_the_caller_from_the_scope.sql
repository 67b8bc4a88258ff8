-- Definers no longer take the caller's user or tenant as an argument (docs/database.md): they read it from the
-- transaction's scope, which TenantTransactions sets from what was verified (the password, the invitation, the
-- identity provider), so no call site can hand them someone else's.

-- After the password check: the scope's user's active tenants to choose from.
drop function tenancy.login_memberships(uuid);
create function tenancy.login_memberships()
    returns table (tenant_id uuid, slug text, name text, role text, permissions bigint, require_mfa_for_admins boolean)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select t.id, t.slug, t.name, m.role, m.permissions, t.require_mfa_for_admins
          from tenancy.memberships m join tenancy.tenants t on t.id = m.tenant_id
         where m.user_id = tenancy.current_user_id() and m.status = 'active' and t.status = 'active'
         order by t.slug
    $$;
revoke all on function tenancy.login_memberships() from public;
grant execute on function tenancy.login_memberships() to ${app_role};

-- The invitee joins: only the scope's user (just created, or proven by their password), only if theirs is the
-- invited email, only once, only before it expires.
drop function tenancy.accept_invitation(text, uuid);
create function tenancy.accept_invitation(p_token_hash text) returns uuid
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        inv tenancy.invitations%rowtype;
        v_user uuid := tenancy.current_user_id();
    begin
        if v_user is null then
            return null;
        end if;
        select i.* into inv from tenancy.invitations i
         where i.token_hash = p_token_hash and i.accepted_at is null and i.revoked_at is null and i.expires_at > now()
           for update;
        if not found then
            return null;
        end if;
        if not exists (select 1 from tenancy.users u where u.id = v_user and u.email = inv.email and u.status = 'active') then
            return null;
        end if;
        insert into tenancy.memberships (tenant_id, user_id, role, permissions, status)
        values (inv.tenant_id, v_user, inv.role, inv.permissions, 'active')
        on conflict (tenant_id, user_id) do update
           set role = excluded.role, permissions = excluded.permissions, status = 'active', updated_at = now()
         where tenancy.memberships.role <> 'owner';
        update tenancy.invitations set accepted_at = now(), accepted_by = v_user where id = inv.id;
        -- The invitee is no member yet, so this helper records member.joined itself, in the same transaction.
        insert into tenancy.outbox (id, tenant_id, type, subject, data)
        values (gen_random_uuid(), inv.tenant_id, 'member.joined', v_user::text,
                jsonb_build_object('invitation', inv.id, 'role', inv.role, 'permissions', inv.permissions));
        return inv.tenant_id;
    end
    $$;
revoke all on function tenancy.accept_invitation(text) from public;
grant execute on function tenancy.accept_invitation(text) to ${app_role};

-- After the scope's tenant's identity provider vouched for (issuer, subject, email): the member of that tenant they
-- are. A linked account first; otherwise the active member with that email, who is linked from now on. Never a
-- member of another tenant, never a new member: owners invite staff first.
drop function tenancy.sso_member(uuid, text, text, text);
create function tenancy.sso_member(p_issuer text, p_subject text, p_email text)
    returns table (user_id uuid)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_tenant uuid := tenancy.current_tenant_id();
        v_user uuid;
    begin
        if v_tenant is null or not exists (select 1 from tenancy.sso_providers p where p.tenant_id = v_tenant and p.issuer = p_issuer) then
            return;
        end if;
        select i.user_id into v_user from tenancy.sso_identities i
         where i.tenant_id = v_tenant and i.issuer = p_issuer and i.subject = p_subject;
        if v_user is null and p_email is not null then
            select u.id into v_user from tenancy.users u
             where u.email = lower(p_email)
               and not exists (select 1 from tenancy.sso_identities i where i.tenant_id = v_tenant and i.user_id = u.id);
            if v_user is not null then
                insert into tenancy.sso_identities (tenant_id, issuer, subject, user_id)
                select v_tenant, p_issuer, p_subject, v_user
                 where exists (select 1 from tenancy.memberships m where m.tenant_id = v_tenant and m.user_id = v_user and m.status = 'active');
            end if;
        end if;
        if v_user is null or not exists (select 1 from tenancy.memberships m join tenancy.users u on u.id = m.user_id
                                           where m.tenant_id = v_tenant and m.user_id = v_user and m.status = 'active'
                                             and u.status = 'active') then
            return;
        end if;
        update tenancy.sso_identities i set last_used_at = now()
         where i.tenant_id = v_tenant and i.issuer = p_issuer and i.subject = p_subject;
        return query select v_user;
    end
    $$;
revoke all on function tenancy.sso_member(text, text, text) from public;
grant execute on function tenancy.sso_member(text, text, text) to ${app_role};
