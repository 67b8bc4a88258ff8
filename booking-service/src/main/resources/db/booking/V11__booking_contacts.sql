-- What a guest gave with each booking (docs/guests.md). An anonymous hold names an email nobody has proven, so it
-- may not read or change what the tenant already knows under that email: the booking keeps its own contact details,
-- sealed like a guest's, and only a hold for an email the tenant does not know yet creates that guest. A hold for a
-- known guest's email is not added to that guest, shows nothing of them, and changes nothing of them.
create table booking.booking_contacts (
    booking_id       uuid primary key references booking.bookings (id),
    tenant_id        uuid not null,
    name             text not null check (length(name) between 1 and 200),
    email_lookup     text not null,
    email_sealed     text not null,
    phone_sealed     text,
    dietary_sealed   text,
    allergies_sealed text,
    created_at       timestamptz not null default now()
);
create index booking_contacts_email_idx on booking.booking_contacts (tenant_id, email_lookup);
alter table booking.booking_contacts enable row level security;
alter table booking.booking_contacts force row level security;
create policy booking_contacts_owner_helpers on booking.booking_contacts for all to ${owner_role} using (true) with check (true);
create policy booking_contacts_select on booking.booking_contacts for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select on booking.booking_contacts to ${app_role};

-- Bookings made before: their guest's details are what was known when they were made.
insert into booking.booking_contacts (booking_id, tenant_id, name, email_lookup, email_sealed, phone_sealed, dietary_sealed, allergies_sealed)
select b.id, b.tenant_id, g.name, g.email_lookup, g.email_sealed, g.phone_sealed, g.dietary_sealed, g.allergies_sealed
  from booking.bookings b join booking.guests g on g.tenant_id = b.tenant_id and g.id = b.guest_id;

drop function booking.hold_seats(uuid, uuid, int, int, text, text, text, text, text, text);
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
        -- A new email becomes a guest; a known one stays as it is (v_guest stays null).
        insert into booking.guests (id, tenant_id, name, email_lookup, email_sealed, phone_sealed, dietary_sealed, allergies_sealed)
        values (gen_random_uuid(), p_tenant, p_guest_name, p_email_lookup, p_email_sealed, p_phone_sealed, p_dietary_sealed, p_allergies_sealed)
        on conflict (tenant_id, email_lookup) do nothing
        returning id into v_guest;
        v_status := case when v_price = 0 then 'confirmed' else 'held' end;
        v_expires := case when v_price = 0 then null else now() + make_interval(secs => p_hold_seconds) end;
        insert into booking.bookings (id, tenant_id, slot_id, seats, status, amount_minor, currency, hold_expires_at, guest_id)
        values (v_booking, p_tenant, p_slot, p_seats, v_status, v_price * p_seats, v_currency, v_expires, v_guest)
        returning bookings.public_ref into v_ref;
        insert into booking.booking_contacts (booking_id, tenant_id, name, email_lookup, email_sealed, phone_sealed, dietary_sealed, allergies_sealed)
        values (v_booking, p_tenant, p_guest_name, p_email_lookup, p_email_sealed, p_phone_sealed, p_dietary_sealed, p_allergies_sealed);
        insert into booking.outbox (id, tenant_id, type, subject, data)
        values (gen_random_uuid(), p_tenant, 'booking.created', v_booking::text,
                jsonb_build_object('bookingId', v_booking, 'reference', v_ref, 'slotId', p_slot, 'seats', p_seats, 'status', v_status,
                                   'amountMinor', v_price * p_seats, 'currency', v_currency, 'holdExpiresAt', v_expires));
        return query select v_booking, v_ref, v_guest, v_status, v_price * p_seats, v_currency, v_expires;
    end
    $$;
revoke all on function booking.hold_seats(uuid, uuid, int, int, text, text, text, text, text, text) from public;
grant execute on function booking.hold_seats(uuid, uuid, int, int, text, text, text, text, text, text) to ${app_role};

-- The manage link shows the name given with this booking, never a name the tenant stored for the email.
drop function booking.guest_booking(uuid, text);
create function booking.guest_booking(p_tenant uuid, p_ref text)
    returns table (public_ref text, status text, seats int, amount_minor bigint, currency text, hold_expires_at timestamptz,
                   starts_at timestamptz, ends_at timestamptz, offering_name text, guest_name text)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select b.public_ref, b.status, b.seats, b.amount_minor, b.currency, b.hold_expires_at, s.starts_at, s.ends_at, o.name, k.name
          from booking.bookings b join booking.slots s on s.tenant_id = b.tenant_id and s.id = b.slot_id
          join booking.offerings o on o.tenant_id = s.tenant_id and o.id = s.offering_id
          left join booking.booking_contacts k on k.booking_id = b.id
         where b.tenant_id = p_tenant and b.public_ref = p_ref
    $$;
revoke all on function booking.guest_booking(uuid, text) from public;
grant execute on function booking.guest_booking(uuid, text) to ${app_role};

-- Messages go to the address given with the booking, whether or not it is a known guest's.
alter table booking.notifications alter column guest_id drop not null;
create or replace function booking.queue_notifications() returns trigger
    language plpgsql security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_starts timestamptz;
    begin
        if tg_op = 'UPDATE' and new.status = old.status and new.slot_id = old.slot_id then
            return null;
        end if;
        if tg_op = 'UPDATE' and new.status = 'confirmed' and old.status = 'confirmed' then
            select s.starts_at into v_starts from booking.slots s where s.id = new.slot_id;
            update booking.notifications set status = 'cancelled'
             where booking_id = new.id and kind = 'reminder' and status in ('pending', 'sending');
            insert into booking.notifications (tenant_id, booking_id, guest_id, kind, due_at)
            values (new.tenant_id, new.id, new.guest_id, 'rescheduled', now());
            if v_starts - interval '24 hours' > now() then
                insert into booking.notifications (tenant_id, booking_id, guest_id, kind, due_at)
                values (new.tenant_id, new.id, new.guest_id, 'reminder', v_starts - interval '24 hours');
            end if;
        elsif new.status = 'confirmed' then
            select s.starts_at into v_starts from booking.slots s where s.id = new.slot_id;
            insert into booking.notifications (tenant_id, booking_id, guest_id, kind, due_at)
            values (new.tenant_id, new.id, new.guest_id, 'confirmation', now());
            if v_starts - interval '24 hours' > now() then
                insert into booking.notifications (tenant_id, booking_id, guest_id, kind, due_at)
                values (new.tenant_id, new.id, new.guest_id, 'reminder', v_starts - interval '24 hours');
            end if;
        elsif new.status in ('cancelled', 'refunded', 'expired') then
            update booking.notifications set status = 'cancelled'
             where booking_id = new.id and status in ('pending', 'sending');
            if tg_op = 'UPDATE' and old.status = 'confirmed' then
                insert into booking.notifications (tenant_id, booking_id, guest_id, kind, due_at)
                values (new.tenant_id, new.id, new.guest_id, 'cancellation', now());
            end if;
        end if;
        return null;
    end
    $$;
revoke all on function booking.queue_notifications() from public;

-- How many attempts a message gets is the sender's rule (NotificationRepository.MAX_ATTEMPTS), passed in, not a
-- second copy of it here.
drop function booking.claim_notifications(int, int);
create function booking.claim_notifications(p_limit int, p_lease_seconds int, p_max_attempts int)
    returns table (id uuid, tenant_id uuid, kind text, guest_name text, email_lookup text, email_sealed text, offering text,
                   starts_at timestamptz, seats int, amount_minor bigint, currency text)
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
        with due as (
            select n.id from booking.notifications n
             where (n.status = 'pending' or (n.status = 'sending' and n.lease_until < now())) and n.due_at <= now()
               and n.attempts < p_max_attempts
             order by n.due_at limit p_limit for update skip locked),
        claimed as (
            update booking.notifications n set status = 'sending', attempts = n.attempts + 1,
                   lease_until = now() + make_interval(secs => p_lease_seconds)
              from due where n.id = due.id returning n.*)
        select c.id, c.tenant_id, c.kind, k.name, k.email_lookup, k.email_sealed, o.name, s.starts_at, b.seats, b.amount_minor, b.currency
          from claimed c join booking.bookings b on b.id = c.booking_id
          join booking.slots s on s.id = b.slot_id join booking.offerings o on o.id = s.offering_id
          join booking.booking_contacts k on k.booking_id = c.booking_id
    $$;
revoke all on function booking.claim_notifications(int, int, int) from public;
grant execute on function booking.claim_notifications(int, int, int) to ${app_role};

-- Erasure reaches what was given under the guest's email with any booking, the guest's own or not: contact details,
-- waiver signatures and pending messages of those bookings too.
create or replace function booking.process_erasures(p_limit int) returns int
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        r booking.erasure_requests%rowtype;
        v_lookup text;
        v_bookings uuid[];
        n int := 0;
    begin
        for r in select * from booking.erasure_requests where status = 'pending' order by due_at limit p_limit for update skip locked loop
            select g.email_lookup into v_lookup from booking.guests g where g.tenant_id = r.tenant_id and g.id = r.guest_id;
            select coalesce(array_agg(b.id), '{}') into v_bookings from booking.bookings b
             where b.tenant_id = r.tenant_id
               and (b.guest_id = r.guest_id
                    or b.id in (select k.booking_id from booking.booking_contacts k where k.tenant_id = r.tenant_id and k.email_lookup = v_lookup));
            delete from booking.hold_attempts a where a.tenant_id = r.tenant_id and a.email_key = v_lookup;
            update booking.booking_contacts
               set name = 'anonymized', email_lookup = 'anonymized:' || booking_id, email_sealed = 'anonymized', phone_sealed = null,
                   dietary_sealed = null, allergies_sealed = null
             where tenant_id = r.tenant_id and booking_id = any(v_bookings);
            update booking.guests
               set name = 'anonymized', email_lookup = 'anonymized:' || id, email_sealed = 'anonymized', phone_sealed = null,
                   dietary_sealed = null, allergies_sealed = null, anonymized_at = coalesce(anonymized_at, now()), updated_at = now()
             where tenant_id = r.tenant_id and id = r.guest_id;
            update booking.waiver_signatures s set signer_name = 'anonymized' where s.booking_id = any(v_bookings);
            update booking.notifications set status = 'cancelled'
             where tenant_id = r.tenant_id and booking_id = any(v_bookings) and status in ('pending', 'sending');
            update booking.erasure_requests set status = 'completed', completed_at = now() where id = r.id;
            perform booking.audit_event(r.tenant_id, 'guest.anonymized', r.requested_by, null, 'guest', r.guest_id::text,
                    null, null, jsonb_build_object('erasureRequest', r.id, 'requestedAt', r.requested_at));
            n := n + 1;
        end loop;
        return n;
    end
    $$;
