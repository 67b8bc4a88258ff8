-- The Stripe event worker applies each stored event under the worker scope of the event's tenant (DbScope.worker),
-- with ordinary SQL and its decisions in Java (payments/PaymentIntentStates, refunds/RefundService,
-- connect/ConnectService): the definers that moved payments, refunds and accounts by what a caller passed them,
-- across every tenant, are gone. What a worker may touch is these policies: its tenant's rows, the columns named.

-- The claim stays the one definer (it finds work across tenants): it now also answers the tenant of every claimed
-- event, and finishes an event of no known account at once (unknown_account), so each claimed event it returns with a
-- tenant is processed under that tenant's worker scope, and one without names no tenant to act for.
drop function payment.claim_stripe_events(int, int);
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
               lease_until = case when e.tenant_id is null then null
                                  else now() + make_interval(secs => least(p_lease_seconds * power(2, least(e.attempts, 10)), 3600)) end,
               processed_at = case when e.tenant_id is null then now() end,
               outcome = case when e.tenant_id is null then 'unknown_account' end
          from due where e.event_id = due.event_id
        returning e.event_id, e.tenant_id, e.account_id, e.type, e.object_id
    $$;
revoke all on function payment.claim_stripe_events(int, int) from public;
grant execute on function payment.claim_stripe_events(int, int) to ${app_role};

drop function payment.finish_stripe_event(text, text);
drop function payment.apply_refunded_total(text, text, text, bigint, bigint, text);
drop function payment.apply_intent_state(text, text, text, text, bigint, text, boolean);
drop function payment.record_refund(uuid, text, text, text, text);
drop function payment.update_account(text, boolean, boolean);

-- Refunds asked of Stripe whose answer never came: now with their tenant, whose worker scope records the answer.
drop function payment.unsent_refunds(int, int);
create function payment.unsent_refunds(p_older_than_seconds int, p_limit int)
    returns table (tenant_id uuid, refund_id uuid, payment_id uuid, payment_intent_id text, stripe_account_id text, amount_minor bigint)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select r.tenant_id, r.id, p.id, p.payment_intent_id, p.stripe_account_id, r.amount_minor
          from payment.refunds r join payment.payments p on p.id = r.payment_id
         where r.status = 'requested' and r.created_at < now() - make_interval(secs => p_older_than_seconds)
         order by r.created_at limit p_limit
    $$;
revoke all on function payment.unsent_refunds(int, int) from public;
grant execute on function payment.unsent_refunds(int, int) to ${app_role};

create policy stripe_events_worker_read on payment.stripe_events for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy stripe_events_worker_finish on payment.stripe_events for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker')
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
grant update (processed_at, outcome, lease_until) on payment.stripe_events to ${app_role};

create policy payments_worker_read on payment.payments for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy payments_worker_update on payment.payments for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker')
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
grant update (status, flag, refunded_minor, updated_at) on payment.payments to ${app_role};

create policy refunds_worker_read on payment.refunds for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy refunds_worker_update on payment.refunds for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker')
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');

create policy connected_accounts_worker_read on payment.connected_accounts for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy connected_accounts_worker_update on payment.connected_accounts for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker')
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');

-- A booking's open PaymentIntents and its succeeded payment are read under the worker scope too (the booking events
-- consumer; a guest's gift card redemption from a verified payment token), with PaymentRepository's SQL.
drop function payment.open_intents(uuid, uuid);
drop function payment.booking_of_reference(uuid, text);
drop function payment.payment_of_booking(uuid, uuid);

-- A guest's checkout, from a verified payment token, under the worker scope of the token's tenant
-- (GuestPaymentService): a new attempt, its PaymentIntent, or closing an attempt Stripe created nothing for.
create policy payments_worker_insert on payment.payments for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
grant insert (tenant_id, booking_id, attempt, stripe_account_id, amount_minor, currency, application_fee_minor),
    update (payment_intent_id) on payment.payments to ${app_role};
drop function payment.start_payment(uuid, text, int);
drop function payment.record_intent(uuid, text);
drop function payment.abandon_attempt(uuid);

-- Only the gift card redemption (a definer, running as the owner) still sums a booking's gift card money in SQL: the
-- helper needs no rights of its own, and no service role calls it.
alter function payment.gift_card_paid(uuid, uuid) security invoker;
revoke execute on function payment.gift_card_paid(uuid, uuid) from ${app_role};

-- A gift card purchase moves, and its card is issued, under the worker scope of the Stripe event's tenant
-- (GiftCardPurchases); the buyer's checkout records its PaymentIntent under the worker scope of the tenant the
-- purchase was started in. The purchase worker's claim now answers the tenant too.
create policy gift_card_purchases_worker_read on payment.gift_card_purchases for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy gift_card_purchases_worker_update on payment.gift_card_purchases for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker')
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
grant update (payment_intent_id, status, gift_card_id, updated_at) on payment.gift_card_purchases to ${app_role};
create policy gift_cards_worker_insert on payment.gift_cards for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy gift_cards_worker_read on payment.gift_cards for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
drop function payment.apply_purchase_state(text, text, text, bigint, text);
drop function payment.issue_purchased_gift_card(text, text, text);
drop function payment.record_purchase_intent(uuid, text);

drop function payment.unissued_purchases(int, int);
create function payment.unissued_purchases(p_older_than_seconds int, p_limit int)
    returns table (tenant_id uuid, payment_intent_id text, stripe_account_id text)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select g.tenant_id, g.payment_intent_id, g.stripe_account_id from payment.gift_card_purchases g
         where g.status = 'paid' and g.updated_at < now() - make_interval(secs => p_older_than_seconds)
         order by g.updated_at limit p_limit
    $$;
revoke all on function payment.unissued_purchases(int, int) from public;
grant execute on function payment.unissued_purchases(int, int) to ${app_role};

-- Refunds are asked for in Java (RefundService, RefundRepository): by staff under their tenant's scope, or
-- automatically under the worker scope of the booking event's tenant, which may now write the refund.
create policy refunds_worker_insert on payment.refunds for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
drop function payment.request_refund(uuid, bigint, text);
