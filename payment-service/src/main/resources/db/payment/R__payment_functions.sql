-- The functions of the payment schema in their final form (docs/database.md). A repeatable migration: Flyway applies
-- it after the versioned ones whenever it changes, so this file, not the history in V*.sql, is where a reader finds
-- what runs. CREATE OR REPLACE keeps each function's grants, made by the migration that created it; who may execute
-- a definer is in common's db/security-definers.txt, which CatalogTest holds the catalog to. A changed function is
-- changed here; a new one is created by a versioned migration (with its grants) and kept here; a dropped one is
-- dropped by a versioned migration and taken out of this file.

-- Append-only, even for the schema owner: corrections are new entries.
create or replace function payment.gift_card_ledger_is_append_only() returns trigger
    language plpgsql set search_path = pg_catalog, pg_temp
    as $$
    begin
        raise exception 'the gift card ledger is append-only: % is not allowed', tg_op using errcode = '42501';
    end
    $$;

-- The balance as the caller may see it: under RLS, only cards of the caller's tenant have entries.
create or replace function payment.gift_card_balance(p_card uuid) returns bigint
    language sql stable set search_path = pg_catalog, pg_temp
    as $$
        select coalesce(sum(case when kind = 'credit' then amount_minor else -amount_minor end), 0)::bigint
          from payment.gift_card_ledger where gift_card_id = p_card
    $$;

-- A debit that would take the balance below zero is refused, whoever writes it. The card row is locked first,
-- so concurrent debits of one card are checked one after another.
create or replace function payment.gift_card_ledger_never_negative() returns trigger
    language plpgsql security definer set search_path = pg_catalog, pg_temp
    as $$
    begin
        if new.kind = 'debit' then
            perform 1 from payment.gift_cards where id = new.gift_card_id for update;
            if payment.gift_card_balance(new.gift_card_id) - new.amount_minor < 0 then
                raise exception 'gift card % would go below zero', new.gift_card_id using errcode = '23514',
                    constraint = 'gift_card_balance_never_negative';
            end if;
        end if;
        return new;
    end
    $$;

-- What gift cards paid towards a booking. Only the gift card redemption (a definer, running as the owner) calls it:
-- it needs no rights of its own, and no service role may execute it.
create or replace function payment.gift_card_paid(p_tenant uuid, p_booking uuid) returns bigint
    language sql stable set search_path = pg_catalog, pg_temp
    as $$
        select coalesce(sum(case when kind = 'debit' then amount_minor else -amount_minor end), 0)::bigint
          from payment.gift_card_ledger where tenant_id = p_tenant and booking_id = p_booking
    $$;

-- Stripe events, stored once per event id after their signature was verified. The tenant is the one whose
-- connected account the event is about (null for an account we do not know).
create or replace function payment.record_stripe_event(p_event_id text, p_account text, p_type text, p_object_id text, p_payload jsonb)
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

-- A guest redeems a gift card code against a held booking (tenant and booking from a verified payment token).
-- Anomalies are refused and audited as their own kinds, once per client and window: many wrong codes from one
-- client (gift_card.guessing_blocked), attempts faster than a person types (gift_card.redemption_too_fast),
-- and a debit the ledger refuses because the balance would go below zero (gift_card.overdraw_blocked). Limits
-- count per tenant and client. A card checkout already started for the booking makes the first call answer
-- 'cancel_checkouts_first' once everything else checked out; the caller cancels those PaymentIntents at Stripe
-- and calls again with them in p_cancelled_intents (that second call is not counted as another try). A rest
-- below the card minimum is refused. When gift cards cover the whole amount, payment.succeeded is emitted with
-- the booking's total.
create or replace function payment.redeem_gift_card(p_tenant uuid, p_reference text, p_code_hash text, p_client_key text,
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

-- Starts a purchase; one client may start only so many per tenant and hour (each creates a PaymentIntent).
create or replace function payment.start_gift_card_purchase(p_tenant uuid, p_amount bigint, p_currency text, p_email_sealed text,
        p_client_key text, p_max_per_hour int, out outcome text, out purchase_id uuid, out stripe_account_id text)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    begin
        perform pg_advisory_xact_lock(hashtextextended('gift-card-purchase:' || p_tenant || ':' || p_client_key, 0));
        if (select count(*) from payment.gift_card_attempts a where a.tenant_id = p_tenant and a.client_key = p_client_key and a.outcome = 'purchase'
              and a.made_at > now() - interval '1 hour') >= p_max_per_hour then
            outcome := 'too_many';
            return;
        end if;
        select a.stripe_account_id into stripe_account_id from payment.connected_accounts a where a.tenant_id = p_tenant and a.charges_enabled;
        if not found then
            outcome := 'no_account';
            return;
        end if;
        insert into payment.gift_card_purchases (tenant_id, amount_minor, currency, buyer_email_sealed, stripe_account_id)
        values (p_tenant, p_amount, p_currency, p_email_sealed, stripe_account_id) returning id into purchase_id;
        insert into payment.gift_card_attempts (tenant_id, client_key, outcome) values (p_tenant, p_client_key, 'purchase');
        outcome := 'started';
    end
    $$;

create or replace function payment.claim_stripe_events(p_limit int, p_lease_seconds int)
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
               lease_until = case when e.tenant_id is null then null
                                  else now() + make_interval(secs => least(p_lease_seconds * power(2, least(e.attempts, 10)), 3600)) end,
               processed_at = case when e.tenant_id is null then now() end,
               outcome = case when e.tenant_id is null then 'unknown_account' end
          from due where e.event_id = due.event_id
        returning e.event_id, e.tenant_id, e.account_id, e.type, e.object_id
    $$;

create or replace function payment.unsent_refunds(p_older_than_seconds int, p_limit int)
    returns table (tenant_id uuid, refund_id uuid, payment_id uuid, payment_intent_id text, stripe_account_id text, amount_minor bigint)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select r.tenant_id, r.id, p.id, p.payment_intent_id, p.stripe_account_id, r.amount_minor
          from payment.refunds r join payment.payments p on p.id = r.payment_id
         where r.status = 'requested' and r.created_at < now() - make_interval(secs => p_older_than_seconds)
         order by r.created_at limit p_limit
    $$;

create or replace function payment.unissued_purchases(p_older_than_seconds int, p_limit int)
    returns table (tenant_id uuid, payment_intent_id text, stripe_account_id text)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select g.tenant_id, g.payment_intent_id, g.stripe_account_id from payment.gift_card_purchases g
         where g.status = 'paid' and g.updated_at < now() - make_interval(secs => p_older_than_seconds)
         order by g.updated_at limit p_limit
    $$;
