-- Anyone who knows a guest's email can place a hold in their name: such a request may add details the guest
-- never gave, never change or remove the ones they did (staff correct them with the guest).
create or replace function booking.hold_seats(p_tenant uuid, p_slot uuid, p_seats int, p_hold_seconds int, p_guest_name text,
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
        return query select v_booking, v_ref, v_guest, v_status, v_price * p_seats, v_currency, v_expires;
    end
    $$;

