-- The three claims across tenants return which item and whose, and nothing of it: the Stripe event's account, type
-- and object, the refund's payment and amount, the purchase's PaymentIntent are read under the worker scope of that
-- tenant (StripeEventRepository.claimed, RefundRepository.unsent, GiftCardPurchaseRepository.unissued). New return
-- types need the functions made anew; their bodies are kept in R__payment_functions.sql.
drop function payment.claim_stripe_events(int, int);
create function payment.claim_stripe_events(p_limit int, p_lease_seconds int)
    returns table (event_id text, tenant_id uuid)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    #variable_conflict use_column
    begin
        return query
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
            returning e.event_id, e.tenant_id;
    end
    $$;
revoke all on function payment.claim_stripe_events(int, int) from public;
grant execute on function payment.claim_stripe_events(int, int) to ${app_role};
drop function payment.unsent_refunds(int, int);
create function payment.unsent_refunds(p_older_than_seconds int, p_limit int)
    returns table (tenant_id uuid, refund_id uuid)
    language plpgsql stable security definer set search_path = pg_catalog, pg_temp
    as $$
    #variable_conflict use_column
    begin
        return query
            select r.tenant_id, r.id from payment.refunds r
             where r.status = 'requested' and r.created_at < now() - make_interval(secs => p_older_than_seconds)
             order by r.created_at limit p_limit;
    end
    $$;
revoke all on function payment.unsent_refunds(int, int) from public;
grant execute on function payment.unsent_refunds(int, int) to ${app_role};
drop function payment.unissued_purchases(int, int);
create function payment.unissued_purchases(p_older_than_seconds int, p_limit int)
    returns table (tenant_id uuid, purchase_id uuid)
    language plpgsql stable security definer set search_path = pg_catalog, pg_temp
    as $$
    #variable_conflict use_column
    begin
        return query
            select g.tenant_id, g.id from payment.gift_card_purchases g
             where g.status = 'paid' and g.updated_at < now() - make_interval(secs => p_older_than_seconds)
             order by g.updated_at limit p_limit;
    end
    $$;
revoke all on function payment.unissued_purchases(int, int) from public;
grant execute on function payment.unissued_purchases(int, int) to ${app_role};
