-- One client may hold only so many seats of one slot within the window (palisade.holds.max-seats-per-client-slot),
-- whatever the number of holds it spreads them over: holds are unpaid until paid, and free bookings are seats taken
-- for nothing, so one client cannot take a slot's seats from everyone else. Counted from the hold attempts, which
-- now keep the slot and the seats.
alter table booking.hold_attempts add column slot_id uuid, add column seats int;
create index hold_attempts_client_slot_idx on booking.hold_attempts (tenant_id, client_key, slot_id, made_at);

drop function booking.admit_hold(uuid, text, text, text, int, int, int, int);
-- Admits one hold, or answers which limit refuses it ('client', 'client_slot', 'network' or 'email') and when the
-- oldest counted hold leaves the window. The per-key advisory locks make concurrent holds of one client count one
-- after another.
create function booking.admit_hold(p_tenant uuid, p_client_key text, p_network_key text, p_email_key text, p_slot uuid, p_seats int,
        p_window_seconds int, p_max_per_client int, p_max_per_network int, p_max_per_email int, p_max_seats_per_client_slot int,
        out refused_by text, out retry_after_seconds int)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_since timestamptz := now() - make_interval(secs => p_window_seconds);
        v_count int;
        v_seats bigint;
        v_oldest timestamptz;
    begin
        perform pg_advisory_xact_lock(hashtextextended('hold-client:' || p_tenant || ':' || p_client_key, 0));
        perform pg_advisory_xact_lock(hashtextextended('hold-network:' || p_tenant || ':' || p_network_key, 0));
        perform pg_advisory_xact_lock(hashtextextended('hold-email:' || p_tenant || ':' || p_email_key, 0));
        select count(*), min(made_at) into v_count, v_oldest from booking.hold_attempts
         where tenant_id = p_tenant and client_key = p_client_key and made_at > v_since;
        if v_count >= p_max_per_client then
            refused_by := 'client';
        end if;
        if refused_by is null then
            select coalesce(sum(seats), 0), min(made_at) into v_seats, v_oldest from booking.hold_attempts
             where tenant_id = p_tenant and client_key = p_client_key and slot_id = p_slot and made_at > v_since;
            if v_seats + p_seats > p_max_seats_per_client_slot then
                refused_by := 'client_slot';
            end if;
        end if;
        if refused_by is null then
            select count(*), min(made_at) into v_count, v_oldest from booking.hold_attempts
             where tenant_id = p_tenant and network_key = p_network_key and made_at > v_since;
            if v_count >= p_max_per_network then
                refused_by := 'network';
            else
                select count(*), min(made_at) into v_count, v_oldest from booking.hold_attempts
                 where tenant_id = p_tenant and email_key = p_email_key and made_at > v_since;
                if v_count >= p_max_per_email then
                    refused_by := 'email';
                end if;
            end if;
        end if;
        if refused_by is not null then
            retry_after_seconds := greatest(1, ceil(extract(epoch from v_oldest + make_interval(secs => p_window_seconds) - now())))::int;
            return;
        end if;
        insert into booking.hold_attempts (tenant_id, client_key, network_key, email_key, slot_id, seats)
        values (p_tenant, p_client_key, p_network_key, p_email_key, p_slot, p_seats);
    end
    $$;
revoke all on function booking.admit_hold(uuid, text, text, text, uuid, int, int, int, int, int, int) from public;
grant execute on function booking.admit_hold(uuid, text, text, text, uuid, int, int, int, int, int, int) to ${app_role};
