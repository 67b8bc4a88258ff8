-- What a guest does with a verified link (manage or waiver token: HMAC-signed, naming one tenant and one booking by
-- its public reference) runs under the worker scope of the token's tenant with ordinary SQL, on that booking only:
-- - cancelling goes through BookingCancellation, as staff do (one status rule, one booking.cancelled event, one audit
--   entry), instead of the definer booking.guest_cancel, which had its own copy of the rules and wrote its own event;
-- - reading and signing the waiver (Waivers), instead of the definers booking.guest_waiver and booking.sign_waiver.
create policy waivers_worker_read on booking.waivers for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy waiver_signatures_worker_read on booking.waiver_signatures for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy waiver_signatures_worker_insert on booking.waiver_signatures for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
grant insert (booking_id, tenant_id, waiver_version, signer_name) on booking.waiver_signatures to ${app_role};

-- An instance still running the previous build answers these guest actions with an error until it is replaced;
-- nothing is half-written.
drop function booking.guest_cancel(uuid, text);
drop function booking.guest_waiver(uuid, text);
drop function booking.sign_waiver(uuid, text, int, text);
