-- A visitor of one tenant's booking widget (DbScope.visitor): nobody signed in, yet in the scope of the one tenant
-- whose public slug the request named. Its policies open what the widget shows (published offerings and their slots)
-- and what a hold writes (a held booking, its guest, contact and email proof, the hold attempt, booking.created), for
-- that tenant alone. It reads no booking or contact, not even the ones it just wrote, and no guest but those it just
-- created. The widget's availability
-- and a hold run under it instead of three definers that saw every tenant.
create policy offerings_visitor_read on booking.offerings for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'visitor' and published);
create policy slots_visitor_read on booking.slots for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'visitor'
           and exists (select 1 from booking.offerings o where o.tenant_id = slots.tenant_id and o.id = slots.offering_id and o.published));
-- The seat trigger's update of the slot a hold takes seats of (a future one; the column grant admits seats_taken alone).
create policy slots_visitor_seats on booking.slots for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'visitor' and starts_at > now())
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'visitor' and starts_at > now());
-- A hold, and nothing else: held, priced from its published, future slot's offering, and for no guest but one this
-- transaction created (a new email; a known guest gets the booking only once the email is proven).
create policy bookings_visitor_hold on booking.bookings for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'visitor'
                and status = 'held' and hold_expires_at is not null
                and (amount_minor, currency) = (select o.price_minor * bookings.seats, o.currency
                                                  from booking.slots s join booking.offerings o on o.tenant_id = s.tenant_id and o.id = s.offering_id
                                                 where s.tenant_id = bookings.tenant_id and s.id = bookings.slot_id and s.starts_at > now())
                and (guest_id is null or exists (select 1 from booking.guests g where g.id = bookings.guest_id)));
create policy guests_visitor_insert on booking.guests for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'visitor');
-- The guests this very transaction created, which a hold may name; no other guest is visible to a visitor.
create policy guests_visitor_created_here on booking.guests for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'visitor'
           and xmin = pg_current_xact_id()::xid);
create policy booking_contacts_visitor_insert on booking.booking_contacts for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'visitor');
create policy email_proofs_visitor_insert on booking.email_proofs for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'visitor' and proven_at is null);
create policy hold_attempts_visitor_read on booking.hold_attempts for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'visitor');
create policy hold_attempts_visitor_insert on booking.hold_attempts for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'visitor');
create policy outbox_visitor_insert on booking.outbox for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'visitor' and type = 'booking.created');

grant insert (id, tenant_id, name, email_lookup, email_sealed, phone_sealed, dietary_sealed, allergies_sealed) on booking.guests to ${app_role};
grant insert (booking_id, tenant_id, name, email_lookup, email_sealed, phone_sealed, dietary_sealed, allergies_sealed)
    on booking.booking_contacts to ${app_role};
grant insert (booking_id, tenant_id, token_hash, expires_at) on booking.email_proofs to ${app_role};
grant select (tenant_id, client_key, network_key, email_key, slot_id, seats), insert (tenant_id, client_key, network_key, email_key, slot_id, seats)
    on booking.hold_attempts to ${app_role};

-- The limits count under the visitor's policies now: one tenant's attempts, no other's.
alter function booking.admit_hold(uuid, text, text, text, uuid, int, int, int, int, int, int) security invoker;
drop function booking.availability(uuid, timestamptz, timestamptz);
drop function booking.hold_seats(uuid, uuid, int, int, text, text, text, text, text, text, text, int);
