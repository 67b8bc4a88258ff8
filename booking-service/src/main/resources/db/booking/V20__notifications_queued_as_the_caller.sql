-- A booking's messages are queued by its trigger as whoever changed the booking (a member, or a worker for one
-- tenant), under their row-level security, instead of a definer: the messages are the booking's, in its tenant, and
-- these policies let exactly those callers queue and cancel them there. A visitor only ever inserts held bookings,
-- which queue nothing.
create policy notifications_insert on booking.notifications for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
-- A member's change of a booking only ever cancels its pending messages.
create policy notifications_cancel on booking.notifications for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
                and status = 'cancelled');
create policy notifications_worker_insert on booking.notifications for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
grant insert (tenant_id, booking_id, guest_id, kind, due_at) on booking.notifications to ${app_role};
alter function booking.queue_notifications() security invoker;
