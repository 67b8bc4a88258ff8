-- Guests of an operator, with their personal data sealed (AES-256-GCM, master key version in the stored form)
-- and the email also as a tenant-salted keyed hash for finding a returning guest; and a public reference per
-- booking for guest links (booking ids never appear in a guest URL).

create table booking.guests (
    id               uuid primary key,
    tenant_id        uuid not null,
    name             text not null check (length(name) between 1 and 200),
    email_lookup     text not null,
    email_sealed     text not null,
    phone_sealed     text,
    dietary_sealed   text,
    allergies_sealed text,
    anonymized_at    timestamptz,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    unique (tenant_id, email_lookup),
    unique (tenant_id, id)
);
alter table booking.guests enable row level security;
alter table booking.guests force row level security;
create policy guests_owner_helpers on booking.guests for all to ${owner_role} using (true) with check (true);
create policy guests_select on booking.guests for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy guests_update on booking.guests for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select, update on booking.guests to ${app_role};

alter table booking.bookings add column guest_id uuid;
alter table booking.bookings add constraint bookings_guest_fk foreign key (tenant_id, guest_id) references booking.guests (tenant_id, id);
alter table booking.bookings add column public_ref text unique;
update booking.bookings set public_ref = replace(gen_random_uuid()::text, '-', '') where public_ref is null;
alter table booking.bookings alter column public_ref set not null;
alter table booking.bookings alter column public_ref set default replace(gen_random_uuid()::text, '-', '');

-- A hold now names its guest, found by the email's lookup value or created. Anyone who knows a guest's email
-- can place a hold in their name: such a request may add details the guest never gave, never change or remove
-- the ones they did (staff correct them with the guest).
drop function booking.hold_seats(uuid, uuid, int, int);
create function booking.hold_seats(p_tenant uuid, p_slot uuid, p_seats int, p_hold_seconds int, p_guest_name text,
        p_email_lookup text, p_email_sealed text, p_phone_sealed text, p_dietary_sealed text, p_allergies_sealed text)
    returns table (booking_id uuid, public_ref text, guest_id uuid, status text, amount_minor bigint, currency text,
                   hold_expires_at timestamptz)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_price bigint;
        v_currency text;
        v_booking uuid := gen_random_uuid();
        v_guest uuid;
        v_status text;
        v_expires timestamptz;
        v_ref text;
    begin
        select o.price_minor, o.currency into v_price, v_currency
          from booking.slots s join booking.offerings o on o.tenant_id = s.tenant_id and o.id = s.offering_id
         where s.tenant_id = p_tenant and s.id = p_slot and o.published and s.starts_at > now();
        if not found then
            return;
        end if;
        insert into booking.guests (id, tenant_id, name, email_lookup, email_sealed, phone_sealed, dietary_sealed, allergies_sealed)
        values (gen_random_uuid(), p_tenant, p_guest_name, p_email_lookup, p_email_sealed, p_phone_sealed, p_dietary_sealed, p_allergies_sealed)
        on conflict (tenant_id, email_lookup) do update
           set phone_sealed = coalesce(booking.guests.phone_sealed, excluded.phone_sealed),
               dietary_sealed = coalesce(booking.guests.dietary_sealed, excluded.dietary_sealed),
               allergies_sealed = coalesce(booking.guests.allergies_sealed, excluded.allergies_sealed),
               updated_at = now()
        returning id into v_guest;
        v_status := case when v_price = 0 then 'confirmed' else 'held' end;
        v_expires := case when v_price = 0 then null else now() + make_interval(secs => p_hold_seconds) end;
        insert into booking.bookings (id, tenant_id, slot_id, seats, status, amount_minor, currency, hold_expires_at, guest_id)
        values (v_booking, p_tenant, p_slot, p_seats, v_status, v_price * p_seats, v_currency, v_expires, v_guest)
        returning bookings.public_ref into v_ref;
        insert into booking.outbox (id, tenant_id, type, subject, data)
        values (gen_random_uuid(), p_tenant, 'booking.created', v_booking::text,
                jsonb_build_object('bookingId', v_booking, 'reference', v_ref, 'slotId', p_slot, 'seats', p_seats, 'status', v_status,
                                   'amountMinor', v_price * p_seats, 'currency', v_currency, 'holdExpiresAt', v_expires));
        return query select v_booking, v_ref, v_guest, v_status, v_price * p_seats, v_currency, v_expires;
    end
    $$;

-- A guest's own booking, by tenant and public reference (from a verified guest token).
create function booking.guest_booking(p_tenant uuid, p_ref text)
    returns table (public_ref text, status text, seats int, amount_minor bigint, currency text, hold_expires_at timestamptz,
                   starts_at timestamptz, ends_at timestamptz, offering_name text, guest_name text)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select b.public_ref, b.status, b.seats, b.amount_minor, b.currency, b.hold_expires_at, s.starts_at, s.ends_at, o.name, g.name
          from booking.bookings b join booking.slots s on s.tenant_id = b.tenant_id and s.id = b.slot_id
          join booking.offerings o on o.tenant_id = s.tenant_id and o.id = s.offering_id
          left join booking.guests g on g.tenant_id = b.tenant_id and g.id = b.guest_id
         where b.tenant_id = p_tenant and b.public_ref = p_ref
    $$;

-- A guest cancels their own booking before it starts: 'cancelled', or why not ('not_found', 'not_cancellable').
create function booking.guest_cancel(p_tenant uuid, p_ref text) returns text
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        b booking.bookings%rowtype;
    begin
        select * into b from booking.bookings where tenant_id = p_tenant and public_ref = p_ref for update;
        if not found then
            return 'not_found';
        end if;
        if b.status not in ('held', 'pending_payment', 'confirmed')
           or (select s.starts_at from booking.slots s where s.id = b.slot_id) <= now() then
            return 'not_cancellable';
        end if;
        update booking.bookings set status = 'cancelled', hold_expires_at = null, updated_at = now() where id = b.id;
        insert into booking.outbox (id, tenant_id, type, subject, data)
        values (gen_random_uuid(), p_tenant, 'booking.cancelled', b.id::text,
                jsonb_build_object('bookingId', b.id, 'previousStatus', b.status, 'by', 'guest', 'amountMinor', b.amount_minor,
                                   'currency', b.currency));
        perform booking.audit_event(p_tenant, 'booking.cancelled', b.guest_id, 'guest', 'booking', b.id::text,
                jsonb_build_object('status', b.status), jsonb_build_object('status', 'cancelled'), jsonb_build_object('by', 'guest'));
        return 'cancelled';
    end
    $$;

revoke all on function booking.hold_seats(uuid, uuid, int, int, text, text, text, text, text, text),
    booking.guest_booking(uuid, text), booking.guest_cancel(uuid, text) from public;
grant execute on function booking.hold_seats(uuid, uuid, int, int, text, text, text, text, text, text),
    booking.guest_booking(uuid, text), booking.guest_cancel(uuid, text) to ${app_role};

-- Limits on anonymous holds: a hold takes seats and may send mail, so one client (by a keyed hash of its
-- address) and one guest email (by its lookup value) may make only so many holds per tenant and window. Rows
-- live for one window (purged by booking.expire_holds) and a guest's are deleted when the guest is erased.
create table booking.hold_attempts (
    tenant_id  uuid not null,
    client_key text not null,
    email_key  text not null,
    made_at    timestamptz not null default now()
);
create index hold_attempts_client_idx on booking.hold_attempts (tenant_id, client_key, made_at);
create index hold_attempts_email_idx on booking.hold_attempts (tenant_id, email_key, made_at);
alter table booking.hold_attempts enable row level security;
alter table booking.hold_attempts force row level security;
create policy hold_attempts_owner_helpers on booking.hold_attempts for all to ${owner_role} using (true) with check (true);
create policy hold_attempts_select on booking.hold_attempts for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));

-- Admits one hold, or answers which limit refuses it ('client' or 'email') and when the oldest counted hold
-- leaves the window. The per-key advisory locks make concurrent holds of one client count one after another.
create function booking.admit_hold(p_tenant uuid, p_client_key text, p_email_key text, p_window_seconds int,
        p_max_per_client int, p_max_per_email int, out refused_by text, out retry_after_seconds int)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_since timestamptz := now() - make_interval(secs => p_window_seconds);
        v_count int;
        v_oldest timestamptz;
    begin
        perform pg_advisory_xact_lock(hashtextextended('hold-client:' || p_tenant || ':' || p_client_key, 0));
        perform pg_advisory_xact_lock(hashtextextended('hold-email:' || p_tenant || ':' || p_email_key, 0));
        select count(*), min(made_at) into v_count, v_oldest from booking.hold_attempts
         where tenant_id = p_tenant and client_key = p_client_key and made_at > v_since;
        if v_count >= p_max_per_client then
            refused_by := 'client';
        else
            select count(*), min(made_at) into v_count, v_oldest from booking.hold_attempts
             where tenant_id = p_tenant and email_key = p_email_key and made_at > v_since;
            if v_count >= p_max_per_email then
                refused_by := 'email';
            end if;
        end if;
        if refused_by is not null then
            retry_after_seconds := greatest(1, ceil(extract(epoch from v_oldest + make_interval(secs => p_window_seconds) - now())))::int;
            return;
        end if;
        insert into booking.hold_attempts (tenant_id, client_key, email_key) values (p_tenant, p_client_key, p_email_key);
    end
    $$;
revoke all on function booking.admit_hold(uuid, text, text, int, int, int) from public;
grant execute on function booking.admit_hold(uuid, text, text, int, int, int) to ${app_role};

-- Hold attempts older than the window count for nothing; the expiry worker drops them.
create function booking.purge_hold_attempts(p_window_seconds int) returns int
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
        with purged as (
            delete from booking.hold_attempts where made_at <= now() - make_interval(secs => p_window_seconds) returning 1)
        select count(*)::int from purged
    $$;
revoke all on function booking.purge_hold_attempts(int) from public;
grant execute on function booking.purge_hold_attempts(int) to ${app_role};
