-- Gift cards bought by guests: paid by card on the tenant's connected account; the card is issued, and its
-- code mailed to the buyer, once Stripe's webhook (read back from the API) says the money arrived.
create table payment.gift_card_purchases (
    id                 uuid primary key default gen_random_uuid(),
    tenant_id          uuid not null,
    amount_minor       bigint not null check (amount_minor > 0),
    currency           text not null check (currency ~ '^[A-Z]{3}$'),
    buyer_email_sealed text not null,
    stripe_account_id  text not null,
    payment_intent_id  text unique,
    status             text not null default 'creating' check (status in ('creating', 'requires_payment', 'paid', 'issued', 'canceled')),
    gift_card_id       uuid,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now()
);
create index gift_card_purchases_paid_idx on payment.gift_card_purchases (updated_at) where status = 'paid';
alter table payment.gift_card_purchases enable row level security;
alter table payment.gift_card_purchases force row level security;
create policy gift_card_purchases_owner_helpers on payment.gift_card_purchases for all to ${owner_role} using (true) with check (true);
create policy gift_card_purchases_select on payment.gift_card_purchases for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select on payment.gift_card_purchases to ${app_role};

-- Starts a purchase; one client may start only so many per tenant and hour (each creates a PaymentIntent).
create function payment.start_gift_card_purchase(p_tenant uuid, p_amount bigint, p_currency text, p_email_sealed text,
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

create function payment.record_purchase_intent(p_purchase uuid, p_intent text) returns void
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
        update payment.gift_card_purchases set payment_intent_id = p_intent, status = 'requires_payment', updated_at = now()
         where id = p_purchase and status = 'creating'
    $$;

-- A purchase's PaymentIntent as read back from Stripe. 'paid' means: the money arrived (exactly the amount) and
-- the card is still to be issued; issued and canceled purchases never move.
create function payment.apply_purchase_state(p_account text, p_intent text, p_status text, p_amount_received bigint, p_currency text,
        out outcome text, out tenant_id uuid)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        g payment.gift_card_purchases%rowtype;
    begin
        select * into g from payment.gift_card_purchases x where x.payment_intent_id = p_intent and x.stripe_account_id = p_account for update;
        if not found then
            outcome := 'unknown_intent';
            return;
        end if;
        tenant_id := g.tenant_id;
        if g.status in ('issued', 'canceled') then
            outcome := 'already_' || g.status;
        elsif g.status = 'paid' then
            outcome := 'paid';
        elsif p_status = 'succeeded' and (p_amount_received <> g.amount_minor or upper(p_currency) <> g.currency) then
            outcome := 'amount_mismatch';
        elsif p_status = 'succeeded' then
            update payment.gift_card_purchases set status = 'paid', updated_at = now() where id = g.id;
            outcome := 'paid';
        elsif p_status = 'canceled' then
            update payment.gift_card_purchases set status = 'canceled', updated_at = now() where id = g.id;
            outcome := 'canceled';
        else
            outcome := 'pending';
        end if;
    end
    $$;

-- Issues the card of a paid purchase once: returns what the mail to the buyer needs, or nothing if it was
-- issued already.
create function payment.issue_purchased_gift_card(p_intent text, p_code_hash text, p_code_hint text,
        out gift_card_id uuid, out tenant_id uuid, out buyer_email_sealed text, out amount_minor bigint, out currency text,
        out purchase_id uuid)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    #variable_conflict use_column
    declare
        g payment.gift_card_purchases%rowtype;
    begin
        select * into g from payment.gift_card_purchases x where x.payment_intent_id = p_intent and x.status = 'paid' for update;
        if not found then
            return;
        end if;
        insert into payment.gift_cards (tenant_id, code_hash, code_hint, currency, note, expires_at)
        values (g.tenant_id, p_code_hash, p_code_hint, g.currency, 'bought online', now() + interval '3 years')
        returning id into gift_card_id;
        insert into payment.gift_card_ledger (tenant_id, gift_card_id, kind, amount_minor, reason)
        values (g.tenant_id, gift_card_id, 'credit', g.amount_minor, 'bought online');
        update payment.gift_card_purchases set status = 'issued', gift_card_id = issue_purchased_gift_card.gift_card_id, updated_at = now()
         where id = g.id;
        perform payment.audit_event(g.tenant_id, 'gift_card.purchased', null, 'guest', 'gift_card', gift_card_id::text, null,
                jsonb_build_object('amountMinor', g.amount_minor, 'currency', g.currency, 'codeHint', p_code_hint),
                jsonb_build_object('purchaseId', g.id, 'paymentIntentId', p_intent));
        tenant_id := g.tenant_id;
        buyer_email_sealed := g.buyer_email_sealed;
        amount_minor := g.amount_minor;
        currency := g.currency;
        purchase_id := g.id;
    end
    $$;

-- Purchases paid but not issued (the mail could not be sent): the worker tries them again.
create function payment.unissued_purchases(p_older_than_seconds int, p_limit int)
    returns table (payment_intent_id text, stripe_account_id text)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select g.payment_intent_id, g.stripe_account_id from payment.gift_card_purchases g
         where g.status = 'paid' and g.updated_at < now() - make_interval(secs => p_older_than_seconds)
         order by g.updated_at limit p_limit
    $$;

do $$
declare
    f text;
begin
    foreach f in array array['payment.start_gift_card_purchase(uuid, bigint, text, text, text, int)', 'payment.record_purchase_intent(uuid, text)',
            'payment.apply_purchase_state(text, text, text, bigint, text)', 'payment.issue_purchased_gift_card(text, text, text)',
            'payment.unissued_purchases(int, int)'] loop
        execute format('revoke all on function %s from public', f);
        execute format('grant execute on function %s to ${app_role}', f);
    end loop;
end
$$;
