-- Support sessions that ran out are ended under the worker scope of their tenant, each with its audit event written
-- through the outbox API (SupportAccess.expire): the definer left only finds them, as (tenant, session). The worker
-- may read that tenant's sessions, end one that ran out (as expired, nothing else), and write an audit event.
create policy support_sessions_worker_read on tenancy.support_sessions for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy support_sessions_worker_expire on tenancy.support_sessions for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker'
           and ended_at is null and expires_at <= now())
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker' and end_reason = 'expired');
create policy outbox_worker_audit on tenancy.outbox for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker' and stream = 'audit');

drop function tenancy.expire_support_sessions();
create function tenancy.expired_support_sessions(p_limit int) returns table (tenant_id uuid, session_id uuid)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select s.tenant_id, s.id from tenancy.support_sessions s
         where s.started_at is not null and s.ended_at is null and s.expires_at <= now()
         order by s.expires_at limit p_limit
    $$;
revoke all on function tenancy.expired_support_sessions(int) from public;
grant execute on function tenancy.expired_support_sessions(int) to ${app_role};
