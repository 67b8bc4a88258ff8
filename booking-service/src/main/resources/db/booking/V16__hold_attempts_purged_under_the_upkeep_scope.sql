-- The expiry worker drops hold attempts past the limit window under the upkeep scope (DbScope.upkeep) instead of a
-- definer. These policies admit it to attempts older than 15 minutes (the default palisade.holds.limit-window)
-- alone: a bug cannot purge the attempts a client's limit still counts. A longer window purges later (the worker's
-- statement names it); a shorter one keeps attempts up to 15 minutes.
drop function booking.purge_hold_attempts(int);

create policy hold_attempts_upkeep_select on booking.hold_attempts for select to ${app_role}
    using (current_setting('app.principal', true) = 'upkeep' and made_at < now() - interval '15 minutes');
create policy hold_attempts_upkeep_purge on booking.hold_attempts for delete to ${app_role}
    using (current_setting('app.principal', true) = 'upkeep' and made_at < now() - interval '15 minutes');
grant select (made_at), delete on booking.hold_attempts to ${app_role};
