-- After review: a refund is recorded once and only for the full amount moves a booking to refunded; a
-- success after a refund asks for nothing more; erasure also scrubs waiver signers.

create or replace function booking.apply_payment_event(p_event_id text, p_tenant uuid, p_type text, p_booking uuid, p_amount bigint,
        p_currency text)
    returns text
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        b booking.bookings%rowtype;
        v_outcome text;
        v_event text;
    begin
        insert into booking.processed_events (event_id, tenant_id, type) values (p_event_id, p_tenant, p_type)
        on conflict (event_id) do nothing;
        if not found then
            return 'duplicate';
        end if;
        select * into b from booking.bookings where id = p_booking and tenant_id = p_tenant for update;
        if not found then
            v_outcome := 'unknown_booking';
        elsif p_type = 'payment.succeeded' then
            if b.status in ('held', 'pending_payment') and (b.amount_minor <> p_amount or b.currency <> p_currency) then
                v_outcome := 'amount_mismatch';
                v_event := 'booking.payment_mismatch';
            elsif b.status in ('held', 'pending_payment') then
                update booking.bookings set status = 'confirmed', hold_expires_at = null, updated_at = now() where id = b.id;
                v_outcome := 'confirmed';
                v_event := 'booking.confirmed';
            elsif b.status = 'confirmed' then
                v_outcome := 'already_confirmed';
            elsif b.status = 'refunded' then
                -- The money already went back: nothing more to ask of payment-service.
                v_outcome := 'payment_after_refunded';
            else
                v_outcome := 'payment_after_' || b.status;
                v_event := 'booking.payment_unneeded';
            end if;
        elsif p_type = 'payment.refunded' then
            if b.status = 'refunded' then
                v_outcome := 'already_refunded';
            elsif b.amount_minor <> p_amount or b.currency <> p_currency then
                -- A partial refund (a goodwill gesture) leaves the booking as it is.
                v_outcome := 'partial_refund';
            elsif b.status in ('held', 'pending_payment', 'confirmed') then
                update booking.bookings set status = 'refunded', hold_expires_at = null, updated_at = now() where id = b.id;
                v_outcome := 'refunded';
                v_event := 'booking.refunded';
            else
                v_outcome := 'ignored';
            end if;
        else
            v_outcome := 'ignored';
        end if;
        update booking.processed_events set outcome = v_outcome where event_id = p_event_id;
        if v_event is not null then
            insert into booking.outbox (id, tenant_id, type, subject, data)
            values (gen_random_uuid(), p_tenant, v_event, b.id::text,
                    jsonb_build_object('bookingId', b.id, 'status', v_outcome, 'amountMinor', p_amount, 'currency', p_currency,
                                       'causedBy', p_event_id));
        end if;
        return v_outcome;
    end
    $$;

create or replace function booking.process_erasures(p_limit int) returns int
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        r booking.erasure_requests%rowtype;
        n int := 0;
    begin
        for r in select * from booking.erasure_requests where status = 'pending' order by due_at limit p_limit for update skip locked loop
            update booking.guests
               set name = 'anonymized', email_lookup = 'anonymized:' || id, email_sealed = 'anonymized', phone_sealed = null,
                   dietary_sealed = null, allergies_sealed = null, anonymized_at = coalesce(anonymized_at, now()), updated_at = now()
             where tenant_id = r.tenant_id and id = r.guest_id;
            update booking.waiver_signatures s set signer_name = 'anonymized'
              from booking.bookings b where b.id = s.booking_id and b.tenant_id = r.tenant_id and b.guest_id = r.guest_id;
            update booking.notifications set status = 'cancelled'
             where tenant_id = r.tenant_id and guest_id = r.guest_id and status in ('pending', 'sending');
            update booking.erasure_requests set status = 'completed', completed_at = now() where id = r.id;
            perform booking.audit_event(r.tenant_id, 'guest.anonymized', r.requested_by, null, 'guest', r.guest_id::text,
                    null, null, jsonb_build_object('erasureRequest', r.id, 'requestedAt', r.requested_at));
            n := n + 1;
        end loop;
        return n;
    end
    $$;
