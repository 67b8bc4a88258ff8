-- Repeatable (re-applied whenever it changes): what the outbox relay reads beyond V0.

-- Each event keeps the trace of the transaction that wrote it (TenantTransactions sets app.traceparent), whether Java
-- or SQL wrote the row; the relay sends it as the CloudEvents distributed-tracing extension.
alter table ${flyway:defaultSchema}.outbox add column if not exists traceparent text
    default nullif(current_setting('app.traceparent', true), '');

drop function if exists ${flyway:defaultSchema}.outbox_pending(int);
create function ${flyway:defaultSchema}.outbox_pending(p_limit int)
    returns table (seq bigint, id uuid, tenant_id uuid, stream text, type text, subject text, data jsonb, occurred_at timestamptz,
                   traceparent text)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select o.seq, o.id, o.tenant_id, o.stream, o.type, o.subject, o.data, o.occurred_at, o.traceparent from ${flyway:defaultSchema}.outbox o
         where o.published_at is null order by o.seq limit p_limit
    $$;
revoke all on function ${flyway:defaultSchema}.outbox_pending(int) from public;
grant execute on function ${flyway:defaultSchema}.outbox_pending(int) to ${app_role};

-- How many events wait and since when, over every tenant, for the relay's metrics (palisade.outbox.pending,
-- palisade.outbox.oldest.age, docs/operations.md): a count and a time, never an event.
create or replace function ${flyway:defaultSchema}.outbox_backlog(out pending bigint, out oldest timestamptz)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$ select count(*), min(o.occurred_at) from ${flyway:defaultSchema}.outbox o where o.published_at is null $$;
revoke all on function ${flyway:defaultSchema}.outbox_backlog() from public;
grant execute on function ${flyway:defaultSchema}.outbox_backlog() to ${app_role};
