-- The functions of the audit schema in their final form (docs/database.md). A repeatable migration: Flyway applies
-- it after the versioned ones whenever it changes, so this file, not the history in V*.sql, is where a reader finds
-- what runs. CREATE OR REPLACE keeps each function's grants, made by the migration that created it; who may execute
-- a definer is in common's db/security-definers.txt, which CatalogTest holds the catalog to. A changed function is
-- changed here; a new one is created by a versioned migration (with its grants) and kept here; a dropped one is
-- dropped by a versioned migration and taken out of this file.

create or replace function audit.ledger_is_append_only() returns trigger
    language plpgsql set search_path = pg_catalog, pg_temp
    as $$
    begin
        raise exception 'the audit ledger is append-only: % is not allowed', tg_op using errcode = '42501';
    end
    $$;

-- An entry's hash: SHA-256 over the previous hash, the chain position, the event id and the entry (jsonb's text
-- form is canonical: keys sorted, no insignificant whitespace).
create or replace function audit.entry_hash(p_prev_hash text, p_chain_key text, p_chain_seq bigint, p_event_id uuid, p_entry jsonb) returns text
    language sql immutable set search_path = pg_catalog, pg_temp
    as $$
        select encode(sha256(convert_to(coalesce(p_prev_hash, '') || '|' || p_chain_key || '|' || p_chain_seq || '|' || p_event_id
                                        || '|' || p_entry::text, 'UTF8')), 'hex')
    $$;

-- Recomputes the caller's tenant chain (RLS: only its own entries are visible) and reports the first entry whose
-- stored hash, link or position does not match, or nothing when the chain holds.
create or replace function audit.verify_chain()
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

-- Which chains have held alerts whose interval has passed, as (chain, kind): a summary alert for each is reported
-- under its chain's scope (Alerts.reportHeld).
create or replace function audit.held_alerts(p_interval interval, p_limit int) returns table (chain_key text, kind text)
    language plpgsql stable security definer set search_path = pg_catalog, pg_temp
    as $$
    #variable_conflict use_column
    begin
        return query
            select s.chain_key, s.kind from audit.alert_state s
             where s.held > 0 and s.last_alert_at <= clock_timestamp() - p_interval
             order by s.last_alert_at limit p_limit;
    end
    $$;

-- Every chain's head and last checkpointed position, so the writer visits only chains with something new.
create or replace function audit.archive_heads() returns table (chain_key text, last_seq bigint, last_checkpoint_seq bigint)
    language plpgsql stable security definer set search_path = pg_catalog, pg_temp
    as $$
    #variable_conflict use_column
    begin
        return query
            select h.chain_key, h.last_seq, coalesce((select max(c.chain_seq) from audit.checkpoints c where c.chain_key = h.chain_key), 0)
              from audit.chain_heads h order by h.chain_key;
    end
    $$;

-- The chain's continuity is the database's, not the caller's: whoever inserts an entry names its event, chain and
-- content; this trigger locks the chain's head, gives the entry the next position, links it to the previous hash and
-- computes its hash (audit.entry_hash, which verify_chain recomputes), and moves the head. The app role can neither
-- choose an entry's position, link or hash nor write a chain head. A definer only so that it may move heads the app
-- role cannot write; the entry itself is still held to the caller's chain scope by the ledger's insert policies,
-- checked after this trigger (a refused entry rolls its head back with it).
create or replace function audit.ledger_continues_its_chain() returns trigger
    language plpgsql security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_head audit.chain_heads%rowtype;
    begin
        select * into v_head from audit.chain_heads where chain_key = new.chain_key for update;
        if not found then
            -- The chain's first entry makes its head (once: a second first entry at the same time waits for it).
            insert into audit.chain_heads (chain_key, last_seq, last_hash) values (new.chain_key, 0, '') on conflict do nothing;
            select * into v_head from audit.chain_heads where chain_key = new.chain_key for update;
        end if;
        new.chain_seq := v_head.last_seq + 1;
        new.prev_hash := nullif(v_head.last_hash, '');
        new.hash := audit.entry_hash(new.prev_hash, new.chain_key, new.chain_seq, new.event_id, new.entry);
        update audit.chain_heads set last_seq = new.chain_seq, last_hash = new.hash where chain_key = new.chain_key;
        return new;
    end
    $$;
