-- What belongs to a booking (its messages, contact details, email proof, waiver signature) belongs to the booking's
-- tenant: the foreign keys name the tenant too, so no caller's insert, whatever its policies admit, can hang a row of
-- one tenant on another tenant's booking.
alter table booking.bookings add constraint bookings_tenant_id_id_key unique (tenant_id, id);
alter table booking.notifications add constraint notifications_booking_of_its_tenant
    foreign key (tenant_id, booking_id) references booking.bookings (tenant_id, id);
alter table booking.booking_contacts add constraint booking_contacts_booking_of_its_tenant
    foreign key (tenant_id, booking_id) references booking.bookings (tenant_id, id);
alter table booking.email_proofs add constraint email_proofs_booking_of_its_tenant
    foreign key (tenant_id, booking_id) references booking.bookings (tenant_id, id);
alter table booking.waiver_signatures add constraint waiver_signatures_booking_of_its_tenant
    foreign key (tenant_id, booking_id) references booking.bookings (tenant_id, id);
