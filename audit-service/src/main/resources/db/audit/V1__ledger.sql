-- The audit ledger: every audit event of every service, once per event id, append-only even for the schema
-- owner. Each chain (one per tenant, one for platform-level events) links its entries by hash: an entry's hash
-- covers its position, its content and the previous entry's hash, so a changed, removed or inserted entry
-- breaks every hash after it.

create table audit.ledger (
    seq          bigserial primary key,
    event_id     uuid not null unique,
    tenant_id    uuid,
    chain_key    text not null,
    chain_seq    bigint not null,
    action       text not null,
    actor_id     uuid,
    actor_role   text,
    target_type  text,
    target_id    text,
    outcome      text not null,
    source       text not null,
    occurred_at  timestamptz not null,
    received_at  timestamptz not null default now(),
    entry        jsonb not null,
    prev_hash    text,
    hash         text not null,
    unique (chain_key, chain_seq)
);
create index ledger_tenant_time_idx on audit.ledger (tenant_id, occurred_at, seq);
create index ledger_tenant_action_idx on audit.ledger (tenant_id, action, occurred_at);
alter table audit.ledger enable row level security;
alter table audit.ledger force row level security;
create policy ledger_owner_helpers on audit.ledger for all to ${owner_role} using (true) with check (true);
create policy ledger_select on audit.ledger for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select on audit.ledger to ${app_role};

-- The head of each chain: the last position and hash, locked while an entry is appended.
create table audit.chain_heads (
    chain_key text primary key,
    last_seq  bigint not null,
    last_hash text not null
);
alter table audit.chain_heads enable row level security;
alter table audit.chain_heads force row level security;
create policy chain_heads_owner_helpers on audit.chain_heads for all to ${owner_role} using (true) with check (true);

create function audit.ledger_is_append_only() returns trigger
    language plpgsql set search_path = pg_catalog, pg_temp
    as $$
    begin
        raise exception 'the audit ledger is append-only: % is not allowed', tg_op using errcode = '42501';
    end
    $$;
create trigger ledger_no_update before update or delete on audit.ledger
    for each row execute function audit.ledger_is_append_only();
create trigger ledger_no_truncate before truncate on audit.ledger
    for each statement execute function audit.ledger_is_append_only();

-- An entry's hash: SHA-256 over the previous hash, the chain position, the event id and the entry (jsonb's text
-- form is canonical: keys sorted, no insignificant whitespace).
create function audit.entry_hash(p_prev_hash text, p_chain_key text, p_chain_seq bigint, p_event_id uuid, p_entry jsonb) returns text
    language sql immutable set search_path = pg_catalog, pg_temp
    as $$
        select encode(sha256(convert_to(coalesce(p_prev_hash, '') || '|' || p_chain_key || '|' || p_chain_seq || '|' || p_event_id
                                        || '|' || p_entry::text, 'UTF8')), 'hex')
    $$;

-- Appends one audit event (from the audit topic) to its chain; an event id already in the ledger is skipped, so a
-- redelivered event is stored once. Returns whether it was new.
create function audit.append(p_event_id uuid, p_source text, p_occurred_at timestamptz, p_entry jsonb) returns boolean
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_tenant uuid := (p_entry->>'tenantId')::uuid;
        v_chain text := coalesce(v_tenant::text, 'platform');
        v_head audit.chain_heads%rowtype;
        v_seq bigint;
        v_hash text;
    begin
        if exists (select 1 from audit.ledger where event_id = p_event_id) then
            return false;
        end if;
        insert into audit.chain_heads (chain_key, last_seq, last_hash) values (v_chain, 0, '') on conflict do nothing;
        select * into v_head from audit.chain_heads where chain_key = v_chain for update;
        -- Checked again under the chain's lock: two deliveries of one event may race.
        if exists (select 1 from audit.ledger where event_id = p_event_id) then
            return false;
        end if;
        v_seq := v_head.last_seq + 1;
        v_hash := audit.entry_hash(nullif(v_head.last_hash, ''), v_chain, v_seq, p_event_id, p_entry);
        insert into audit.ledger (event_id, tenant_id, chain_key, chain_seq, action, actor_id, actor_role, target_type, target_id,
                                  outcome, source, occurred_at, entry, prev_hash, hash)
        values (p_event_id, v_tenant, v_chain, v_seq, p_entry->>'action', (p_entry->'actor'->>'userId')::uuid, p_entry->'actor'->>'role',
                p_entry->'target'->>'type', p_entry->'target'->>'id', coalesce(p_entry->>'outcome', 'success'), p_source, p_occurred_at,
                p_entry, nullif(v_head.last_hash, ''), v_hash);
        update audit.chain_heads set last_seq = v_seq, last_hash = v_hash where chain_key = v_chain;
        return true;
    end
    $$;

-- Recomputes the caller's tenant chain (RLS: only its own entries are visible) and reports the first entry whose
-- stored hash, link or position does not match, or nothing when the chain holds.
create function audit.verify_chain()
    returns table (entries bigint, broken_at bigint, event_id uuid, problem text)
    language plpgsql stable set search_path = pg_catalog, pg_temp
    as $$
    declare
        r record;
        v_prev text;
        v_expected_seq bigint := 1;
        v_count bigint := 0;
    begin
        for r in select l.chain_key, l.chain_seq, l.event_id, l.entry, l.prev_hash, l.hash from audit.ledger l
                  where l.tenant_id = tenancy.current_tenant_id() order by l.chain_seq loop
            v_count := v_count + 1;
            if r.chain_seq <> v_expected_seq then
                return query select v_count, r.chain_seq, r.event_id, 'entry ' || v_expected_seq || ' is missing';
                return;
            end if;
            if r.prev_hash is distinct from v_prev then
                return query select v_count, r.chain_seq, r.event_id, 'the link to the previous entry does not match';
                return;
            end if;
            if r.hash <> audit.entry_hash(v_prev, r.chain_key, r.chain_seq, r.event_id, r.entry) then
                return query select v_count, r.chain_seq, r.event_id, 'the entry does not match its hash';
                return;
            end if;
            v_prev := r.hash;
            v_expected_seq := v_expected_seq + 1;
        end loop;
        return query select v_count, null::bigint, null::uuid, null::text;
    end
    $$;

revoke all on function audit.append(uuid, text, timestamptz, jsonb) from public;
grant execute on function audit.append(uuid, text, timestamptz, jsonb) to ${app_role};
grant execute on function audit.verify_chain() to ${app_role};
