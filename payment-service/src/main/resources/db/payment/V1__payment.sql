-- payment-service: Stripe Connect accounts, the bookings guests may pay (from booking-service's events),
-- payments (one PaymentIntent per attempt), refunds, and every Stripe event received. Tenant rows follow the
-- platform rule: RLS forced, tenant-and-member policies for staff; the webhook intake, the event workers and
-- the guest's payment go through definer helpers that take the tenant from a verified source.

-- One Stripe account per tenant (Standard, connected through onboarding); never card data.
create table payment.connected_accounts (
    tenant_id         uuid primary key,
    stripe_account_id text not null unique,
    charges_enabled   boolean not null default false,
    details_submitted boolean not null default false,
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now()
);
alter table payment.connected_accounts enable row level security;
alter table payment.connected_accounts force row level security;
create policy connected_accounts_owner_helpers on payment.connected_accounts for all to ${owner_role} using (true) with check (true);
create policy connected_accounts_select on payment.connected_accounts for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy connected_accounts_insert on payment.connected_accounts for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy connected_accounts_update on payment.connected_accounts for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select, insert, update on payment.connected_accounts to ${app_role};

-- What booking-service announced about each paid booking: the amount is taken from here, never from a client.
create table payment.bookings (
    tenant_id       uuid not null,
    booking_id      uuid not null,
    reference       text not null,
    amount_minor    bigint not null check (amount_minor >= 0),
    currency        text not null,
    status          text not null,
    hold_expires_at timestamptz,
    updated_at      timestamptz not null default now(),
    primary key (tenant_id, booking_id),
    unique (tenant_id, reference)
);
alter table payment.bookings enable row level security;
alter table payment.bookings force row level security;
create policy bookings_owner_helpers on payment.bookings for all to ${owner_role} using (true) with check (true);
create policy bookings_select on payment.bookings for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select on payment.bookings to ${app_role};

create table payment.payments (
    id                    uuid primary key default gen_random_uuid(),
    tenant_id             uuid not null,
    booking_id            uuid not null,
    attempt               int not null,
    stripe_account_id     text not null,
    payment_intent_id     text unique,
    amount_minor          bigint not null check (amount_minor > 0),
    currency              text not null,
    application_fee_minor bigint not null check (application_fee_minor >= 0),
    status                text not null default 'creating'
                          check (status in ('creating', 'requires_payment', 'processing', 'succeeded', 'canceled')),
    refunded_minor        bigint not null default 0 check (refunded_minor >= 0),
    flag                  text,
    created_at            timestamptz not null default now(),
    updated_at            timestamptz not null default now(),
    unique (tenant_id, booking_id, attempt),
    foreign key (tenant_id, booking_id) references payment.bookings (tenant_id, booking_id)
);
create index payments_tenant_created_idx on payment.payments (tenant_id, created_at desc, id);
alter table payment.payments enable row level security;
alter table payment.payments force row level security;
create policy payments_owner_helpers on payment.payments for all to ${owner_role} using (true) with check (true);
create policy payments_select on payment.payments for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select on payment.payments to ${app_role};

create table payment.refunds (
    id               uuid primary key default gen_random_uuid(),
    tenant_id        uuid not null,
    payment_id       uuid not null references payment.payments (id),
    stripe_refund_id text unique,
    amount_minor     bigint not null check (amount_minor > 0),
    reason           text not null,
    requested_by     uuid,
    status           text not null default 'requested' check (status in ('requested', 'pending', 'succeeded', 'failed', 'canceled')),
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now()
);
create index refunds_payment_idx on payment.refunds (tenant_id, payment_id);
alter table payment.refunds enable row level security;
alter table payment.refunds force row level security;
create policy refunds_owner_helpers on payment.refunds for all to ${owner_role} using (true) with check (true);
create policy refunds_select on payment.refunds for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy refunds_insert on payment.refunds for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy refunds_update on payment.refunds for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select, insert, update on payment.refunds to ${app_role};

-- Every verified Stripe event, once per event id: the authoritative record of what Stripe told us.
create table payment.stripe_events (
    event_id     text primary key,
    tenant_id    uuid,
    account_id   text,
    type         text not null,
    object_id    text,
    payload      jsonb not null,
    received_at  timestamptz not null default now(),
    attempts     int not null default 0,
    lease_until  timestamptz,
    processed_at timestamptz,
    outcome      text
);
create index stripe_events_unprocessed_idx on payment.stripe_events (received_at) where processed_at is null;
alter table payment.stripe_events enable row level security;
alter table payment.stripe_events force row level security;
create policy stripe_events_owner_helpers on payment.stripe_events for all to ${owner_role} using (true) with check (true);
create policy stripe_events_select on payment.stripe_events for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select on payment.stripe_events to ${app_role};

-- Booking events applied, once per tenant and event id.
create table payment.processed_events (
    tenant_id    uuid not null,
    event_id     text not null,
    processed_at timestamptz not null default now(),
    primary key (tenant_id, event_id)
);
alter table payment.processed_events enable row level security;
alter table payment.processed_events force row level security;
create policy processed_events_owner_helpers on payment.processed_events for all to ${owner_role} using (true) with check (true);
create policy processed_events_select on payment.processed_events for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select on payment.processed_events to ${app_role};
