-- Deliveries (docs/webhooks.md): one message per domain event and tenant (the exact body every attempt signs), one
-- delivery per subscribed endpoint, one attempt row per try. Retry state lives here, so a restart loses nothing
-- and never resends what already succeeded.

create table webhook.messages (
    id         uuid primary key,
    tenant_id  uuid not null,
    event_id   text not null,
    event_type text not null,
    body       text not null,
    created_at timestamptz not null default now(),
    unique (tenant_id, event_id)
);

create table webhook.deliveries (
    id               uuid primary key,
    tenant_id        uuid not null,
    endpoint_id      uuid not null references webhook.endpoints (id) on delete cascade,
    message_id       uuid not null references webhook.messages (id),
    status           text not null check (status in ('pending', 'succeeded', 'failed')),
    attempts         int not null default 0,
    -- attempts made before the last replay: the retry schedule starts again from there
    schedule_base    int not null default 0,
    next_attempt_at  timestamptz,
    locked_until     timestamptz,
    -- the current lease: only the attempt that holds it may record its result
    lease            uuid,
    last_attempt_at  timestamptz,
    last_status_code int,
    last_error       text,
    created_at       timestamptz not null default now(),
    unique (endpoint_id, message_id)
);
create index deliveries_due_idx on webhook.deliveries (next_attempt_at) where status = 'pending';
create index deliveries_endpoint_idx on webhook.deliveries (endpoint_id, created_at, id);

create table webhook.attempts (
    id               uuid primary key,
    tenant_id        uuid not null,
    delivery_id      uuid not null references webhook.deliveries (id) on delete cascade,
    attempt          int not null,
    attempted_at     timestamptz not null default now(),
    outcome          text not null check (outcome in ('succeeded', 'retrying', 'failed', 'blocked')),
    status_code      int,
    latency_ms       int,
    response_excerpt text,
    error            text
);
create index attempts_delivery_idx on webhook.attempts (delivery_id, attempt);

alter table webhook.messages enable row level security;
alter table webhook.messages force row level security;
alter table webhook.deliveries enable row level security;
alter table webhook.deliveries force row level security;
alter table webhook.attempts enable row level security;
alter table webhook.attempts force row level security;
create policy messages_owner_helpers on webhook.messages for all to ${owner_role} using (true) with check (true);
create policy deliveries_owner_helpers on webhook.deliveries for all to ${owner_role} using (true) with check (true);
create policy attempts_owner_helpers on webhook.attempts for all to ${owner_role} using (true) with check (true);
create policy messages_tenant on webhook.messages for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy deliveries_tenant_read on webhook.deliveries for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
-- Replay: the tenant sets its own deliveries due again.
create policy deliveries_tenant_replay on webhook.deliveries for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy attempts_tenant on webhook.attempts for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select on webhook.messages, webhook.attempts to ${app_role};
grant select, update (status, next_attempt_at, schedule_base) on webhook.deliveries to ${app_role};

-- A domain event, once per tenant and event id, to every enabled endpoint of its tenant subscribed to its type.
-- Returns how many deliveries it made (0 for a redelivered event).
create function webhook.fan_out(p_tenant uuid, p_event_id text, p_event_type text, p_body text) returns int
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_message uuid := gen_random_uuid();
        v_count int;
    begin
        insert into webhook.messages (id, tenant_id, event_id, event_type, body) values (v_message, p_tenant, p_event_id, p_event_type, p_body)
        on conflict (tenant_id, event_id) do nothing;
        if not found then
            return 0;
        end if;
        insert into webhook.deliveries (id, tenant_id, endpoint_id, message_id, status, next_attempt_at)
        select gen_random_uuid(), p_tenant, e.id, v_message, 'pending', now() from webhook.endpoints e
         where e.tenant_id = p_tenant and e.enabled and p_event_type = any(e.event_types);
        get diagnostics v_count = row_count;
        return v_count;
    end
    $$;

-- Leases up to p_limit due deliveries of enabled endpoints, at most p_per_endpoint in flight per endpoint, with
-- what sending needs. One claim at a time across instances (advisory lock), so the per-endpoint bound holds.
create function webhook.claim_due(p_limit int, p_per_endpoint int, p_lease_seconds int)
    returns table (delivery_id uuid, lease uuid, tenant_id uuid, endpoint_id uuid, url text, secret_sealed text, previous_secret_sealed text,
                   message_id uuid, event_type text, body text, attempts int, schedule_base int)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    begin
        perform pg_advisory_xact_lock(hashtext('webhook.claim_due'));
        return query
        with inflight as (
            select d.endpoint_id, count(*) as n from webhook.deliveries d
             where d.status = 'pending' and d.locked_until > now() group by d.endpoint_id
        ), due as (
            select d.id, d.endpoint_id, d.next_attempt_at,
                   row_number() over (partition by d.endpoint_id order by d.next_attempt_at, d.id) as rank
              from webhook.deliveries d join webhook.endpoints e on e.id = d.endpoint_id and e.enabled
             where d.status = 'pending' and d.next_attempt_at <= now() and (d.locked_until is null or d.locked_until <= now())
        ), chosen as (
            select due.id from due left join inflight i on i.endpoint_id = due.endpoint_id
             where due.rank + coalesce(i.n, 0) <= p_per_endpoint order by due.next_attempt_at limit p_limit
        ), leased as (
            update webhook.deliveries d set locked_until = now() + make_interval(secs => p_lease_seconds), lease = gen_random_uuid()
             where d.id in (select id from chosen) returning d.id, d.lease, d.tenant_id, d.endpoint_id, d.message_id, d.attempts, d.schedule_base
        )
        select l.id, l.lease, l.tenant_id, l.endpoint_id, e.url, e.secret_sealed,
               case when e.previous_secret_expires_at > now() then e.previous_secret_sealed end, l.message_id, m.event_type, m.body, l.attempts,
               l.schedule_base
          from leased l join webhook.endpoints e on e.id = l.endpoint_id join webhook.messages m on m.id = l.message_id;
    end
    $$;

-- Records one attempt and moves the delivery on: p_next_attempt_at set means retry then; otherwise p_final is the
-- end state. Only the attempt holding the delivery's current lease records (a late result of an attempt whose lease
-- ran out and was taken over is dropped), so a result never overwrites a newer one. Keeps the endpoint's failure record, and disables an endpoint failing since before p_disable_before:
-- the tenant is told by a webhook.endpoint_disabled event and an audit entry. Returns whether it disabled it.
create function webhook.record_attempt(p_delivery uuid, p_lease uuid, p_outcome text, p_status_code int, p_latency_ms int, p_excerpt text,
                                       p_error text, p_next_attempt_at timestamptz, p_final text, p_disable_before timestamptz,
                                       p_blocked_audit jsonb) returns boolean
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_delivery webhook.deliveries%rowtype;
        v_endpoint webhook.endpoints%rowtype;
    begin
        update webhook.deliveries set attempts = attempts + 1, last_attempt_at = now(), last_status_code = p_status_code,
               last_error = p_error, locked_until = null, lease = null,
               status = case when p_next_attempt_at is null then p_final else 'pending' end, next_attempt_at = p_next_attempt_at
         where id = p_delivery and lease = p_lease and status = 'pending' returning * into v_delivery;
        if not found then
            return false;
        end if;
        insert into webhook.attempts (id, tenant_id, delivery_id, attempt, outcome, status_code, latency_ms, response_excerpt, error)
        values (gen_random_uuid(), v_delivery.tenant_id, p_delivery, v_delivery.attempts, p_outcome, p_status_code, p_latency_ms, p_excerpt, p_error);
        if p_blocked_audit is not null then
            insert into webhook.outbox (id, tenant_id, stream, type, subject, data)
            values (gen_random_uuid(), v_delivery.tenant_id, 'audit', p_blocked_audit->>'action', p_blocked_audit->'target'->>'id', p_blocked_audit);
        end if;
        if p_outcome = 'succeeded' then
            update webhook.endpoints set failing_since = null where id = v_delivery.endpoint_id;
            return false;
        end if;
        update webhook.endpoints set failing_since = coalesce(failing_since, now()) where id = v_delivery.endpoint_id
        returning * into v_endpoint;
        if v_endpoint.enabled and v_endpoint.failing_since <= p_disable_before then
            update webhook.endpoints set enabled = false, updated_at = now(),
                   disabled_reason = 'failing since ' || to_char(v_endpoint.failing_since at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
             where id = v_endpoint.id;
            insert into webhook.outbox (id, tenant_id, type, subject, data)
            values (gen_random_uuid(), v_endpoint.tenant_id, 'webhook.endpoint_disabled', v_endpoint.id::text,
                    jsonb_build_object('endpointId', v_endpoint.id, 'failingSince', v_endpoint.failing_since));
            insert into webhook.outbox (id, tenant_id, stream, type, subject, data)
            values (gen_random_uuid(), v_endpoint.tenant_id, 'audit', 'webhook.endpoint_disabled', v_endpoint.id::text,
                    jsonb_build_object('schemaVersion', 1, 'action', 'webhook.endpoint_disabled', 'tenantId', v_endpoint.tenant_id,
                        'actor', jsonb_build_object('role', 'system'), 'target', jsonb_build_object('type', 'webhook_endpoint', 'id', v_endpoint.id),
                        'outcome', 'success', 'before', jsonb_build_object('enabled', true),
                        'after', jsonb_build_object('enabled', false, 'failingSince', v_endpoint.failing_since)));
            return true;
        end if;
        return false;
    end
    $$;

revoke all on function webhook.fan_out(uuid, text, text, text), webhook.claim_due(int, int, int),
    webhook.record_attempt(uuid, uuid, text, int, int, text, text, timestamptz, text, timestamptz, jsonb) from public;
grant execute on function webhook.fan_out(uuid, text, text, text), webhook.claim_due(int, int, int),
    webhook.record_attempt(uuid, uuid, text, int, int, text, text, timestamptz, text, timestamptz, jsonb) to ${app_role};
