-- Repeatable (re-applied whenever it changes): what the outbox relay runs with beyond V0.

-- Each event keeps the trace of the transaction that wrote it (TenantTransactions sets app.traceparent), whether Java
-- or SQL wrote the row; the relay sends it as the CloudEvents distributed-tracing extension.
alter table ${flyway:defaultSchema}.outbox add column if not exists traceparent text
    default nullif(current_setting('app.traceparent', true), '');

-- The relay publishes every tenant's events in commit order under the upkeep scope (DbScope.upkeep): these two
-- policies admit it, and only this service's role, to read the outbox and to set published_at (the one column it may
-- update) once on a row not yet published. No definer: what it may do is the policy, not a function trusting its
-- arguments (docs/database.md).
drop function if exists ${flyway:defaultSchema}.outbox_pending(int);
drop function if exists ${flyway:defaultSchema}.outbox_mark_published(bigint[]);
drop function if exists ${flyway:defaultSchema}.outbox_backlog();

drop policy if exists outbox_upkeep_select on ${flyway:defaultSchema}.outbox;
create policy outbox_upkeep_select on ${flyway:defaultSchema}.outbox for select to ${app_role}
    using (current_setting('app.principal', true) = 'upkeep');
drop policy if exists outbox_upkeep_publish on ${flyway:defaultSchema}.outbox;
create policy outbox_upkeep_publish on ${flyway:defaultSchema}.outbox for update to ${app_role}
    using (current_setting('app.principal', true) = 'upkeep' and published_at is null)
    with check (current_setting('app.principal', true) = 'upkeep' and published_at is not null);
grant update (published_at) on ${flyway:defaultSchema}.outbox to ${app_role};

-- Who may write an event: a member, for their tenant; and any caller an audit event of no tenant (a failed login names
-- none; it goes to the platform's chain). Two policies, not one with an OR, so that each binds what it admits where
-- SecurityDefiners can see it: the first the scope's tenant, the second rows of no tenant (allow-listed, "tenantless").
drop policy if exists outbox_insert on ${flyway:defaultSchema}.outbox;
create policy outbox_insert on ${flyway:defaultSchema}.outbox for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
drop policy if exists outbox_tenantless_audit on ${flyway:defaultSchema}.outbox;
create policy outbox_tenantless_audit on ${flyway:defaultSchema}.outbox for insert to palisade_services
    with check (tenant_id is null and stream = 'audit');

-- Every event, audit events included, is written by Java through one API (Outbox, AuditLog); no SQL helper writes one.
drop function if exists ${flyway:defaultSchema}.audit_event(uuid, text, uuid, text, text, text, jsonb, jsonb, jsonb);
