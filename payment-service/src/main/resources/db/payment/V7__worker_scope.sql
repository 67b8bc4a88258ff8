-- The worker scope (docs/database.md): a consumer acting for the tenant of the event it was handed sets
-- app.principal = 'worker' with that tenant (DbScope.worker). Under it booking-service's events are applied with
-- ordinary SQL through these policies (BookingEventService), and nothing of another tenant is seen: narrower than
-- the definers payment.apply_booking_event and payment.release_gift_cards they replace, which saw every tenant. No
-- membership is checked (a worker is nobody's member); no other table or command admits the worker.

-- Each event once (common's ProcessedEvents keeps its type and outcome, as booking-service does).
alter table payment.processed_events add column type text, add column outcome text;
create policy processed_events_worker_read on payment.processed_events for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy processed_events_worker_insert on payment.processed_events for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy processed_events_worker_update on payment.processed_events for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker')
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
grant insert (tenant_id, event_id, type), update (outcome) on payment.processed_events to ${app_role};

-- The bookings that may be paid, and their state.
create policy bookings_worker_read on payment.bookings for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy bookings_worker_insert on payment.bookings for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy bookings_worker_update on payment.bookings for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker')
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
grant insert (tenant_id, booking_id, reference, amount_minor, currency, status, hold_expires_at),
    update (status, updated_at) on payment.bookings to ${app_role};

-- Gift card money of a booking that ended unpaid goes back: the booking's ledger entries, and a credit per card.
create policy gift_card_ledger_worker_read on payment.gift_card_ledger for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy gift_card_ledger_worker_insert on payment.gift_card_ledger for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');
create policy outbox_worker_insert on payment.outbox for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'worker');

-- An instance still running the previous build fails booking events until it is replaced; its consumer commits no
-- offset for a failed event, so the new instances apply it.
drop function payment.apply_booking_event(text, uuid, text, uuid, jsonb);
drop function payment.release_gift_cards(uuid, uuid, text);
