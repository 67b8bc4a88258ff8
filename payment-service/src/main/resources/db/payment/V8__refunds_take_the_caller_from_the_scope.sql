-- A refund takes its tenant, and its staff member, from the transaction's scope (docs/database.md), never as an
-- argument: by staff under their own tenant's scope (the caller has already found the payment under RLS), or
-- automatic under the worker scope of the booking event's tenant (a payment that arrived after its booking ended;
-- flagged, refunded in full, audited here as the system). The amount may not exceed what is left after earlier
-- refunds.
drop function payment.request_refund(uuid, uuid, bigint, text, uuid);
create function payment.request_refund(p_payment uuid, p_amount bigint, p_reason text,
        out outcome text, out refund_id uuid, out payment_intent_id text, out stripe_account_id text, out amount_minor bigint)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        p payment.payments%rowtype;
        v_open bigint;
        v_tenant uuid := tenancy.current_tenant_id();
        v_automatic boolean := current_setting('app.principal', true) = 'worker';
        v_user uuid := case when v_automatic then null else tenancy.current_user_id() end;
    begin
        if v_tenant is null or (v_user is null and not v_automatic) then
            outcome := 'not_found';
            return;
        end if;
        select * into p from payment.payments where tenant_id = v_tenant and id = p_payment for update;
        if not found then
            outcome := 'not_found';
            return;
        end if;
        if p.status <> 'succeeded' then
            outcome := 'not_refundable';
            return;
        end if;
        if v_user is null then
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
        values (v_tenant, p.id, p_amount, p_reason, v_user) returning id into refund_id;
        if v_user is null then
            perform payment.audit_event(v_tenant, 'payment.refund_requested', null, 'system', 'payment', p.id::text, null,
                    jsonb_build_object('refundId', refund_id, 'amountMinor', p_amount),
                    jsonb_build_object('reason', p_reason, 'automatic', true));
        end if;
        outcome := 'requested';
        payment_intent_id := p.payment_intent_id;
        stripe_account_id := p.stripe_account_id;
        amount_minor := p_amount;
    end
    $$;
revoke all on function payment.request_refund(uuid, bigint, text) from public;
grant execute on function payment.request_refund(uuid, bigint, text) to ${app_role};
