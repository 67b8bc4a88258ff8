-- Right to be forgotten: erasure requests, due 30 days after they are filed, processed by a worker that scrubs
-- the guest's personal data from every table of this schema and keeps the bookings' non-personal facts.

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

-- An audit event of this schema's helpers, in the shape of common's AuditEvent (schema version 1).
create function booking.audit_event(p_tenant uuid, p_action text, p_actor uuid, p_role text, p_target_type text, p_target_id text,
        p_before jsonb, p_after jsonb, p_details jsonb) returns void
    language sql volatile set search_path = pg_catalog, pg_temp
    as $$
        insert into booking.outbox (id, tenant_id, stream, type, subject, data)
        values (gen_random_uuid(), p_tenant, 'audit', p_action, p_target_id,
                jsonb_build_object('schemaVersion', 1, 'action', p_action, 'tenantId', p_tenant,
                    'actor', jsonb_build_object('userId', p_actor, 'role', p_role, 'impersonatorId', null, 'clientIp', null),
                    'target', jsonb_build_object('type', p_target_type, 'id', p_target_id), 'outcome', 'success',
                    'before', p_before, 'after', p_after, 'details', coalesce(p_details, '{}'::jsonb), 'requestId', null))
    $$;

-- Scrubs one guest: every personal field gone, the lookup replaced by a value nobody can look up, the
-- guest's bookings keep seats, amounts, status and times. Idempotent: a guest already anonymized stays so.
create function booking.process_erasures(p_limit int) returns int
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        r booking.erasure_requests%rowtype;
        n int := 0;
    begin
        for r in select * from booking.erasure_requests where status = 'pending' order by due_at limit p_limit for update skip locked loop
            update booking.guests
               set name = 'anonymized', email_lookup = 'anonymized:' || id, email_sealed = 'anonymized', phone_sealed = null,
                   dietary_sealed = null, allergies_sealed = null, anonymized_at = coalesce(anonymized_at, now()), updated_at = now()
             where tenant_id = r.tenant_id and id = r.guest_id;
            update booking.erasure_requests set status = 'completed', completed_at = now() where id = r.id;
            perform booking.audit_event(r.tenant_id, 'guest.anonymized', r.requested_by, null, 'guest', r.guest_id::text,
                    null, null, jsonb_build_object('erasureRequest', r.id, 'requestedAt', r.requested_at));
            n := n + 1;
        end loop;
        return n;
    end
    $$;
revoke all on function booking.process_erasures(int), booking.audit_event(uuid, text, uuid, text, text, text, jsonb, jsonb, jsonb) from public;
grant execute on function booking.process_erasures(int) to ${app_role};
