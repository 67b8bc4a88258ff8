-- The chain's continuity is the database's, not the caller's: whoever inserts an entry names its event, chain and
-- content; this trigger locks the chain's head, gives the entry the next position, links it to the previous hash and
-- computes its hash (audit.entry_hash, which verify_chain recomputes), and moves the head. The app role can neither
-- choose an entry's position, link or hash nor write a chain head. A definer only so that it may move heads the app
-- role cannot write; the entry itself is still held to the caller's chain scope by the ledger's insert policies,
-- checked after this trigger (a refused entry rolls its head back with it).
create function audit.ledger_continues_its_chain() returns trigger
    language plpgsql security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_head audit.chain_heads%rowtype;
    begin
        insert into audit.chain_heads (chain_key, last_seq, last_hash) values (new.chain_key, 0, '') on conflict do nothing;
        select * into v_head from audit.chain_heads where chain_key = new.chain_key for update;
        new.chain_seq := v_head.last_seq + 1;
        new.prev_hash := nullif(v_head.last_hash, '');
        new.hash := audit.entry_hash(new.prev_hash, new.chain_key, new.chain_seq, new.event_id, new.entry);
        update audit.chain_heads set last_seq = new.chain_seq, last_hash = new.hash where chain_key = new.chain_key;
        return new;
    end
    $$;
revoke all on function audit.ledger_continues_its_chain() from public;
create trigger ledger_continues_its_chain before insert on audit.ledger
    for each row execute function audit.ledger_continues_its_chain();
revoke insert (chain_seq, prev_hash, hash) on audit.ledger from ${app_role};
revoke insert, update on audit.chain_heads from ${app_role};

-- A signed checkpoint is stored only for a head the ledger holds at that position with that hash: the signer's scope
-- cannot store one of its own making.
drop policy checkpoints_worker_insert on audit.checkpoints;
create policy checkpoints_worker_insert on audit.checkpoints for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker'
                and chain_key = tenant_id::text
                and exists (select 1 from audit.ledger l
                             where l.chain_key = checkpoints.chain_key and l.chain_seq = checkpoints.chain_seq
                               and l.hash = checkpoints.head_hash));
drop policy checkpoints_platform_worker_insert on audit.checkpoints;
create policy checkpoints_platform_worker_insert on audit.checkpoints for insert to ${app_role}
    with check (current_setting('app.principal', true) = 'platform_worker' and tenant_id is null and chain_key = 'platform'
                and exists (select 1 from audit.ledger l
                             where l.chain_key = checkpoints.chain_key and l.chain_seq = checkpoints.chain_seq
                               and l.hash = checkpoints.head_hash));
