-- The worker scope (docs/database.md): a consumer or worker acting for one tenant, the event's, sets
-- app.principal = 'worker' with that tenant (DbScope.worker). Under it the event fan-out reads that tenant's
-- endpoints and writes its messages and deliveries, through these policies and ordinary SQL, and sees nothing of
-- another tenant: deliberately narrower than the definer webhook.fan_out it replaces, which saw every tenant. No
-- membership is checked (a worker is nobody's member); no other table admits the worker.
create policy endpoints_worker_read on webhook.endpoints for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy messages_worker_read on webhook.messages for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy messages_worker_insert on webhook.messages for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy deliveries_worker_insert on webhook.deliveries for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
grant insert (id, tenant_id, event_id, event_type, body) on webhook.messages to ${app_role};
grant insert (id, tenant_id, endpoint_id, message_id, status, next_attempt_at) on webhook.deliveries to ${app_role};

-- An instance still running the previous build fails its fan-out until it is replaced; its consumer commits no
-- offset for a failed event, so the new instances deliver it (docs/events.md).
drop function webhook.fan_out(uuid, text, text, text);
