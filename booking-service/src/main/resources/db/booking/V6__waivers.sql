-- Waivers: a tenant's waiver text, versioned (a change is a new version, old ones stay as signed), and the
-- signature of each booking: which version, when, by whom.

create table booking.waivers (
    tenant_id  uuid not null,
    version    int not null check (version > 0),
    text       text not null check (length(text) between 1 and 20000),
    created_by uuid not null,
    created_at timestamptz not null default now(),
    primary key (tenant_id, version)
);
alter table booking.waivers enable row level security;
alter table booking.waivers force row level security;
create policy waivers_owner_helpers on booking.waivers for all to ${owner_role} using (true) with check (true);
create policy waivers_select on booking.waivers for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy waivers_insert on booking.waivers for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select, insert on booking.waivers to ${app_role};

create table booking.waiver_signatures (
    booking_id     uuid primary key references booking.bookings (id),
    tenant_id      uuid not null,
    waiver_version int not null,
    signer_name    text not null check (length(signer_name) between 1 and 200),
    signed_at      timestamptz not null default now(),
    foreign key (tenant_id, waiver_version) references booking.waivers (tenant_id, version)
);
alter table booking.waiver_signatures enable row level security;
alter table booking.waiver_signatures force row level security;
create policy waiver_signatures_owner_helpers on booking.waiver_signatures for all to ${owner_role} using (true) with check (true);
create policy waiver_signatures_select on booking.waiver_signatures for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select on booking.waiver_signatures to ${app_role};

-- What the guest of a booking is asked to sign (the current version), and what they signed, if they did.
create function booking.guest_waiver(p_tenant uuid, p_ref text)
    returns table (version int, text text, signed_version int, signed_at timestamptz, signer_name text)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select w.version, w.text, s.waiver_version, s.signed_at, s.signer_name
          from booking.bookings b
          join lateral (select * from booking.waivers w where w.tenant_id = b.tenant_id order by w.version desc limit 1) w on true
          left join booking.waiver_signatures s on s.booking_id = b.id
         where b.tenant_id = p_tenant and b.public_ref = p_ref
    $$;

-- The guest signs the version they were shown; a newer version since then must be read first.
create function booking.sign_waiver(p_tenant uuid, p_ref text, p_version int, p_signer text) returns text
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_booking uuid;
        v_current int;
    begin
        select b.id into v_booking from booking.bookings b where b.tenant_id = p_tenant and b.public_ref = p_ref for update;
        if v_booking is null then
            return 'not_found';
        end if;
        select max(w.version) into v_current from booking.waivers w where w.tenant_id = p_tenant;
        if v_current is null then
            return 'no_waiver';
        end if;
        if exists (select 1 from booking.waiver_signatures s where s.booking_id = v_booking) then
            return 'already_signed';
        end if;
        if p_version <> v_current then
            return 'stale_version';
        end if;
        insert into booking.waiver_signatures (booking_id, tenant_id, waiver_version, signer_name)
        values (v_booking, p_tenant, v_current, p_signer);
        perform booking.audit_event(p_tenant, 'waiver.signed', null, 'guest', 'booking', v_booking::text, null,
                jsonb_build_object('waiverVersion', v_current), null);
        return 'signed';
    end
    $$;
revoke all on function booking.guest_waiver(uuid, text), booking.sign_waiver(uuid, text, int, text) from public;
grant execute on function booking.guest_waiver(uuid, text), booking.sign_waiver(uuid, text, int, text) to ${app_role};
