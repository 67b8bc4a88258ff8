-- Gift cards: a code shown once and kept only as a keyed hash, and a balance that is never stored: it is the sum
-- of an append-only ledger of credits and debits, which the database keeps from going negative.

create table payment.gift_cards (
    id          uuid primary key default gen_random_uuid(),
    tenant_id   uuid not null,
    code_hash   text not null unique,
    code_hint   text not null,
    currency    text not null check (currency ~ '^[A-Z]{3}$'),
    issued_by   uuid,
    note        text,
    created_at  timestamptz not null default now(),
    expires_at  timestamptz not null,
    unique (tenant_id, id)
);
create index gift_cards_tenant_created_idx on payment.gift_cards (tenant_id, created_at, id);
alter table payment.gift_cards enable row level security;
alter table payment.gift_cards force row level security;
create policy gift_cards_owner_helpers on payment.gift_cards for all to ${owner_role} using (true) with check (true);
create policy gift_cards_select on payment.gift_cards for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy gift_cards_insert on payment.gift_cards for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select, insert on payment.gift_cards to ${app_role};

create table payment.gift_card_ledger (
    id           bigserial primary key,
    tenant_id    uuid not null,
    gift_card_id uuid not null,
    kind         text not null check (kind in ('credit', 'debit')),
    amount_minor bigint not null check (amount_minor > 0),
    booking_id   uuid,
    actor        uuid,
    reason       text not null,
    created_at   timestamptz not null default now(),
    foreign key (tenant_id, gift_card_id) references payment.gift_cards (tenant_id, id)
);
create index gift_card_ledger_card_idx on payment.gift_card_ledger (tenant_id, gift_card_id, id);
create index gift_card_ledger_booking_idx on payment.gift_card_ledger (tenant_id, booking_id) where booking_id is not null;
alter table payment.gift_card_ledger enable row level security;
alter table payment.gift_card_ledger force row level security;
create policy gift_card_ledger_owner_helpers on payment.gift_card_ledger for all to ${owner_role} using (true) with check (true);
create policy gift_card_ledger_select on payment.gift_card_ledger for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy gift_card_ledger_insert on payment.gift_card_ledger for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select, insert on payment.gift_card_ledger to ${app_role};
grant usage on sequence payment.gift_card_ledger_id_seq to ${app_role};

-- Append-only, even for the schema owner: corrections are new entries.
create function payment.gift_card_ledger_is_append_only() returns trigger
    language plpgsql set search_path = pg_catalog, pg_temp
    as $$
    begin
        raise exception 'the gift card ledger is append-only: % is not allowed', tg_op using errcode = '42501';
    end
    $$;
create trigger gift_card_ledger_no_update before update or delete on payment.gift_card_ledger
    for each row execute function payment.gift_card_ledger_is_append_only();
create trigger gift_card_ledger_no_truncate before truncate on payment.gift_card_ledger
    for each statement execute function payment.gift_card_ledger_is_append_only();

-- The balance as the caller may see it: under RLS, only cards of the caller's tenant have entries.
create function payment.gift_card_balance(p_card uuid) returns bigint
    language sql stable set search_path = pg_catalog, pg_temp
    as $$
        select coalesce(sum(case when kind = 'credit' then amount_minor else -amount_minor end), 0)::bigint
          from payment.gift_card_ledger where gift_card_id = p_card
    $$;

-- A debit that would take the balance below zero is refused, whoever writes it. The card row is locked first,
-- so concurrent debits of one card are checked one after another.
create function payment.gift_card_ledger_never_negative() returns trigger
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
create trigger gift_card_ledger_never_negative before insert on payment.gift_card_ledger
    for each row execute function payment.gift_card_ledger_never_negative();

revoke all on function payment.gift_card_balance(uuid) from public;
grant execute on function payment.gift_card_balance(uuid) to ${app_role};

-- Gift card code attempts by guests, for the anomaly checks (guessing, inhuman speed): a keyed hash of the
-- client address and the outcome, kept for a day.
create table payment.gift_card_attempts (
    tenant_id  uuid not null,
    client_key text not null,
    outcome    text not null,
    made_at    timestamptz not null default now()
);
create index gift_card_attempts_client_idx on payment.gift_card_attempts (client_key, made_at);
alter table payment.gift_card_attempts enable row level security;
alter table payment.gift_card_attempts force row level security;
create policy gift_card_attempts_owner_helpers on payment.gift_card_attempts for all to ${owner_role} using (true) with check (true);
create policy gift_card_attempts_select on payment.gift_card_attempts for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select on payment.gift_card_attempts to ${app_role};
