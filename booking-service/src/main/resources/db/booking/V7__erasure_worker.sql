-- The erasure worker: scrubs one guest's personal data from every table of this schema (guests, waiver
-- signatures, pending messages, hold attempts), replaces the lookup value with one nobody can look up, keeps the bookings'
-- non-personal facts, and records guest.anonymized without the erased data. Idempotent.
create function booking.process_erasures(p_limit int) returns int
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        r booking.erasure_requests%rowtype;
        n int := 0;
    begin
        for r in select * from booking.erasure_requests where status = 'pending' order by due_at limit p_limit for update skip locked loop
            delete from booking.hold_attempts a using booking.guests g
             where g.tenant_id = r.tenant_id and g.id = r.guest_id and a.tenant_id = g.tenant_id and a.email_key = g.email_lookup;
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
revoke all on function booking.process_erasures(int) from public;
grant execute on function booking.process_erasures(int) to ${app_role};
