-- The functions of the booking schema in their final form (docs/database.md). A repeatable migration: Flyway applies it
-- after the versioned ones whenever it changes, so this file, not the history in V*.sql, is where a reader finds what
-- runs. CREATE OR REPLACE keeps each function's grants, made by the migration that created it; who may execute a
-- definer is in common's db/security-definers.txt, which CatalogTest holds the catalog to. A changed function is
-- changed here; a new one is created by a versioned migration (with its grants) and kept here, and one whose result
-- changes is dropped by a versioned migration and created here with its grants; a dropped one is dropped by a versioned
-- migration and taken out of this file.

-- Seats follow the bookings: taking, releasing and moving seats is the database's job, in the same statement.
create or replace function booking.track_seats() returns trigger
    language plpgsql set search_path = pg_catalog, pg_temp
    as $$
    declare
        was_active boolean := tg_op <> 'INSERT' and old.status in ('held', 'pending_payment', 'confirmed');
        is_active boolean := tg_op <> 'DELETE' and new.status in ('held', 'pending_payment', 'confirmed');
    begin
        -- It runs as the caller: a slot the caller may not change (a visitor's whose offering was unpublished meanwhile)
        -- refuses the booking rather than leave its seats uncounted.
        if was_active and (not is_active or new.slot_id <> old.slot_id or new.seats <> old.seats) then
            update booking.slots set seats_taken = seats_taken - old.seats where id = old.slot_id;
            if not found then
                raise exception 'the seats of slot % cannot be released by this caller', old.slot_id using errcode = '42501';
            end if;
        end if;
        if is_active and (not was_active or new.slot_id <> old.slot_id or new.seats <> old.seats) then
            update booking.slots set seats_taken = seats_taken + new.seats where id = new.slot_id;
            if not found then
                raise exception 'the seats of slot % cannot be taken by this caller', new.slot_id using errcode = '42501';
            end if;
        end if;
        return null;
    end
    $$;

-- Queues and cancels a booking's messages, as the caller that changed the booking (V20: members and workers may).
create or replace function booking.queue_notifications() returns trigger
    language plpgsql set search_path = pg_catalog, pg_temp
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

create or replace function booking.claim_notifications(p_limit int, p_lease_seconds int, p_max_attempts int)
    returns table (id uuid, tenant_id uuid)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    #variable_conflict use_column
    begin
        return query
            with due as (
                select n.id from booking.notifications n
                 where (n.status = 'pending' or (n.status = 'sending' and n.lease_until < now())) and n.due_at <= now()
                   and n.attempts < p_max_attempts
                 order by n.due_at limit p_limit for update skip locked),
            claimed as (
                update booking.notifications n set status = 'sending', attempts = n.attempts + 1,
                       lease_until = now() + make_interval(secs => p_lease_seconds)
                  from due where n.id = due.id returning n.id, n.tenant_id)
            select c.id, c.tenant_id from claimed c;
    end
    $$;
revoke all on function booking.claim_notifications(int, int, int) from public;
grant execute on function booking.claim_notifications(int, int, int) to ${app_role};

-- Pending erasure requests of every tenant, as (tenant, request): each is carried out under its tenant's worker scope
-- (ErasureWorker).
create or replace function booking.due_erasures(p_limit int) returns table (tenant_id uuid, request_id uuid)
    language plpgsql stable security definer set search_path = pg_catalog, pg_temp
    as $$
    #variable_conflict use_column
    begin
        return query
            select r.tenant_id, r.id from booking.erasure_requests r where r.status = 'pending' order by r.due_at limit p_limit;
    end
    $$;

-- Admits one hold, or answers which limit refuses it ('client', 'client_slot', 'network' or 'email') and when the
-- oldest counted hold leaves the window. The per-key advisory locks make concurrent holds of one client count one
-- after another. It runs as its caller, a visitor of one tenant (DbScope.visitor): it counts that tenant's attempts
-- alone, and may record one only for that tenant.
create or replace function booking.admit_hold(p_tenant uuid, p_client_key text, p_network_key text, p_email_key text, p_slot uuid, p_seats int,
        p_window_seconds int, p_max_per_client int, p_max_per_network int, p_max_per_email int, p_max_seats_per_client_slot int,
        out refused_by text, out retry_after_seconds int)
    language plpgsql volatile set search_path = pg_catalog, pg_temp
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

-- Spends a proof link, presented only as a token: once, before it expires. Answers its tenant and booking; the rest
-- (adding the booking to a known guest, confirming a free booking) runs under the worker scope of that tenant.
create or replace function booking.redeem_email_proof(p_token_hash text) returns table (tenant_id uuid, booking_id uuid, public_ref text)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    #variable_conflict use_column
    begin
        return query
            update booking.email_proofs p set proven_at = now()
              from booking.bookings b
             where p.token_hash = p_token_hash and p.proven_at is null and p.expires_at > now() and b.id = p.booking_id
            returning p.tenant_id, p.booking_id, b.public_ref;
    end
    $$;

create or replace function booking.due_hold_expiries(p_limit int) returns table (tenant_id uuid, booking_id uuid)
    language plpgsql stable security definer set search_path = pg_catalog, pg_temp
    as $$
    #variable_conflict use_column
    begin
        return query
            select b.tenant_id, b.id from booking.bookings b
             where b.status in ('held', 'pending_payment') and b.hold_expires_at <= now()
             order by b.hold_expires_at limit p_limit;
    end
    $$;
