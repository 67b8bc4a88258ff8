-- The worker scope (docs/database.md): a consumer or worker acting for one tenant, the event's or the claimed
-- delivery's, sets app.principal = 'worker' with that tenant (DbScope.worker). Under it the event fan-out and the
-- delivery worker use ordinary SQL through these policies, and see nothing of another tenant: deliberately narrower
-- than the definers webhook.fan_out and webhook.record_attempt they replace, which saw every tenant. No membership
-- is checked (a worker is nobody's member); no other table or command admits the worker.

-- The fan-out: the tenant's subscribed endpoints, its message (once per event id) and a delivery to each.
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

-- An attempt's result: the delivery moves on, the attempt is logged, the endpoint's failure record kept (and the
-- endpoint disabled when failing too long, announced and audited through the outbox).
create policy deliveries_worker_read on webhook.deliveries for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy deliveries_worker_update on webhook.deliveries for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker')
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy attempts_worker_insert on webhook.attempts for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy endpoints_worker_update on webhook.endpoints for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker')
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy outbox_worker_insert on webhook.outbox for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
grant update (attempts, last_attempt_at, last_status_code, last_error, locked_until, lease) on webhook.deliveries to ${app_role};
grant insert (id, tenant_id, delivery_id, attempt, outcome, status_code, latency_ms, response_excerpt, error) on webhook.attempts to ${app_role};

-- An instance still running the previous build fails these calls until it is replaced: its consumer commits no
-- offset for a failed event, and a delivery whose result was not recorded is leased again when its lease runs out.
drop function webhook.fan_out(uuid, text, text, text);
drop function webhook.record_attempt(uuid, uuid, text, int, int, text, text, timestamptz, text, timestamptz, jsonb);
