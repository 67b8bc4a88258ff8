-- A guest's view of their booking from a verified guest link runs under the worker scope of the link's tenant
-- (GuestBookingRepository), as cancelling and signing waivers already do: the definer that read any tenant's booking
-- by the reference it was handed is gone. The view names the offering, which workers may now read.
create policy offerings_worker_read on booking.offerings for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
drop function booking.guest_booking(uuid, text);
