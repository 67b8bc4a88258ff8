-- Right to be forgotten: erasure requests, due 30 days after they are filed, processed by a worker
-- (booking.process_erasures, V7: once every table that holds personal data exists).

create table booking.erasure_requests (
    id           uuid primary key,
    tenant_id    uuid not null,
    guest_id     uuid not null,
    requested_by uuid not null,
    requested_at timestamptz not null default now(),
    due_at       timestamptz not null,
    status       text not null default 'pending' check (status in ('pending', 'completed')),
    completed_at timestamptz,
    foreign key (tenant_id, guest_id) references booking.guests (tenant_id, id)
);
create index erasure_requests_pending_idx on booking.erasure_requests (due_at) where status = 'pending';
alter table booking.erasure_requests enable row level security;
alter table booking.erasure_requests force row level security;
create policy erasure_requests_owner_helpers on booking.erasure_requests for all to ${owner_role} using (true) with check (true);
create policy erasure_requests_select on booking.erasure_requests for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy erasure_requests_insert on booking.erasure_requests for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select, insert on booking.erasure_requests to ${app_role};
