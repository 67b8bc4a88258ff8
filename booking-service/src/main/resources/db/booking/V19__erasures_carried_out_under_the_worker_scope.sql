-- Erasure requests are carried out under the worker scope of their tenant (ErasureWorker), the audit entry written
-- through the outbox API: the one definer left finds pending requests of every tenant as (tenant, request) and
-- writes nothing. The worker may anonymize that tenant's guests, contact details and waiver signatures, drop the
-- email's hold attempts and complete the request.
create policy erasure_requests_worker_read on booking.erasure_requests for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy erasure_requests_worker_complete on booking.erasure_requests for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker' and status = 'pending')
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker' and status = 'completed');
grant update (status, completed_at) on booking.erasure_requests to ${app_role};

create policy guests_worker_update on booking.guests for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker')
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy booking_contacts_worker_update on booking.booking_contacts for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker')
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
grant update (name, email_lookup, email_sealed, phone_sealed, dietary_sealed, allergies_sealed) on booking.booking_contacts to ${app_role};
create policy waiver_signatures_worker_update on booking.waiver_signatures for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker')
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
grant update (signer_name) on booking.waiver_signatures to ${app_role};
create policy hold_attempts_worker_read on booking.hold_attempts for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy hold_attempts_worker_erase on booking.hold_attempts for delete to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');

drop function booking.process_erasures(int);
create function booking.due_erasures(p_limit int) returns table (tenant_id uuid, request_id uuid)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select r.tenant_id, r.id from booking.erasure_requests r where r.status = 'pending' order by r.due_at limit p_limit
    $$;
revoke all on function booking.due_erasures(int) from public;
grant execute on function booking.due_erasures(int) to ${app_role};
