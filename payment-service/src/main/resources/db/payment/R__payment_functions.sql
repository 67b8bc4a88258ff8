-- The functions of the payment schema in their final form (docs/database.md). A repeatable migration: Flyway applies it
-- after the versioned ones whenever it changes, so this file, not the history in V*.sql, is where a reader finds what
-- runs. CREATE OR REPLACE keeps each function's grants, made by the migration that created it; who may execute a
-- definer is in common's db/security-definers.txt, which CatalogTest holds the catalog to. A changed function is
-- changed here; a new one is created by a versioned migration (with its grants) and kept here, and one whose result
-- changes is dropped by a versioned migration and created here with its grants; a dropped one is dropped by a versioned
-- migration and taken out of this file.

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

-- A debit that would take the balance below zero is refused, whoever writes it. Debits of one card are checked one
-- after another (an advisory lock per card, the key GiftCardRepository.lockRedeemable takes too). It runs as the
-- caller: the card's entries are the caller's tenant's, which its row-level security shows in full (another
-- tenant's entry is refused by the insert policies).
create or replace function payment.gift_card_ledger_never_negative() returns trigger
    language plpgsql set search_path = pg_catalog, pg_temp
    as $$
    begin
        if new.kind = 'debit' then
            perform pg_advisory_xact_lock(hashtextextended('gift-card:' || new.gift_card_id, 0));
            if payment.gift_card_balance(new.gift_card_id) - new.amount_minor < 0 then
                raise exception 'gift card % would go below zero', new.gift_card_id using errcode = '23514',
                    constraint = 'gift_card_balance_never_negative';
            end if;
        end if;
        return new;
    end
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

create or replace function payment.claim_stripe_events(p_limit int, p_lease_seconds int)
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

create or replace function payment.unsent_refunds(p_older_than_seconds int, p_limit int)
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

create or replace function payment.unissued_purchases(p_older_than_seconds int, p_limit int)
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
