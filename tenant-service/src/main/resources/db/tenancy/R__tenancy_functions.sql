-- The functions of the tenancy schema in their final form (docs/database.md). A repeatable migration: Flyway applies
-- it after the versioned ones whenever it changes, so this file, not the history in V*.sql, is where a reader finds
-- what runs. CREATE OR REPLACE keeps each function's grants, made by the migration that created it; who may execute
-- a definer is in common's db/security-definers.txt, which CatalogTest holds the catalog to. A changed function is
-- changed here; a new one is created by a versioned migration (with its grants) and kept here; a dropped one is
-- dropped by a versioned migration and taken out of this file.
-- The policy helpers are in R__policy_helpers.sql.

-- Login, before any scope exists: the credentials of one email address.
create or replace function tenancy.find_login(p_email text)
    returns table (user_id uuid, password_hash text, status text, platform_admin boolean)
    language plpgsql stable security definer set search_path = pg_catalog, pg_temp
    as $$
    #variable_conflict use_column
    begin
        return query
            select u.id, u.password_hash, u.status, u.platform_admin from tenancy.users u where u.email = lower(p_email);
    end
    $$;

-- Refresh and logout present only the opaque token: which tenant and user it belongs to.
create or replace function tenancy.refresh_token_scope(p_token_hash text)
    returns table (tenant_id uuid, user_id uuid)
    language plpgsql stable security definer set search_path = pg_catalog, pg_temp
    as $$
    #variable_conflict use_column
    begin
        return query
            select r.tenant_id, r.user_id from tenancy.refresh_tokens r where r.token_hash = p_token_hash;
    end
    $$;

-- Accepting an invitation: who was invited, to which tenant (only for a pending, unexpired invitation).
create or replace function tenancy.pending_invitation(p_token_hash text)
    returns table (invitation_id uuid, tenant_id uuid, email text)
    language plpgsql stable security definer set search_path = pg_catalog, pg_temp
    as $$
    #variable_conflict use_column
    begin
        return query
            select i.id, i.tenant_id, i.email from tenancy.invitations i join tenancy.tenants t on t.id = i.tenant_id
             where i.token_hash = p_token_hash and i.accepted_at is null and i.revoked_at is null
               and i.expires_at > now() and t.status = 'active';
    end
    $$;

-- The second-factor step presents only the opaque challenge token: whose login, for which tenant.
create or replace function tenancy.mfa_challenge_scope(p_token_hash text)
    returns table (user_id uuid, tenant_id uuid)
    language plpgsql stable security definer set search_path = pg_catalog, pg_temp
    as $$
    #variable_conflict use_column
    begin
        return query
            select c.user_id, c.tenant_id from tenancy.mfa_challenges c
             where c.token_hash = p_token_hash and c.used_at is null and c.expires_at > now();
    end
    $$;

-- Guests address a tenant by its public slug.
create or replace function tenancy.active_tenant_id(p_slug text) returns uuid
    language plpgsql stable security definer set search_path = pg_catalog, pg_temp
    as $$
    begin
        return (select t.id from tenancy.tenants t where t.slug = p_slug and t.status = 'active');
    end
    $$;

-- Spends a link: only once, only the guest's newest, only before it expires, only at an active tenant.
create or replace function tenancy.redeem_guest_link(p_token_hash text)
    returns table (tenant_id uuid, guest_id uuid)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_link tenancy.guest_sign_in_links%rowtype;
    begin
        update tenancy.guest_sign_in_links l set used_at = now()
         where l.token_hash = p_token_hash and l.used_at is null and l.superseded_at is null and l.expires_at > now()
           and exists (select 1 from tenancy.tenants t where t.id = l.tenant_id and t.status = 'active')
        returning l.* into v_link;
        if not found then
            return;
        end if;
        update tenancy.guests set last_signed_in_at = now() where id = v_link.guest_id;
        return query select v_link.tenant_id, v_link.guest_id;
    end
    $$;

-- Running support sessions that ran out, in every tenant, as (tenant, session): each is ended under its tenant's
-- worker scope with its audit event (SupportAccess.expire).
create or replace function tenancy.expired_support_sessions(p_limit int) returns table (tenant_id uuid, session_id uuid)
    language plpgsql stable security definer set search_path = pg_catalog, pg_temp
    as $$
    #variable_conflict use_column
    begin
        return query
            select s.tenant_id, s.id from tenancy.support_sessions s
             where s.started_at is not null and s.ended_at is null and s.expires_at <= now()
             order by s.expires_at limit p_limit;
    end
    $$;

-- What a platform admin may see without a session: counts, never rows.
create or replace function tenancy.platform_counts()
    returns table (tenants bigint, users bigint, running_support_sessions bigint)
    language plpgsql stable security definer set search_path = pg_catalog, pg_temp
    as $$
    #variable_conflict use_column
    begin
        return query
            select (select count(*) from tenancy.tenants), (select count(*) from tenancy.users),
                   (select count(*) from tenancy.support_sessions s
                     where s.started_at is not null and s.ended_at is null and s.expires_at > now())
             where tenancy.is_platform_admin();
    end
    $$;

create or replace function tenancy.issue_guest_link(p_tenant uuid, p_email_lookup text, p_token_hash text, p_ttl_seconds int,
        p_max_links int, p_window_seconds int, p_client_address text, p_max_per_address int)
    returns table (tenant_id uuid, guest_id uuid, issued boolean)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_tenant uuid;
        v_guest uuid;
    begin
        select t.id into v_tenant from tenancy.tenants t where t.id = p_tenant and t.status = 'active';
        if v_tenant is null then
            return;
        end if;
        perform pg_advisory_xact_lock(hashtext('guest-links:' || p_client_address));
        if (select count(*) from tenancy.guest_sign_in_links l where l.client_address = p_client_address
             and l.created_at > now() - make_interval(secs => p_window_seconds)) >= p_max_per_address then
            -- No guest is created for a refused request: an address cannot fill a tenant with guests.
            select g.id into v_guest from tenancy.guests g where g.tenant_id = v_tenant and g.email_lookup = p_email_lookup;
            return query select v_tenant, v_guest, false;
            return;
        end if;
        insert into tenancy.guests (id, tenant_id, email_lookup) values (gen_random_uuid(), v_tenant, p_email_lookup)
        on conflict on constraint guests_tenant_id_email_lookup_key do nothing;
        select g.id into v_guest from tenancy.guests g where g.tenant_id = v_tenant and g.email_lookup = p_email_lookup for update;
        if (select count(*) from tenancy.guest_sign_in_links l
             where l.guest_id = v_guest and l.created_at > now() - make_interval(secs => p_window_seconds)) >= p_max_links then
            return query select v_tenant, v_guest, false;
            return;
        end if;
        update tenancy.guest_sign_in_links set superseded_at = now()
         where guest_sign_in_links.guest_id = v_guest and used_at is null and superseded_at is null;
        insert into tenancy.guest_sign_in_links (id, tenant_id, guest_id, token_hash, expires_at, client_address)
        values (gen_random_uuid(), v_tenant, v_guest, p_token_hash, now() + make_interval(secs => p_ttl_seconds), p_client_address);
        return query select v_tenant, v_guest, true;
    end
    $$;

create or replace function tenancy.ensure_platform_admin(p_id uuid, p_email text, p_display_name text, p_password_hash text, p_history_hash text)
    returns boolean
    language plpgsql volatile set search_path = pg_catalog, pg_temp
    as $$
    begin
        insert into tenancy.users (id, email, display_name, password_hash, platform_admin)
        select p_id, lower(p_email), p_display_name, p_password_hash, true
         where not exists (select 1 from tenancy.users where platform_admin)
        on conflict (email) do nothing;
        if not found then
            return false;
        end if;
        insert into tenancy.password_history (id, user_id, hash) values (gen_random_uuid(), p_id, p_history_hash);
        return true;
    end
    $$;

create or replace function tenancy.sso_member(p_issuer text, p_subject text, p_email text)
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

-- A support session's terms never move once it started, and it is started now by the admin who asked (the trigger
-- support_session_starts_once on tenancy.support_sessions; it runs as the caller).
create or replace function tenancy.support_session_starts_once() returns trigger
    language plpgsql set search_path = pg_catalog, pg_temp
    as $$
    begin
        if old.started_at is not null
           and (new.started_at is distinct from old.started_at or new.expires_at is distinct from old.expires_at) then
            raise exception 'a support session''s start and end never move' using errcode = '42501';
        end if;
        if old.started_at is null and new.started_at is not null
           and (new.platform_admin_id is distinct from tenancy.current_user_id() or new.started_at <> now()
                or new.expires_at is null) then
            raise exception 'a support session is started now, by the platform admin who asked for it' using errcode = '42501';
        end if;
        return new;
    end
    $$;
