-- The archive writer (ArchiveWriter) copies every chain into sealed JSONL segments outside the database. It reads
-- every tenant's chain, so it reads through these definer functions; it never writes to the ledger.

-- Every chain's head and last checkpointed position, so the writer visits only chains with something new.
create function audit.archive_heads() returns table (chain_key text, last_seq bigint, last_checkpoint_seq bigint)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select h.chain_key, h.last_seq, coalesce((select max(c.chain_seq) from audit.checkpoints c where c.chain_key = h.chain_key), 0)
          from audit.chain_heads h order by h.chain_key
    $$;

-- A chain's entries after a position, with the exact text each hash covers.
create function audit.archive_entries(p_chain_key text, p_after_seq bigint, p_limit int)
    returns table (chain_seq bigint, event_id uuid, prev_hash text, hash text, entry_text text)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select l.chain_seq, l.event_id, l.prev_hash, l.hash, l.entry::text from audit.ledger l
         where l.chain_key = p_chain_key and l.chain_seq > p_after_seq order by l.chain_seq limit p_limit
    $$;

-- A chain's checkpoints in (p_after_seq, p_up_to_seq], with the ledger's hash at each position.
create function audit.archive_checkpoints(p_chain_key text, p_after_seq bigint, p_up_to_seq bigint)
    returns table (chain_seq bigint, head_hash text, signed_at timestamptz, key_id text, signature text, ledger_hash text)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select c.chain_seq, c.head_hash, c.signed_at, c.key_id, c.signature, l.hash from audit.checkpoints c
          left join audit.ledger l on l.chain_key = c.chain_key and l.chain_seq = c.chain_seq
         where c.chain_key = p_chain_key and c.chain_seq > p_after_seq and c.chain_seq <= p_up_to_seq order by c.chain_seq
    $$;

revoke all on function audit.archive_heads(), audit.archive_entries(text, bigint, int), audit.archive_checkpoints(text, bigint, bigint) from public;
grant execute on function audit.archive_heads(), audit.archive_entries(text, bigint, int), audit.archive_checkpoints(text, bigint, bigint) to ${app_role};
