-- Payment events (from payment-service over Kafka) move bookings: applied once per event id, in any order,
-- by one definer helper that locks the booking. Contract: docs/events.md, "payment events".

-- Keyed by tenant and event id: an event id of one tenant can never shadow another tenant's event.
create table booking.processed_events (
    tenant_id    uuid not null,
    event_id     text not null,
    type         text not null,
    outcome      text,
    processed_at timestamptz not null default now(),
    primary key (tenant_id, event_id)
);
alter table booking.processed_events enable row level security;
alter table booking.processed_events force row level security;
create policy processed_events_owner_helpers on booking.processed_events for all to ${owner_role} using (true) with check (true);
create policy processed_events_select on booking.processed_events for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select on booking.processed_events to ${app_role};

-- Outcomes: duplicate, unknown_booking, confirmed, already_confirmed, amount_mismatch, payment_after_<status>,
-- refunded, already_refunded, partial_refund, ignored. A payment that arrives for a booking that no longer
-- wants it (expired, cancelled) never resurrects it: booking.payment_unneeded tells payment-service to refund.
-- After a refund nothing more is asked; only a refund of the full amount moves a booking to refunded.
create function booking.apply_payment_event(p_event_id text, p_tenant uuid, p_type text, p_booking uuid, p_amount bigint,
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
        on conflict (tenant_id, event_id) do nothing;
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
        update booking.processed_events set outcome = v_outcome where tenant_id = p_tenant and event_id = p_event_id;
        if v_event is not null then
            insert into booking.outbox (id, tenant_id, type, subject, data)
            values (gen_random_uuid(), p_tenant, v_event, b.id::text,
                    jsonb_build_object('bookingId', b.id, 'status', v_outcome, 'amountMinor', p_amount, 'currency', p_currency,
                                       'causedBy', p_event_id));
        end if;
        return v_outcome;
    end
    $$;
revoke all on function booking.apply_payment_event(text, uuid, text, uuid, bigint, text) from public;
grant execute on function booking.apply_payment_event(text, uuid, text, uuid, bigint, text) to ${app_role};
