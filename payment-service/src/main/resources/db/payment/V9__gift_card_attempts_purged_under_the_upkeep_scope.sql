-- The purge worker drops gift card attempts older than a day (the longest window a limit counts: wrong codes and
-- purchases per client) under the upkeep scope (DbScope.upkeep) instead of a definer. These policies admit it to
-- such attempts alone: a bug cannot purge the attempts a limit still counts.
drop function payment.purge_gift_card_attempts(int);

create policy gift_card_attempts_upkeep_select on payment.gift_card_attempts for select to ${app_role}
    using (current_setting('app.principal', true) = 'upkeep' and made_at < now() - interval '1 day');
create policy gift_card_attempts_upkeep_purge on payment.gift_card_attempts for delete to ${app_role}
    using (current_setting('app.principal', true) = 'upkeep' and made_at < now() - interval '1 day');
grant delete on payment.gift_card_attempts to ${app_role};
