-- Addresses are plentiful (an IPv6 /64 alone holds 2^64): besides the exact client address, holds are counted per
-- network (an IPv4 /24, an IPv6 /56), under a larger limit, so one network cannot squat a tenant's seats by rotating
-- addresses.
alter table booking.hold_attempts add column network_key text;
create index hold_attempts_network_idx on booking.hold_attempts (tenant_id, network_key, made_at);

drop function booking.admit_hold(uuid, text, text, int, int, int);
-- Admits one hold, or answers which limit refuses it ('client', 'network' or 'email') and when the oldest counted
-- hold leaves the window. The per-key advisory locks make concurrent holds of one client count one after another.
create function booking.admit_hold(p_tenant uuid, p_client_key text, p_network_key text, p_email_key text, p_window_seconds int,
        p_max_per_client int, p_max_per_network int, p_max_per_email int, out refused_by text, out retry_after_seconds int)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_since timestamptz := now() - make_interval(secs => p_window_seconds);
        v_count int;
        v_oldest timestamptz;
    begin
        perform pg_advisory_xact_lock(hashtextextended('hold-client:' || p_tenant || ':' || p_client_key, 0));
        perform pg_advisory_xact_lock(hashtextextended('hold-network:' || p_tenant || ':' || p_network_key, 0));
        perform pg_advisory_xact_lock(hashtextextended('hold-email:' || p_tenant || ':' || p_email_key, 0));
        select count(*), min(made_at) into v_count, v_oldest from booking.hold_attempts
         where tenant_id = p_tenant and client_key = p_client_key and made_at > v_since;
        if v_count >= p_max_per_client then
            refused_by := 'client';
        else
            select count(*), min(made_at) into v_count, v_oldest from booking.hold_attempts
             where tenant_id = p_tenant and network_key = p_network_key and made_at > v_since;
            if v_count >= p_max_per_network then
                refused_by := 'network';
            else
                select count(*), min(made_at) into v_count, v_oldest from booking.hold_attempts
                 where tenant_id = p_tenant and email_key = p_email_key and made_at > v_since;
                if v_count >= p_max_per_email then
                    refused_by := 'email';
                end if;
            end if;
        end if;
        if refused_by is not null then
            retry_after_seconds := greatest(1, ceil(extract(epoch from v_oldest + make_interval(secs => p_window_seconds) - now())))::int;
            return;
        end if;
        insert into booking.hold_attempts (tenant_id, client_key, network_key, email_key)
        values (p_tenant, p_client_key, p_network_key, p_email_key);
    end
    $$;
revoke all on function booking.admit_hold(uuid, text, text, text, int, int, int, int) from public;
grant execute on function booking.admit_hold(uuid, text, text, text, int, int, int, int) to ${app_role};
