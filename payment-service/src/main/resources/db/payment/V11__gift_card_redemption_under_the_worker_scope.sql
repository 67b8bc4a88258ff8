-- A gift card redemption runs under the worker scope of the payment link's tenant (GiftCardRedemption), its rules in
-- Java and payment.succeeded written through the outbox API like every other event, instead of a definer that saw
-- every tenant and wrote the event in SQL. The worker may count and record one client's attempts of its tenant.
create policy gift_card_attempts_worker_read on payment.gift_card_attempts for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy gift_card_attempts_worker_insert on payment.gift_card_attempts for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
grant insert (tenant_id, client_key, outcome) on payment.gift_card_attempts to ${app_role};

drop function payment.redeem_gift_card(uuid, text, text, text, text[], int, int, int, bigint);
-- Its last caller was the redemption; Java reads the same sum (PaymentRepository.giftCardPaid).
drop function payment.gift_card_paid(uuid, uuid);

-- A purchase from the public page starts the same way, under the worker scope of the tenant its slug names.
create policy gift_card_purchases_worker_insert on payment.gift_card_purchases for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker' and status = 'creating');
grant insert (id, tenant_id, amount_minor, currency, buyer_email_sealed, stripe_account_id) on payment.gift_card_purchases to ${app_role};
drop function payment.start_gift_card_purchase(uuid, bigint, text, text, text, int);

-- The ledger's guard runs as the caller, serializing debits of a card with an advisory lock (R__payment_functions.sql).
alter function payment.gift_card_ledger_never_negative() security invoker;
