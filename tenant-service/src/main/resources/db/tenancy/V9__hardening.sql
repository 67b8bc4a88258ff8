-- Hardening after review: attempts reserved before verification, support sessions bound to their tokens and
-- unable to grant themselves standing access, how a session signed in, limits on guest links per address,
-- and every master-sealed value in master key rotation.

-- Login attempts are reserved (counted) before the password or code is checked, so a burst of concurrent
-- attempts cannot all slip past the limit; a successful attempt removes its own reservation.
alter table tenancy.login_failures add column attempt uuid;
create index login_failures_attempt_idx on tenancy.login_failures (attempt);

-- A support token works only with its own session (app.support_session, from the token's imp.session) and
-- only while the tenant is active.
create or replace function tenancy.is_active_member(p_tenant uuid) returns boolean
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select exists (select 1 from tenancy.memberships m join tenancy.tenants t on t.id = m.tenant_id
                                 join tenancy.users u on u.id = m.user_id
                        where m.tenant_id = p_tenant and m.user_id = tenancy.current_user_id()
                          and m.status = 'active' and t.status = 'active' and u.status = 'active')
            or (current_setting('app.principal', true) = 'support'
                and exists (select 1 from tenancy.support_sessions s join tenancy.users u on u.id = s.platform_admin_id
                                      join tenancy.tenants t on t.id = s.tenant_id
                             where s.id = nullif(current_setting('app.support_session', true), '')::uuid
                               and s.tenant_id = p_tenant and s.platform_admin_id = tenancy.current_user_id()
                               and s.started_at is not null and s.ended_at is null and s.expires_at > now()
                               and u.platform_admin and u.status = 'active' and t.status = 'active'))
    $$;

-- Support access never creates standing access: no memberships or invitations written under it.
drop policy memberships_insert on tenancy.memberships;
create policy memberships_insert on tenancy.memberships for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id()
                and current_setting('app.principal', true) is distinct from 'support'
                and ((select tenancy.is_active_member(tenancy.current_tenant_id()))
                     or (user_id = tenancy.current_user_id() and role = 'owner' and not tenancy.has_members(tenant_id))));
drop policy memberships_update on tenancy.memberships;
create policy memberships_update on tenancy.memberships for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
           and current_setting('app.principal', true) is distinct from 'support')
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
drop policy invitations_insert on tenancy.invitations;
create policy invitations_insert on tenancy.invitations for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
                and current_setting('app.principal', true) is distinct from 'support');
drop policy invitations_update on tenancy.invitations;
create policy invitations_update on tenancy.invitations for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
           and current_setting('app.principal', true) is distinct from 'support')
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));

-- How a session signed in (RFC 8176 amr values: pwd, otp, sso), kept across refreshes.
alter table tenancy.refresh_tokens add column amr text not null default 'pwd' check (amr ~ '^[a-z]+( [a-z]+)*$');

-- Guest links: at most p_max_per_address per client address and window, across all tenants and emails.
alter table tenancy.guest_sign_in_links add column client_address text;
create index guest_sign_in_links_address_idx on tenancy.guest_sign_in_links (client_address, created_at);
drop function tenancy.issue_guest_link(uuid, text, text, int, int, int);
create function tenancy.issue_guest_link(p_tenant uuid, p_email_lookup text, p_token_hash text, p_ttl_seconds int,
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
revoke all on function tenancy.issue_guest_link(uuid, text, text, int, int, int, text, int) from public;
grant execute on function tenancy.issue_guest_link(uuid, text, text, int, int, int, text, int) to ${app_role};

-- Stored idempotent responses are master-sealed too.
create or replace function tenancy.master_sealed_values()
    returns table (kind text, id text, sealed text)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select 'data_key', k.tenant_id || '/' || k.version, k.wrapped_key from tenancy.tenant_data_keys k
        union all
        select 'totp_secret', t.user_id::text, t.secret_sealed from tenancy.mfa_totp t
        union all
        select 'signing_key', s.kid, s.private_key_sealed from tenancy.signing_keys s
        union all
        select 'sso_client_secret', p.tenant_id::text, p.client_secret_sealed from tenancy.sso_providers p
        union all
        select 'idempotency_response', i.tenant_id || ':' || i.principal || ':' || i.key, i.response_body_sealed
          from tenancy.idempotency_keys i where i.response_body_sealed is not null
    $$;

create or replace function tenancy.reseal_master_sealed_value(p_kind text, p_id text, p_old text, p_new text) returns boolean
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    begin
        if p_kind = 'data_key' then
            update tenancy.tenant_data_keys set wrapped_key = p_new, rewrapped_at = now()
             where tenant_id || '/' || version = p_id and wrapped_key = p_old;
        elsif p_kind = 'totp_secret' then
            update tenancy.mfa_totp set secret_sealed = p_new where user_id::text = p_id and secret_sealed = p_old;
        elsif p_kind = 'signing_key' then
            update tenancy.signing_keys set private_key_sealed = p_new where kid = p_id and private_key_sealed = p_old;
        elsif p_kind = 'sso_client_secret' then
            update tenancy.sso_providers set client_secret_sealed = p_new where tenant_id::text = p_id and client_secret_sealed = p_old;
        elsif p_kind = 'idempotency_response' then
            update tenancy.idempotency_keys set response_body_sealed = p_new
             where tenant_id || ':' || principal || ':' || key = p_id and response_body_sealed = p_old;
        else
            raise exception 'unknown sealed value kind %', p_kind;
        end if;
        return found;
    end
    $$;
