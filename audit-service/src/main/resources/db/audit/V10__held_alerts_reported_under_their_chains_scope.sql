-- Held alerts are reported under their chain's scope, the alert written through the outbox API like every other event
-- (Alerts.reportHeld): the definer only finds which (chain, kind) have an alert to report, and writes nothing.
drop function audit.flush_held_alerts(interval);
create function audit.held_alerts(p_interval interval, p_limit int) returns table (chain_key text, kind text)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select s.chain_key, s.kind from audit.alert_state s
         where s.held > 0 and s.last_alert_at <= clock_timestamp() - p_interval
         order by s.last_alert_at limit p_limit
    $$;
revoke all on function audit.held_alerts(interval, int) from public;
grant execute on function audit.held_alerts(interval, int) to ${app_role};
