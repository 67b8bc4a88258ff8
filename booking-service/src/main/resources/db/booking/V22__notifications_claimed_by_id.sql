-- The notification claim returns what it leased, (message, tenant), and nothing of the message: the guest, the
-- booking and its slot are read under the worker scope of that tenant (NotificationRepository.claimed). A new return
-- type needs the function made anew; its body is kept in R__booking_functions.sql.
drop function booking.claim_notifications(int, int, int);
create function booking.claim_notifications(p_limit int, p_lease_seconds int, p_max_attempts int)
    returns table (id uuid, tenant_id uuid)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    #variable_conflict use_column
    begin
        return query
            with due as (
                select n.id from booking.notifications n
                 where (n.status = 'pending' or (n.status = 'sending' and n.lease_until < now())) and n.due_at <= now()
                   and n.attempts < p_max_attempts
                 order by n.due_at limit p_limit for update skip locked),
            claimed as (
                update booking.notifications n set status = 'sending', attempts = n.attempts + 1,
                       lease_until = now() + make_interval(secs => p_lease_seconds)
                  from due where n.id = due.id returning n.id, n.tenant_id)
            select c.id, c.tenant_id from claimed c;
    end
    $$;
revoke all on function booking.claim_notifications(int, int, int) from public;
grant execute on function booking.claim_notifications(int, int, int) to ${app_role};
