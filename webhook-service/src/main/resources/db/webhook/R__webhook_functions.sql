-- The functions of the webhook schema in their final form (docs/database.md). A repeatable migration: Flyway applies it
-- after the versioned ones whenever it changes, so this file, not the history in V*.sql, is where a reader finds what
-- runs. CREATE OR REPLACE keeps each function's grants, made by the migration that created it; who may execute a
-- definer is in common's db/security-definers.txt, which CatalogTest holds the catalog to. A changed function is
-- changed here; a new one is created by a versioned migration (with its grants) and kept here, and one whose result
-- changes is dropped by a versioned migration and created here with its grants; a dropped one is dropped by a versioned
-- migration and taken out of this file.

-- Without bitmap scans the due index is read in its order and only as far as the claim's limit: statistics taken before a
-- burst (no due deliveries) made a bitmap scan of the whole due backlog and a sort for its head look as cheap (ClaimTest).
create or replace function webhook.claim_due(p_limit int, p_per_endpoint int, p_lease_seconds int)
    returns table (delivery_id uuid, lease uuid, tenant_id uuid)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp set enable_bitmapscan = off
    as $$
    begin
        perform pg_advisory_xact_lock(hashtext('webhook.claim_due'));
        return query
        -- Bounded work per claim, whatever the backlog: the leases held come from their own small index, and the
        -- candidates are the head of the due queue (in its index's order), skipping endpoints without a free slot.
        -- Those two conditions are subqueries per candidate, not joins: as joins, on the same statistics, PostgreSQL
        -- hashed the whole due backlog against the endpoints and sorted it for its head.
        with inflight as (
            select d.endpoint_id, count(*) as n from webhook.deliveries d
             where d.status = 'pending' and d.locked_until is not null and d.locked_until > now() group by d.endpoint_id
        ), due as (
            select d.id, d.endpoint_id, d.next_attempt_at from webhook.deliveries d
             where d.status = 'pending' and d.next_attempt_at <= now() and (d.locked_until is null or d.locked_until <= now())
               and coalesce((select i.n from inflight i where i.endpoint_id = d.endpoint_id), 0) < p_per_endpoint
               and (select e.enabled from webhook.endpoints e where e.id = d.endpoint_id)
             order by d.next_attempt_at limit p_limit * p_per_endpoint
        ), chosen as (
            select ranked.id from (
                select due.id, due.endpoint_id, due.next_attempt_at,
                       row_number() over (partition by due.endpoint_id order by due.next_attempt_at, due.id) as rank
                  from due) ranked
              left join inflight i on i.endpoint_id = ranked.endpoint_id
             where ranked.rank + coalesce(i.n, 0) <= p_per_endpoint order by ranked.next_attempt_at limit p_limit
        ), leased as (
            update webhook.deliveries d set locked_until = now() + make_interval(secs => p_lease_seconds), lease = gen_random_uuid()
             where d.id in (select id from chosen) returning d.id, d.lease, d.tenant_id
        )
        select l.id, l.lease, l.tenant_id from leased l;
    end
    $$;
revoke all on function webhook.claim_due(int, int, int) from public;
grant execute on function webhook.claim_due(int, int, int) to ${app_role};
