-- The worker scope (docs/database.md): the alert mailer, handed an alert of one tenant, reads that tenant's alert
-- destination under the worker scope of the alert's tenant (app.principal = 'worker', DbScope.worker) with the same
-- SQL staff use, instead of the definer audit.alert_destination, which answered for any tenant it was given. A worker
-- is nobody's member: it reads the destination, never changes it.
create policy alert_destinations_worker_read on audit.alert_destinations for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');

-- An instance still running the previous build fails to mail alerts until it is replaced; its consumer commits no
-- offset for a failed event, so the new instances mail them.
drop function audit.alert_destination(uuid);
