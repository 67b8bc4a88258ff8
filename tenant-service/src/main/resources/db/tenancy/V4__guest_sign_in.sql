-- Guests (clients of an operator) and their magic sign-in links. A guest is one tenant's: the same person
-- at two tenants is two guests, and the email is kept only as a tenant-salted keyed hash (Pseudonyms).

create table tenancy.guests (
    id                uuid primary key,
    tenant_id         uuid not null references tenancy.tenants (id),
    email_lookup      text not null,
    created_at        timestamptz not null default now(),
    last_signed_in_at timestamptz,
    unique (tenant_id, email_lookup)
);

-- One-time sign-in links: only the token's hash; 30 minutes; spent by use or by a newer link.
create table tenancy.guest_sign_in_links (
    id            uuid primary key,
    tenant_id     uuid not null references tenancy.tenants (id),
    guest_id      uuid not null references tenancy.guests (id),
    token_hash    text not null unique,
    expires_at    timestamptz not null,
    used_at       timestamptz,
    superseded_at timestamptz,
    created_at    timestamptz not null default now()
);
create index guest_sign_in_links_guest_idx on tenancy.guest_sign_in_links (guest_id, created_at);

-- Staff of the tenant may read them like any tenant table; guests never touch them directly, only through
-- the two helpers below.
alter table tenancy.guests enable row level security;
alter table tenancy.guests force row level security;
create policy guests_owner_helpers on tenancy.guests for all to ${owner_role} using (true) with check (true);
create policy guests_select on tenancy.guests for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy guests_insert on tenancy.guests for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy guests_update on tenancy.guests for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy guests_delete on tenancy.guests for delete to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));

alter table tenancy.guest_sign_in_links enable row level security;
alter table tenancy.guest_sign_in_links force row level security;
create policy guest_sign_in_links_owner_helpers on tenancy.guest_sign_in_links for all to ${owner_role} using (true) with check (true);
create policy guest_sign_in_links_select on tenancy.guest_sign_in_links for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy guest_sign_in_links_insert on tenancy.guest_sign_in_links for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy guest_sign_in_links_update on tenancy.guest_sign_in_links for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy guest_sign_in_links_delete on tenancy.guest_sign_in_links for delete to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select on tenancy.guests, tenancy.guest_sign_in_links to ${app_role};

-- Whether the transaction's user is a guest of the tenant (guest scopes: app.principal = 'guest').
create function tenancy.is_guest(p_tenant uuid) returns boolean
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select current_setting('app.principal', true) = 'guest'
           and exists (select 1 from tenancy.guests g join tenancy.tenants t on t.id = g.tenant_id
                        where g.tenant_id = p_tenant and g.id = tenancy.current_user_id() and t.status = 'active')
    $$;

-- A guest's actions are audited in their tenant's log: a guest scope may add audit events, nothing else.
drop policy outbox_insert on tenancy.outbox;
create policy outbox_insert on tenancy.outbox for insert to palisade_services
    with check ((tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
                or (tenant_id is null and stream = 'audit')
                or (stream = 'audit' and tenant_id = tenancy.current_tenant_id() and (select tenancy.is_guest(tenancy.current_tenant_id()))));

-- Guests address a tenant by its public slug.
create function tenancy.active_tenant_id(p_slug text) returns uuid
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$ select t.id from tenancy.tenants t where t.slug = p_slug and t.status = 'active' $$;

-- Issues a sign-in link for an email at an active tenant: finds or creates the guest, supersedes the guest's
-- earlier links, and refuses (issued = false) beyond p_max_links links in the window, so nobody can flood an
-- inbox. No rows for an unknown or inactive tenant.
create function tenancy.issue_guest_link(p_tenant uuid, p_email_lookup text, p_token_hash text, p_ttl_seconds int,
        p_max_links int, p_window_seconds int)
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
        insert into tenancy.guest_sign_in_links (id, tenant_id, guest_id, token_hash, expires_at)
        values (gen_random_uuid(), v_tenant, v_guest, p_token_hash, now() + make_interval(secs => p_ttl_seconds));
        return query select v_tenant, v_guest, true;
    end
    $$;

-- Spends a link: only once, only the guest's newest, only before it expires, only at an active tenant.
create function tenancy.redeem_guest_link(p_token_hash text)
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

revoke all on function tenancy.is_guest(uuid), tenancy.active_tenant_id(text),
    tenancy.issue_guest_link(uuid, text, text, int, int, int), tenancy.redeem_guest_link(text) from public;
grant execute on function tenancy.is_guest(uuid) to palisade_services;
grant execute on function tenancy.active_tenant_id(text), tenancy.issue_guest_link(uuid, text, text, int, int, int),
    tenancy.redeem_guest_link(text) to ${app_role};
