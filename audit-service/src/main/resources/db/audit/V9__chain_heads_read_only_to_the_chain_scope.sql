-- Since V8 only the trigger ledger_continues_its_chain writes chain heads, and no service role may: the chain scope's
-- policies on them need admit reading its own head alone.
drop policy chain_heads_worker on audit.chain_heads;
create policy chain_heads_worker_read on audit.chain_heads for select to palisade_services
    using (chain_key = tenancy.current_tenant_id()::text and current_setting('app.principal', true) = 'worker');
drop policy chain_heads_platform_worker on audit.chain_heads;
create policy chain_heads_platform_worker_read on audit.chain_heads for select to ${app_role}
    using (current_setting('app.principal', true) = 'platform_worker' and chain_key = 'platform');
