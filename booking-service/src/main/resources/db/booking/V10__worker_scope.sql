-- The worker scope (docs/database.md): a consumer acting for the tenant of the event it was handed sets
-- app.principal = 'worker' with that tenant (DbScope.worker). Under it the payment events consumer applies an event
-- with ordinary SQL through these policies (PaymentEventService), and sees nothing of another tenant: narrower than
-- the definer booking.apply_payment_event it replaces, which saw every tenant. No membership is checked (a worker is
-- nobody's member); no other table or command admits the worker.
create policy processed_events_worker_read on booking.processed_events for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy processed_events_worker_insert on booking.processed_events for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy processed_events_worker_update on booking.processed_events for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker')
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
grant insert (tenant_id, event_id, type), update (outcome) on booking.processed_events to ${app_role};

-- The booking the event is about, locked and moved; its slot's seat counter moves with it (the trigger runs as the
-- caller); the event that tells of the move goes through the outbox.
create policy bookings_worker_read on booking.bookings for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy bookings_worker_update on booking.bookings for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker')
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy slots_worker_read on booking.slots for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy slots_worker_update on booking.slots for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker')
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy outbox_worker_insert on booking.outbox for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');

-- An instance still running the previous build fails its payment events until it is replaced; its consumer commits
-- no offset for a failed event, so the new instances apply it.
drop function booking.apply_payment_event(text, uuid, text, uuid, bigint, text);

-- The notification sender records a send's outcome under the worker scope of the claimed message's tenant
-- (NotificationRepository.finish), instead of the definer booking.finish_notification.
create policy notifications_worker_read on booking.notifications for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy notifications_worker_update on booking.notifications for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker')
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
grant update (status, sent_at, lease_until) on booking.notifications to ${app_role};
drop function booking.finish_notification(uuid, boolean);

