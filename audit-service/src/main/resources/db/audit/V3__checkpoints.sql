-- Signed checkpoints: now and then the head of each chain (position and hash) is signed with an Ed25519 key that
-- only audit-service's configuration holds. The database stores the signature and the key's id, never the key,
-- so whoever can write to the database can rewrite history and recompute every hash, but cannot sign the new
-- heads: an outsider with the public key sees the rewrite (docs/audit.md).
create table audit.checkpoints (
    id         uuid primary key,
    chain_key  text not null,
    tenant_id  uuid,
    chain_seq  bigint not null,
    head_hash  text not null,
    signed_at  timestamptz not null,
    key_id     text not null,
    signature  text not null,
    unique (chain_key, chain_seq)
);
create index checkpoints_tenant_idx on audit.checkpoints (tenant_id, chain_seq);
alter table audit.checkpoints enable row level security;
alter table audit.checkpoints force row level security;
create policy checkpoints_owner_helpers on audit.checkpoints for all to ${owner_role} using (true) with check (true);
create policy checkpoints_select on audit.checkpoints for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select on audit.checkpoints to ${app_role};
create trigger checkpoints_no_update before update or delete on audit.checkpoints
    for each row execute function audit.ledger_is_append_only();
create trigger checkpoints_no_truncate before truncate on audit.checkpoints
    for each statement execute function audit.ledger_is_append_only();

-- Each chain's last checkpointed position.
create function audit.last_checkpoints()
    returns table (chain_key text, chain_seq bigint)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$ select c.chain_key, max(c.chain_seq) from audit.checkpoints c group by c.chain_key $$;

-- Stores a signed head; refuses one that is not the chain's entry at that position (the ledger was changed after the
-- archive took the entry in). Two instances signing the same
-- head store it once.
create function audit.record_checkpoint(p_id uuid, p_chain_key text, p_chain_seq bigint, p_head_hash text, p_signed_at timestamptz,
                                        p_key_id text, p_signature text) returns boolean
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_tenant uuid;
    begin
        select l.tenant_id into v_tenant from audit.ledger l
         where l.chain_key = p_chain_key and l.chain_seq = p_chain_seq and l.hash = p_head_hash;
        if not found then
            raise exception 'entry % of chain % does not have that hash', p_chain_seq, p_chain_key using errcode = '22023';
        end if;
        insert into audit.checkpoints (id, chain_key, tenant_id, chain_seq, head_hash, signed_at, key_id, signature)
        values (p_id, p_chain_key, v_tenant, p_chain_seq, p_head_hash, p_signed_at, p_key_id, p_signature)
        on conflict (chain_key, chain_seq) do nothing;
        return found;
    end
    $$;

revoke all on function audit.last_checkpoints(), audit.record_checkpoint(uuid, text, bigint, text, timestamptz, text, text) from public;
grant execute on function audit.last_checkpoints(), audit.record_checkpoint(uuid, text, bigint, text, timestamptz, text, text) to ${app_role};
