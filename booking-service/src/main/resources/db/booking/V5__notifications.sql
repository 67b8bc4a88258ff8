-- Outgoing messages to guests (confirmation, reminder, rescheduled, cancellation), queued by the database as bookings
-- change, whatever changed them, and sent by a worker. The queue holds no personal data: the worker opens the
-- guest's sealed email only to send.

create table booking.notifications (
    id         uuid primary key default gen_random_uuid(),
    tenant_id  uuid not null,
    booking_id uuid not null references booking.bookings (id),
    guest_id   uuid not null,
    kind       text not null check (kind in ('confirmation', 'reminder', 'rescheduled', 'cancellation')),
    status     text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'cancelled', 'failed')),
    due_at     timestamptz not null,
    attempts   int not null default 0,
    lease_until timestamptz,
    sent_at    timestamptz,
    created_at timestamptz not null default now()
);
create index notifications_due_idx on booking.notifications (due_at) where status in ('pending', 'sending');
alter table booking.notifications enable row level security;
alter table booking.notifications force row level security;
create policy notifications_owner_helpers on booking.notifications for all to ${owner_role} using (true) with check (true);
create policy notifications_select on booking.notifications for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select on booking.notifications to ${app_role};

-- Confirmed: a confirmation now and a reminder a day before the start. Moved to another slot while confirmed:
-- a notice now and the reminder moves with the booking. Cancelled, refunded, expired: unsent messages are
-- dropped (also one a worker holds: if its send fails it is not retried), and a guest whose confirmed booking
-- was cancelled or refunded is told.
create function booking.queue_notifications() returns trigger
    language plpgsql security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_starts timestamptz;
    begin
        if new.guest_id is null or (tg_op = 'UPDATE' and new.status = old.status and new.slot_id = old.slot_id) then
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
create trigger bookings_queue_notifications after insert or update of status, slot_id on booking.bookings
    for each row execute function booking.queue_notifications();

-- The worker takes due messages with a lease (a crashed worker's messages come back after it), with what it
-- needs to write them; never more than 5 attempts.
create function booking.claim_notifications(p_limit int, p_lease_seconds int)
    returns table (id uuid, tenant_id uuid, kind text, guest_name text, email_lookup text, email_sealed text, offering text,
                   starts_at timestamptz, seats int, amount_minor bigint, currency text)
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
        with due as (
            select n.id from booking.notifications n
             where (n.status = 'pending' or (n.status = 'sending' and n.lease_until < now())) and n.due_at <= now() and n.attempts < 5
             order by n.due_at limit p_limit for update skip locked),
        claimed as (
            update booking.notifications n set status = 'sending', attempts = n.attempts + 1,
                   lease_until = now() + make_interval(secs => p_lease_seconds)
              from due where n.id = due.id returning n.*)
        select c.id, c.tenant_id, c.kind, g.name, g.email_lookup, g.email_sealed, o.name, s.starts_at, b.seats, b.amount_minor, b.currency
          from claimed c join booking.bookings b on b.id = c.booking_id
          join booking.slots s on s.id = b.slot_id join booking.offerings o on o.id = s.offering_id
          join booking.guests g on g.tenant_id = c.tenant_id and g.id = c.guest_id
    $$;

create function booking.finish_notification(p_id uuid, p_sent boolean) returns void
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
        update booking.notifications
           set status = case when p_sent then 'sent' when attempts >= 5 then 'failed' else 'pending' end,
               sent_at = case when p_sent then now() end, lease_until = null
         where id = p_id and status = 'sending'
    $$;

revoke all on function booking.claim_notifications(int, int), booking.finish_notification(uuid, boolean) from public;
grant execute on function booking.claim_notifications(int, int), booking.finish_notification(uuid, boolean) to ${app_role};
