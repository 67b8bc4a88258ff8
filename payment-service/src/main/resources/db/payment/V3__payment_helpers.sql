-- Definer helpers: each takes the tenant from a verified source (a Kafka event of booking-service, a Stripe
-- event whose signature was checked, a guest payment token) or checks the caller's tenant scope itself.

-- What gift cards paid towards a booking.
create function payment.gift_card_paid(p_tenant uuid, p_booking uuid) returns bigint
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select coalesce(sum(case when kind = 'debit' then amount_minor else -amount_minor end), 0)::bigint
          from payment.gift_card_ledger where tenant_id = p_tenant and booking_id = p_booking
    $$;

-- A booking that ended unpaid (its hold expired, it was cancelled while held, or money came too late) gives back
-- what gift cards paid towards it: a credit per card for its net debit, so running this twice credits nothing.
create function payment.release_gift_cards(p_tenant uuid, p_booking uuid, p_reason text) returns bigint
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        r record;
        v_total bigint := 0;
    begin
        for r in select l.gift_card_id, sum(case when l.kind = 'debit' then l.amount_minor else -l.amount_minor end)::bigint as net
                   from payment.gift_card_ledger l where l.tenant_id = p_tenant and l.booking_id = p_booking
                  group by l.gift_card_id having sum(case when l.kind = 'debit' then l.amount_minor else -l.amount_minor end) > 0 loop
            insert into payment.gift_card_ledger (tenant_id, gift_card_id, kind, amount_minor, booking_id, reason)
            values (p_tenant, r.gift_card_id, 'credit', r.net, p_booking, p_reason);
            perform payment.audit_event(p_tenant, 'gift_card.released', null, 'system', 'gift_card', r.gift_card_id::text, null,
                    jsonb_build_object('amountMinor', r.net), jsonb_build_object('bookingId', p_booking, 'reason', p_reason));
            v_total := v_total + r.net;
        end loop;
        return v_total;
    end
    $$;

-- booking-service's events keep payment.bookings current, and give back gift card money of bookings that
-- ended unpaid. Returns what the consumer must do next: 'recorded', 'duplicate', 'ignored', 'cancel_intents'
-- (the hold ended: cancel its open PaymentIntents) or 'refund' (money arrived for a booking that no longer
-- wants it).
create function payment.apply_booking_event(p_event_id text, p_tenant uuid, p_type text, p_booking uuid, p_data jsonb)
    returns text
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    begin
        insert into payment.processed_events (tenant_id, event_id) values (p_tenant, p_event_id) on conflict do nothing;
        if not found then
            -- The Stripe side of an event may have failed the first time; it is idempotent, so it runs again.
            return case when p_type in ('booking.expired', 'booking.cancelled') then 'cancel_intents'
                        when p_type = 'booking.payment_unneeded' then 'refund' else 'duplicate' end;
        end if;
        if p_type = 'booking.created' then
            if (p_data->>'amountMinor')::bigint <= 0 then
                return 'ignored';
            end if;
            insert into payment.bookings (tenant_id, booking_id, reference, amount_minor, currency, status, hold_expires_at)
            values (p_tenant, p_booking, p_data->>'reference', (p_data->>'amountMinor')::bigint, upper(p_data->>'currency'),
                    p_data->>'status', (p_data->>'holdExpiresAt')::timestamptz)
            on conflict (tenant_id, booking_id) do nothing;
            return 'recorded';
        end if;
        if p_type = 'booking.payment_unneeded' then
            perform payment.release_gift_cards(p_tenant, p_booking, 'paid after the booking had ended');
            return 'refund';
        end if;
        if p_type = 'booking.expired'
           or (p_type = 'booking.cancelled' and coalesce(p_data->>'previousStatus', 'held') in ('held', 'pending_payment')) then
            perform payment.release_gift_cards(p_tenant, p_booking, replace(p_type, 'booking.', 'booking '));
        end if;
        update payment.bookings
           set status = case p_type when 'booking.confirmed' then 'confirmed' when 'booking.expired' then 'expired'
                                    when 'booking.cancelled' then 'cancelled' when 'booking.refunded' then 'refunded' else status end,
               updated_at = now()
         where tenant_id = p_tenant and booking_id = p_booking;
        if not found then
            return 'ignored';
        end if;
        return case when p_type in ('booking.expired', 'booking.cancelled') then 'cancel_intents' else 'recorded' end;
    end
    $$;

-- The PaymentIntents of a booking that may still take money.
create function payment.open_intents(p_tenant uuid, p_booking uuid)
    returns table (payment_id uuid, payment_intent_id text, stripe_account_id text)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select p.id, p.payment_intent_id, p.stripe_account_id from payment.payments p
         where p.tenant_id = p_tenant and p.booking_id = p_booking and p.payment_intent_id is not null
           and p.status in ('requires_payment', 'processing')
    $$;

-- A guest starts paying (from a verified payment token): the booking must be held and unexpired and the
-- tenant connected. An open attempt is returned again (a retry reuses its PaymentIntent); otherwise a new
-- attempt is numbered. The amount is the booking's, less what gift cards paid; the currency is the booking's.
create function payment.start_payment(p_tenant uuid, p_reference text, p_fee_basis_points int,
        out outcome text, out payment_id uuid, out attempt int, out booking_id uuid, out stripe_account_id text,
        out amount_minor bigint, out currency text, out application_fee_minor bigint, out payment_intent_id text)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        b payment.bookings%rowtype;
        p payment.payments%rowtype;
        v_due bigint;
    begin
        select * into b from payment.bookings where tenant_id = p_tenant and reference = p_reference for update;
        if not found then
            outcome := 'unknown_booking';
            return;
        end if;
        booking_id := b.booking_id;
        select * into p from payment.payments x where x.tenant_id = p_tenant and x.booking_id = b.booking_id
           and x.status in ('creating', 'requires_payment', 'processing', 'succeeded') order by x.attempt desc limit 1;
        if found and p.status = 'succeeded' then
            outcome := 'already_paid';
            return;
        end if;
        if b.status <> 'held' or b.hold_expires_at <= now() then
            outcome := 'not_payable';
            return;
        end if;
        v_due := b.amount_minor - payment.gift_card_paid(p_tenant, b.booking_id);
        if v_due <= 0 then
            outcome := 'already_paid';
            return;
        end if;
        if p.id is null then
            select a.stripe_account_id into stripe_account_id from payment.connected_accounts a
             where a.tenant_id = p_tenant and a.charges_enabled;
            if not found then
                outcome := 'no_account';
                return;
            end if;
            insert into payment.payments (tenant_id, booking_id, attempt, stripe_account_id, amount_minor, currency, application_fee_minor)
            values (p_tenant, b.booking_id,
                    coalesce((select max(x.attempt) from payment.payments x where x.tenant_id = p_tenant and x.booking_id = b.booking_id), 0) + 1,
                    stripe_account_id, v_due, b.currency, (v_due * p_fee_basis_points) / 10000)
            returning * into p;
            outcome := 'new';
        else
            outcome := 'existing';
        end if;
        payment_id := p.id;
        attempt := p.attempt;
        stripe_account_id := p.stripe_account_id;
        amount_minor := p.amount_minor;
        currency := p.currency;
        application_fee_minor := p.application_fee_minor;
        payment_intent_id := p.payment_intent_id;
    end
    $$;

-- A checkout attempt whose PaymentIntent Stripe refused to create is closed, so the next one starts afresh.
create function payment.abandon_attempt(p_payment uuid) returns void
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$ update payment.payments set status = 'canceled', updated_at = now() where id = p_payment and status = 'creating' $$;

create function payment.record_intent(p_payment uuid, p_intent text) returns void
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
        update payment.payments set payment_intent_id = p_intent, status = 'requires_payment', updated_at = now()
         where id = p_payment and status = 'creating'
    $$;

-- Stripe events, stored once per event id after their signature was verified. The tenant is the one whose
-- connected account the event is about (null for an account we do not know).
create function payment.record_stripe_event(p_event_id text, p_account text, p_type text, p_object_id text, p_payload jsonb)
    returns boolean
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    begin
        insert into payment.stripe_events (event_id, tenant_id, account_id, type, object_id, payload)
        values (p_event_id, (select a.tenant_id from payment.connected_accounts a where a.stripe_account_id = p_account),
                p_account, p_type, p_object_id, p_payload)
        on conflict (event_id) do nothing;
        return found;
    end
    $$;

create function payment.claim_stripe_events(p_limit int, p_lease_seconds int)
    returns table (event_id text, tenant_id uuid, account_id text, type text, object_id text)
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
        -- The lease is also the pause before a failed event is tried again: it doubles with each attempt, up to an
        -- hour, and an event is never given up.
        with due as (
            select e.event_id from payment.stripe_events e
             where e.processed_at is null and (e.lease_until is null or e.lease_until < now())
             order by e.received_at limit p_limit for update skip locked)
        update payment.stripe_events e set attempts = e.attempts + 1,
               lease_until = now() + make_interval(secs => least(p_lease_seconds * power(2, least(e.attempts, 10)), 3600))
          from due where e.event_id = due.event_id
        returning e.event_id, e.tenant_id, e.account_id, e.type, e.object_id
    $$;

create function payment.finish_stripe_event(p_event_id text, p_outcome text) returns void
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$ update payment.stripe_events set processed_at = now(), outcome = p_outcome, lease_until = null where event_id = p_event_id $$;

-- Moves a payment to the PaymentIntent's state as read back from Stripe. Succeeded and canceled are final:
-- nothing moves a payment out of them, so a late or replayed event cannot undo a refund or revive a payment.
-- payment.succeeded is emitted once, on the move into succeeded, and only when Stripe received exactly the
-- booking's amount in its currency.
create function payment.apply_intent_state(p_event_id text, p_account text, p_intent text, p_status text,
        p_amount_received bigint, p_currency text, p_failed boolean)
    returns text
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        p payment.payments%rowtype;
        v_status text := case when p_status in ('requires_payment_method', 'requires_confirmation', 'requires_action') then 'requires_payment'
                              else p_status end;
    begin
        select * into p from payment.payments where payment_intent_id = p_intent and stripe_account_id = p_account for update;
        if not found then
            return 'unknown_intent';
        end if;
        if p.status in ('succeeded', 'canceled') then
            return 'already_' || p.status;
        end if;
        if v_status = 'succeeded' then
            if p_amount_received <> p.amount_minor or upper(p_currency) <> p.currency then
                update payment.payments set flag = 'amount_mismatch', updated_at = now() where id = p.id;
                return 'amount_mismatch';
            end if;
            update payment.payments set status = 'succeeded', updated_at = now() where id = p.id;
            -- The booking's total: this card payment and what gift cards paid before it.
            insert into payment.outbox (id, tenant_id, type, subject, data)
            values (gen_random_uuid(), p.tenant_id, 'payment.succeeded', p.booking_id::text,
                    jsonb_build_object('bookingId', p.booking_id, 'paymentId', p.id,
                                       'amountMinor', p.amount_minor + payment.gift_card_paid(p.tenant_id, p.booking_id),
                                       'cardMinor', p.amount_minor, 'giftCardMinor', payment.gift_card_paid(p.tenant_id, p.booking_id),
                                       'currency', p.currency, 'paymentIntentId', p.payment_intent_id, 'stripeEventId', p_event_id));
            return 'succeeded';
        end if;
        if v_status not in ('requires_payment', 'processing', 'canceled') then
            return 'ignored';
        end if;
        update payment.payments set status = v_status, updated_at = now() where id = p.id;
        if v_status = 'canceled' or p_failed then
            insert into payment.outbox (id, tenant_id, type, subject, data)
            values (gen_random_uuid(), p.tenant_id, case when v_status = 'canceled' then 'payment.canceled' else 'payment.failed' end,
                    p.booking_id::text, jsonb_build_object('bookingId', p.booking_id, 'paymentId', p.id, 'amountMinor', p.amount_minor,
                    'currency', p.currency, 'paymentIntentId', p.payment_intent_id, 'stripeEventId', p_event_id));
            return case when v_status = 'canceled' then 'canceled' else 'failed' end;
        end if;
        return v_status;
    end
    $$;

-- A charge's refunded total as read back from Stripe. A refund proves the payment succeeded, so a refund
-- seen first also records the success (once, with the amount Stripe says it received, checked as for any
-- success). payment.refunded carries the cumulative refunded amount.
create function payment.apply_refunded_total(p_event_id text, p_account text, p_intent text, p_amount_refunded bigint,
        p_amount_received bigint, p_currency text)
    returns text
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        p payment.payments%rowtype;
        v_outcome text;
    begin
        select * into p from payment.payments where payment_intent_id = p_intent and stripe_account_id = p_account for update;
        if not found then
            return 'unknown_intent';
        end if;
        if p.status <> 'succeeded' then
            v_outcome := payment.apply_intent_state(p_event_id, p_account, p_intent, 'succeeded', p_amount_received, p_currency, false);
            if v_outcome <> 'succeeded' then
                return v_outcome;
            end if;
        end if;
        if p_amount_refunded <= p.refunded_minor then
            return 'refund_already_recorded';
        end if;
        update payment.payments set refunded_minor = p_amount_refunded, updated_at = now() where id = p.id;
        insert into payment.outbox (id, tenant_id, type, subject, data)
        values (gen_random_uuid(), p.tenant_id, 'payment.refunded', p.booking_id::text,
                jsonb_build_object('bookingId', p.booking_id, 'paymentId', p.id, 'amountMinor', p_amount_refunded, 'currency', p.currency,
                                   'paymentIntentId', p.payment_intent_id, 'stripeEventId', p_event_id));
        return 'refunded';
    end
    $$;

-- A refund: by staff (the caller has already found the payment under its own tenant's RLS) or automatic
-- (p_user null: a payment that arrived after its booking ended; flagged, refunded in full, audited here as the
-- system). The amount may not exceed what is left after earlier refunds.
create function payment.request_refund(p_tenant uuid, p_payment uuid, p_amount bigint, p_reason text, p_user uuid,
        out outcome text, out refund_id uuid, out payment_intent_id text, out stripe_account_id text, out amount_minor bigint)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        p payment.payments%rowtype;
        v_open bigint;
    begin
        select * into p from payment.payments where tenant_id = p_tenant and id = p_payment for update;
        if not found then
            outcome := 'not_found';
            return;
        end if;
        if p.status <> 'succeeded' then
            outcome := 'not_refundable';
            return;
        end if;
        if p_user is null then
            select r.id, r.amount_minor into refund_id, amount_minor from payment.refunds r
             where r.payment_id = p.id and r.requested_by is null and r.status <> 'failed';
            if found then
                outcome := 'existing';
                payment_intent_id := p.payment_intent_id;
                stripe_account_id := p.stripe_account_id;
                return;
            end if;
            p_amount := p.amount_minor - p.refunded_minor;
            update payment.payments set flag = 'paid_after_booking_ended', updated_at = now() where id = p.id;
        end if;
        select coalesce(sum(r.amount_minor), 0) into v_open from payment.refunds r
         where r.payment_id = p.id and r.status in ('requested', 'pending');
        if p_amount is null or p_amount < 1 or p_amount > p.amount_minor - p.refunded_minor - v_open then
            outcome := 'too_much';
            amount_minor := greatest(p.amount_minor - p.refunded_minor - v_open, 0);
            return;
        end if;
        insert into payment.refunds (tenant_id, payment_id, amount_minor, reason, requested_by)
        values (p_tenant, p.id, p_amount, p_reason, p_user) returning id into refund_id;
        if p_user is null then
            perform payment.audit_event(p_tenant, 'payment.refund_requested', null, 'system', 'payment', p.id::text, null,
                    jsonb_build_object('refundId', refund_id, 'amountMinor', p_amount),
                    jsonb_build_object('reason', p_reason, 'automatic', true));
        end if;
        outcome := 'requested';
        payment_intent_id := p.payment_intent_id;
        stripe_account_id := p.stripe_account_id;
        amount_minor := p_amount;
    end
    $$;

-- A refund's state at Stripe. The refund must belong to a payment of that connected account and PaymentIntent:
-- metadata on a Stripe object is the connected account's to write, so it names nothing by itself.
create function payment.record_refund(p_refund uuid, p_stripe_refund text, p_status text, p_account text, p_intent text) returns void
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
        update payment.refunds r set stripe_refund_id = coalesce(p_stripe_refund, r.stripe_refund_id),
               status = case when r.status = 'succeeded' then r.status
                             when p_status in ('succeeded', 'failed', 'canceled') then p_status else 'pending' end,
               updated_at = now()
          from payment.payments p
         where r.id = p_refund and p.id = r.payment_id and p.stripe_account_id = p_account and p.payment_intent_id = p_intent
    $$;

-- Refunds asked of Stripe whose answer never came (timeout, Stripe down): sent again under the same
-- idempotency key, so Stripe makes at most one.
create function payment.unsent_refunds(p_older_than_seconds int, p_limit int)
    returns table (refund_id uuid, payment_id uuid, payment_intent_id text, stripe_account_id text, amount_minor bigint)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select r.id, p.id, p.payment_intent_id, p.stripe_account_id, r.amount_minor
          from payment.refunds r join payment.payments p on p.id = r.payment_id
         where r.status = 'requested' and r.created_at < now() - make_interval(secs => p_older_than_seconds)
         order by r.created_at limit p_limit
    $$;

create function payment.payment_of_booking(p_tenant uuid, p_booking uuid) returns uuid
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$ select p.id from payment.payments p where p.tenant_id = p_tenant and p.booking_id = p_booking and p.status = 'succeeded' $$;

create function payment.update_account(p_account text, p_charges_enabled boolean, p_details_submitted boolean) returns void
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
        update payment.connected_accounts set charges_enabled = p_charges_enabled, details_submitted = p_details_submitted,
               updated_at = now()
         where stripe_account_id = p_account
    $$;


-- A guest redeems a gift card code against a held booking (tenant and booking from a verified payment token).
-- Anomalies are refused and audited as their own kinds, once per client and window: many wrong codes from one
-- client (gift_card.guessing_blocked), attempts faster than a person types (gift_card.redemption_too_fast),
-- and a debit the ledger refuses because the balance would go below zero (gift_card.overdraw_blocked). Limits
-- count per tenant and client. A card checkout already started for the booking makes the first call answer
-- 'cancel_checkouts_first' once everything else checked out; the caller cancels those PaymentIntents at Stripe
-- and calls again with them in p_cancelled_intents (that second call is not counted as another try). A rest
-- below the card minimum is refused. When gift cards cover the whole amount, payment.succeeded is emitted with
-- the booking's total.
create function payment.redeem_gift_card(p_tenant uuid, p_reference text, p_code_hash text, p_client_key text,
        p_cancelled_intents text[], p_max_failures int, p_window_seconds int, p_min_interval_ms int, p_min_card_minor bigint,
        out outcome text, out gift_card_id uuid, out debited_minor bigint, out remaining_minor bigint, out balance_minor bigint,
        out booking_id uuid)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    #variable_conflict use_variable
    declare
        b payment.bookings%rowtype;
        g payment.gift_cards%rowtype;
        v_since timestamptz := now() - make_interval(secs => p_window_seconds);
        v_failures int;
        v_last timestamptz;
        v_due bigint;
        v_second_call boolean;
    begin
        perform pg_advisory_xact_lock(hashtextextended('gift-card-client:' || p_tenant || ':' || p_client_key, 0));
        select count(*) filter (where a.outcome = 'no_such_card'), max(a.made_at) into v_failures, v_last
          from payment.gift_card_attempts a where a.tenant_id = p_tenant and a.client_key = p_client_key and a.made_at > v_since;
        v_second_call := p_cancelled_intents is not null;
        if v_failures >= p_max_failures then
            outcome := 'guessing_blocked';
        elsif not v_second_call and v_last is not null and v_last > now() - make_interval(secs => p_min_interval_ms / 1000.0) then
            outcome := 'too_fast';
        end if;
        if outcome is not null then
            if not exists (select 1 from payment.gift_card_attempts a where a.tenant_id = p_tenant and a.client_key = p_client_key
                            and a.made_at > v_since and a.outcome = outcome) then
                perform payment.audit_event(p_tenant, 'gift_card.' || case outcome when 'too_fast' then 'redemption_too_fast'
                        else outcome end, null, 'guest', 'client', left(p_client_key, 16), null, null,
                        jsonb_build_object('failedAttempts', v_failures, 'windowSeconds', p_window_seconds));
            end if;
            insert into payment.gift_card_attempts (tenant_id, client_key, outcome) values (p_tenant, p_client_key, outcome);
            return;
        end if;

        select * into b from payment.bookings x where x.tenant_id = p_tenant and x.reference = p_reference for update;
        if not found or b.status <> 'held' or b.hold_expires_at <= now() then
            outcome := 'not_payable';
            return;
        end if;
        booking_id := b.booking_id;
        select * into g from payment.gift_cards x where x.tenant_id = p_tenant and x.code_hash = p_code_hash and x.expires_at > now();
        if not found then
            outcome := 'no_such_card';
            insert into payment.gift_card_attempts (tenant_id, client_key, outcome) values (p_tenant, p_client_key, outcome);
            return;
        end if;
        if not v_second_call then
            insert into payment.gift_card_attempts (tenant_id, client_key, outcome) values (p_tenant, p_client_key, 'card_found');
        end if;
        gift_card_id := g.id;
        if g.currency <> b.currency then
            outcome := 'wrong_currency';
            return;
        end if;
        v_due := b.amount_minor - payment.gift_card_paid(p_tenant, b.booking_id);
        balance_minor := payment.gift_card_balance(g.id);
        debited_minor := least(balance_minor, v_due);
        if debited_minor <= 0 then
            outcome := case when v_due <= 0 then 'already_paid' else 'empty_card' end;
            return;
        end if;
        if v_due - debited_minor > 0 and v_due - debited_minor < p_min_card_minor then
            outcome := 'rest_below_card_minimum';
            return;
        end if;
        update payment.payments x set status = 'canceled', updated_at = now()
         where x.tenant_id = p_tenant and x.booking_id = b.booking_id and x.status = 'requires_payment'
           and x.payment_intent_id = any(coalesce(p_cancelled_intents, '{}'));
        if exists (select 1 from payment.payments x where x.tenant_id = p_tenant and x.booking_id = b.booking_id
                    and x.status in ('processing', 'succeeded')
                    or (x.tenant_id = p_tenant and x.booking_id = b.booking_id and x.status = 'creating'
                        and x.created_at > now() - interval '1 minute')) then
            outcome := 'card_payment_open';
            return;
        end if;
        if exists (select 1 from payment.payments x where x.tenant_id = p_tenant and x.booking_id = b.booking_id
                    and x.status = 'requires_payment') then
            outcome := 'cancel_checkouts_first';
            return;
        end if;
        -- A checkout whose PaymentIntent was never created (the request died) is closed.
        update payment.payments x set status = 'canceled', updated_at = now()
         where x.tenant_id = p_tenant and x.booking_id = b.booking_id and x.status = 'creating' and x.payment_intent_id is null;
        begin
            insert into payment.gift_card_ledger (tenant_id, gift_card_id, kind, amount_minor, booking_id, reason)
            values (p_tenant, g.id, 'debit', debited_minor, b.booking_id, 'redeemed');
        exception when check_violation then
            outcome := 'overdraw_blocked';
            perform payment.audit_event(p_tenant, 'gift_card.overdraw_blocked', null, 'guest', 'gift_card', g.id::text, null, null,
                    jsonb_build_object('requestedMinor', debited_minor, 'bookingId', b.booking_id));
            debited_minor := 0;
            return;
        end;
        balance_minor := balance_minor - debited_minor;
        remaining_minor := v_due - debited_minor;
        perform payment.audit_event(p_tenant, 'gift_card.redeemed', null, 'guest', 'gift_card', g.id::text,
                jsonb_build_object('balanceMinor', balance_minor + debited_minor), jsonb_build_object('balanceMinor', balance_minor),
                jsonb_build_object('bookingId', b.booking_id, 'amountMinor', debited_minor));
        if remaining_minor = 0 then
            insert into payment.outbox (id, tenant_id, type, subject, data)
            values (gen_random_uuid(), p_tenant, 'payment.succeeded', b.booking_id::text,
                    jsonb_build_object('bookingId', b.booking_id, 'amountMinor', b.amount_minor, 'cardMinor', 0,
                                       'giftCardMinor', b.amount_minor, 'currency', b.currency, 'paymentIntentId', null));
        end if;
        outcome := 'redeemed';
    end
    $$;

create function payment.booking_of_reference(p_tenant uuid, p_reference text) returns uuid
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$ select b.booking_id from payment.bookings b where b.tenant_id = p_tenant and b.reference = p_reference $$;

create function payment.purge_gift_card_attempts(p_keep_seconds int) returns int
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
        with purged as (delete from payment.gift_card_attempts where made_at < now() - make_interval(secs => p_keep_seconds) returning 1)
        select count(*)::int from purged
    $$;

do $$
declare
    f text;
begin
    foreach f in array array['payment.apply_booking_event(text, uuid, text, uuid, jsonb)', 'payment.open_intents(uuid, uuid)',
            'payment.start_payment(uuid, text, int)', 'payment.record_intent(uuid, text)',
            'payment.record_stripe_event(text, text, text, text, jsonb)', 'payment.claim_stripe_events(int, int)',
            'payment.finish_stripe_event(text, text)', 'payment.apply_intent_state(text, text, text, text, bigint, text, boolean)',
            'payment.apply_refunded_total(text, text, text, bigint, bigint, text)', 'payment.request_refund(uuid, uuid, bigint, text, uuid)',
            'payment.record_refund(uuid, text, text, text, text)', 'payment.payment_of_booking(uuid, uuid)',
            'payment.update_account(text, boolean, boolean)', 'payment.gift_card_paid(uuid, uuid)',
            'payment.redeem_gift_card(uuid, text, text, text, text[], int, int, int, bigint)',
            'payment.release_gift_cards(uuid, uuid, text)', 'payment.abandon_attempt(uuid)', 'payment.unsent_refunds(int, int)', 'payment.purge_gift_card_attempts(int)',
            'payment.booking_of_reference(uuid, text)'] loop
        execute format('revoke all on function %s from public', f);
        execute format('grant execute on function %s to ${app_role}', f);
    end loop;
end
$$;
