-- An email given with a hold is proven when its holder opens the link mailed to it (docs/booking.md). Until then a
-- free booking is only held, like an unpaid one, and expires with its hold: free seats are no longer taken at once
-- and for good by whoever types an address. A proven booking of a known guest's email is added to that guest.
create table booking.email_proofs (
    booking_id uuid primary key references booking.bookings (id),
    tenant_id  uuid not null,
    token_hash text not null unique,
    expires_at timestamptz not null,
    proven_at  timestamptz,
    created_at timestamptz not null default now()
);
alter table booking.email_proofs enable row level security;
alter table booking.email_proofs force row level security;
create policy email_proofs_owner_helpers on booking.email_proofs for all to ${owner_role} using (true) with check (true);
create policy email_proofs_select on booking.email_proofs for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select on booking.email_proofs to ${app_role};

-- Every hold is held until paid or, when free, until its email is proven; it records the proof link's hash.
drop function booking.hold_seats(uuid, uuid, int, int, text, text, text, text, text, text);
create function booking.hold_seats(p_tenant uuid, p_slot uuid, p_seats int, p_hold_seconds int, p_guest_name text,
        p_email_lookup text, p_email_sealed text, p_phone_sealed text, p_dietary_sealed text, p_allergies_sealed text,
        p_proof_hash text, p_proof_seconds int)
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
        v_status := 'held';
        v_expires := now() + make_interval(secs => p_hold_seconds);
        insert into booking.bookings (id, tenant_id, slot_id, seats, status, amount_minor, currency, hold_expires_at, guest_id)
        values (v_booking, p_tenant, p_slot, p_seats, v_status, v_price * p_seats, v_currency, v_expires, v_guest)
        returning bookings.public_ref into v_ref;
        insert into booking.booking_contacts (booking_id, tenant_id, name, email_lookup, email_sealed, phone_sealed, dietary_sealed, allergies_sealed)
        values (v_booking, p_tenant, p_guest_name, p_email_lookup, p_email_sealed, p_phone_sealed, p_dietary_sealed, p_allergies_sealed);
        insert into booking.email_proofs (booking_id, tenant_id, token_hash, expires_at)
        values (v_booking, p_tenant, p_proof_hash, now() + make_interval(secs => p_proof_seconds));
        insert into booking.outbox (id, tenant_id, type, subject, data)
        values (gen_random_uuid(), p_tenant, 'booking.created', v_booking::text,
                jsonb_build_object('bookingId', v_booking, 'reference', v_ref, 'slotId', p_slot, 'seats', p_seats, 'status', v_status,
                                   'amountMinor', v_price * p_seats, 'currency', v_currency, 'holdExpiresAt', v_expires));
        return query select v_booking, v_ref, v_guest, v_status, v_price * p_seats, v_currency, v_expires;
    end
    $$;
revoke all on function booking.hold_seats(uuid, uuid, int, int, text, text, text, text, text, text, text, int) from public;
grant execute on function booking.hold_seats(uuid, uuid, int, int, text, text, text, text, text, text, text, int) to ${app_role};

-- Spends a proof link, presented only as a token: once, before it expires. Answers its tenant and booking; the rest
-- (adding the booking to a known guest, confirming a free booking) runs under the worker scope of that tenant.
create function booking.redeem_email_proof(p_token_hash text) returns table (tenant_id uuid, booking_id uuid, public_ref text)
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
        update booking.email_proofs p set proven_at = now()
          from booking.bookings b
         where p.token_hash = p_token_hash and p.proven_at is null and p.expires_at > now() and b.id = p.booking_id
        returning p.tenant_id, p.booking_id, b.public_ref
    $$;
revoke all on function booking.redeem_email_proof(text) from public;
grant execute on function booking.redeem_email_proof(text) to ${app_role};

-- What the proof needs to read under the worker scope: the booking's contact and the guest known by its email.
create policy booking_contacts_worker_read on booking.booking_contacts for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy guests_worker_read on booking.guests for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
