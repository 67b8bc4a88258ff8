-- Tenants' webhook endpoints (docs/webhooks.md). The signing secret is sealed with the master key (SecretBox);
-- after a rotation the previous one keeps signing until previous_secret_expires_at.
create table webhook.endpoints (
    id                         uuid primary key,
    tenant_id                  uuid not null,
    url                        text not null check (length(url) <= 2048),
    description                text check (length(description) <= 500),
    event_types                text[] not null check (cardinality(event_types) between 1 and 50),
    enabled                    boolean not null default true,
    disabled_reason            text,
    secret_sealed              text not null,
    previous_secret_sealed     text,
    previous_secret_expires_at timestamptz,
    failing_since              timestamptz,
    created_by                 uuid not null,
    created_at                 timestamptz not null default now(),
    updated_at                 timestamptz not null default now()
);
create index endpoints_tenant_idx on webhook.endpoints (tenant_id, created_at, id);
alter table webhook.endpoints enable row level security;
alter table webhook.endpoints force row level security;
create policy endpoints_owner_helpers on webhook.endpoints for all to ${owner_role} using (true) with check (true);
create policy endpoints_tenant on webhook.endpoints for all to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select, insert, update, delete on webhook.endpoints to ${app_role};
