-- Alerts on critical actions (docs/audit.md): at most one per chain (tenant or platform) and kind per interval; what
-- arrives in between is held and counted, and reported by the next alert of that kind. Alerts leave through
-- audit-service's outbox to the alerts topic, in the transaction that appended the entry.

create index ledger_chain_action_arrival_idx on audit.ledger (chain_key, action, received_at);

create table audit.alert_state (
    chain_key     text not null,
    kind          text not null,
    last_alert_at timestamptz,
    held          int not null default 0,
    primary key (chain_key, kind)
);
alter table audit.alert_state enable row level security;
alter table audit.alert_state force row level security;
create policy alert_state_owner_helpers on audit.alert_state for all to ${owner_role} using (true) with check (true);

-- Platform-level alerts (a lockout has no tenant) go out on the alerts topic too.
alter table audit.outbox drop constraint outbox_platform_events_are_audit;
alter table audit.outbox add constraint outbox_platform_events_are_audit_or_alerts
    check (tenant_id is not null or stream = 'audit' or type = 'audit.alert');

create function audit.alert_payload(p_kind text, p_chain_key text, p_tenant uuid, p_interval interval, p_occurrences bigint,
                                    p_held int, p_trigger audit.ledger) returns jsonb
    language sql stable set search_path = pg_catalog, pg_temp
    as $$
        select jsonb_build_object('schemaVersion', 1, 'kind', p_kind, 'tenantId', p_tenant, 'chain', p_chain_key,
            'intervalSeconds', extract(epoch from p_interval)::bigint, 'raisedAt', clock_timestamp(),
            'occurrencesInInterval', p_occurrences, 'suppressedSinceLastAlert', p_held,
            'trigger', case when p_trigger.event_id is null then null else jsonb_build_object(
                'eventId', p_trigger.event_id, 'action', p_trigger.action, 'actor', p_trigger.entry->'actor',
                'target', p_trigger.entry->'target', 'outcome', p_trigger.outcome, 'occurredAt', p_trigger.occurred_at, 'chainSeq', p_trigger.chain_seq) end)
    $$;

-- Weighs a newly appended entry against its rule: with at least p_threshold entries of its action in the chain
-- that arrived within p_interval (arrival, not occurrence: events from several services arrive out of order), it
-- raises an alert unless one of that kind went out within p_interval, in which case it is held. Times are the
-- clock's, not the transaction's start (which may have waited on the chain's lock). Returns 'raised', 'held' or
-- 'below_threshold'.
create function audit.consider_alert(p_event_id uuid, p_kind text, p_threshold int, p_interval interval) returns text
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_entry audit.ledger%rowtype;
        v_recent bigint;
        v_state audit.alert_state%rowtype;
    begin
        select * into v_entry from audit.ledger where event_id = p_event_id;
        if not found then
            raise exception 'no ledger entry %', p_event_id using errcode = '22023';
        end if;
        select count(*) into v_recent from audit.ledger
         where chain_key = v_entry.chain_key and action = v_entry.action and received_at > clock_timestamp() - p_interval;
        if v_recent < p_threshold then
            return 'below_threshold';
        end if;
        insert into audit.alert_state (chain_key, kind) values (v_entry.chain_key, p_kind) on conflict do nothing;
        select * into v_state from audit.alert_state where chain_key = v_entry.chain_key and kind = p_kind for update;
        if v_state.last_alert_at is not null and v_state.last_alert_at > clock_timestamp() - p_interval then
            update audit.alert_state set held = held + 1 where chain_key = v_entry.chain_key and kind = p_kind;
            return 'held';
        end if;
        insert into audit.outbox (id, tenant_id, type, subject, data)
        values (gen_random_uuid(), v_entry.tenant_id, 'audit.alert', p_kind,
                audit.alert_payload(p_kind, v_entry.chain_key, v_entry.tenant_id, p_interval, v_recent, v_state.held, v_entry));
        update audit.alert_state set last_alert_at = clock_timestamp(), held = 0 where chain_key = v_entry.chain_key and kind = p_kind;
        return 'raised';
    end
    $$;

-- Reports what was held once the interval since the last alert of its kind has passed: a summary alert without a
-- trigger. Returns how many went out.
create function audit.flush_held_alerts(p_interval interval) returns int
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        s record;
        v_count int := 0;
        v_none audit.ledger;
    begin
        for s in select * from audit.alert_state where held > 0 and last_alert_at <= clock_timestamp() - p_interval for update skip locked loop
            insert into audit.outbox (id, tenant_id, type, subject, data)
            values (gen_random_uuid(), case when s.chain_key = 'platform' then null else s.chain_key::uuid end, 'audit.alert', s.kind,
                    audit.alert_payload(s.kind, s.chain_key, case when s.chain_key = 'platform' then null else s.chain_key::uuid end,
                                        p_interval, 0, s.held, v_none));
            update audit.alert_state set last_alert_at = clock_timestamp(), held = 0 where chain_key = s.chain_key and kind = s.kind;
            v_count := v_count + 1;
        end loop;
        return v_count;
    end
    $$;

-- Where a tenant's alerts are mailed (owners and admins set it).
create table audit.alert_destinations (
    tenant_id  uuid primary key,
    email      text not null check (length(email) between 3 and 254 and email like '%_@_%'),
    updated_at timestamptz not null default now(),
    updated_by uuid not null
);
alter table audit.alert_destinations enable row level security;
alter table audit.alert_destinations force row level security;
create policy alert_destinations_owner_helpers on audit.alert_destinations for all to ${owner_role} using (true) with check (true);
create policy alert_destinations_tenant on audit.alert_destinations for all to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select, insert, update, delete on audit.alert_destinations to ${app_role};

-- The alert mailer reads the destination of the alert's tenant (it runs without a signed-in user).
create function audit.alert_destination(p_tenant uuid) returns text
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$ select email from audit.alert_destinations where tenant_id = p_tenant $$;

revoke all on function audit.consider_alert(uuid, text, int, interval), audit.flush_held_alerts(interval), audit.alert_destination(uuid) from public;
grant execute on function audit.consider_alert(uuid, text, int, interval), audit.flush_held_alerts(interval), audit.alert_destination(uuid) to ${app_role};
