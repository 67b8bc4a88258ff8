-- booking schema: offerings, slots and bookings. Runs as ${owner_role}; the service connects as ${app_role}.
-- Row-level security as in every schema (docs/database.md): tenant match and active membership, through
-- tenancy's helpers. The public booking widget works only through the definer helpers at the end.

create table booking.offerings (
    id               uuid primary key,
    tenant_id        uuid not null,
    name             text not null check (length(name) between 1 and 200),
    description      text check (length(description) <= 4000),
    price_minor      bigint not null check (price_minor >= 0),
    currency         text not null check (currency ~ '^[A-Z]{3}$'),
    duration_minutes int not null check (duration_minutes between 1 and 10080),
    published        boolean not null default false,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    unique (tenant_id, id)
);

-- seats_taken counts the seats of held, pending and confirmed bookings (kept by the trigger below); the CHECK
-- makes overselling impossible whatever the application does.
create table booking.slots (
    id          uuid primary key,
    tenant_id   uuid not null,
    offering_id uuid not null,
    starts_at   timestamptz not null,
    ends_at     timestamptz not null,
    capacity    int not null check (capacity between 1 and 10000),
    seats_taken int not null default 0,
    created_at  timestamptz not null default now(),
    check (ends_at > starts_at),
    constraint slots_never_oversold check (seats_taken >= 0 and seats_taken <= capacity),
    unique (tenant_id, id),
    foreign key (tenant_id, offering_id) references booking.offerings (tenant_id, id)
);
create index slots_offering_idx on booking.slots (tenant_id, offering_id, starts_at);

create table booking.bookings (
    id              uuid primary key,
    tenant_id       uuid not null,
    slot_id         uuid not null,
    seats           int not null check (seats between 1 and 50),
    status          text not null check (status in ('held', 'pending_payment', 'confirmed', 'cancelled', 'refunded', 'expired')),
    amount_minor    bigint not null check (amount_minor >= 0),
    currency        text not null check (currency ~ '^[A-Z]{3}$'),
    hold_expires_at timestamptz,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    foreign key (tenant_id, slot_id) references booking.slots (tenant_id, id)
);
create index bookings_slot_idx on booking.bookings (tenant_id, slot_id, status);
create index bookings_hold_expiry_idx on booking.bookings (hold_expires_at) where status in ('held', 'pending_payment');

-- Seats follow the bookings: taking, releasing and moving seats is the database's job, in the same statement.
create function booking.track_seats() returns trigger
    language plpgsql set search_path = pg_catalog, pg_temp
    as $$
    declare
        was_active boolean := tg_op <> 'INSERT' and old.status in ('held', 'pending_payment', 'confirmed');
        is_active boolean := tg_op <> 'DELETE' and new.status in ('held', 'pending_payment', 'confirmed');
    begin
        if was_active and (not is_active or new.slot_id <> old.slot_id or new.seats <> old.seats) then
            update booking.slots set seats_taken = seats_taken - old.seats where id = old.slot_id;
        end if;
        if is_active and (not was_active or new.slot_id <> old.slot_id or new.seats <> old.seats) then
            update booking.slots set seats_taken = seats_taken + new.seats where id = new.slot_id;
        end if;
        return null;
    end
    $$;
create trigger bookings_track_seats after insert or update or delete on booking.bookings
    for each row execute function booking.track_seats();

-- Row-level security.
alter table booking.offerings enable row level security;
alter table booking.offerings force row level security;
create policy offerings_owner_helpers on booking.offerings for all to ${owner_role} using (true) with check (true);
create policy offerings_select on booking.offerings for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy offerings_insert on booking.offerings for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy offerings_update on booking.offerings for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));

alter table booking.slots enable row level security;
alter table booking.slots force row level security;
create policy slots_owner_helpers on booking.slots for all to ${owner_role} using (true) with check (true);
create policy slots_select on booking.slots for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy slots_insert on booking.slots for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy slots_update on booking.slots for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));

alter table booking.bookings enable row level security;
alter table booking.bookings force row level security;
create policy bookings_owner_helpers on booking.bookings for all to ${owner_role} using (true) with check (true);
create policy bookings_select on booking.bookings for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy bookings_insert on booking.bookings for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy bookings_update on booking.bookings for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));

grant select, insert, update on booking.offerings, booking.bookings to ${app_role};
grant select, insert on booking.slots to ${app_role};
-- The seat counter is the trigger's (it runs as the caller): the app may change it, never by itself.
grant update (seats_taken) on booking.slots to ${app_role};

-- ---------------------------------------------------------------------------------------------------------
-- The public booking widget: no one is signed in, the tenant is known by its slug. Narrow definer helpers.

-- Published offerings and their future slots with free seats: nothing else of the tenant.
create function booking.availability(p_tenant uuid, p_from timestamptz, p_until timestamptz)
    returns table (offering_id uuid, name text, description text, price_minor bigint, currency text, duration_minutes int,
                   slot_id uuid, starts_at timestamptz, ends_at timestamptz, free_seats int)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select o.id, o.name, o.description, o.price_minor, o.currency, o.duration_minutes,
               s.id, s.starts_at, s.ends_at, s.capacity - s.seats_taken
          from booking.offerings o join booking.slots s on s.tenant_id = o.tenant_id and s.offering_id = o.id
         where o.tenant_id = p_tenant and o.published and s.starts_at >= greatest(p_from, now()) and s.starts_at < p_until
           and s.capacity > s.seats_taken
         order by s.starts_at, s.id
         limit 500
    $$;

-- A hold: takes the seats at once (the trigger; the CHECK refuses an oversell with 23514), priced from the
-- offering on the server. Free offerings confirm at once. No row for an unknown or unpublished slot.
create function booking.hold_seats(p_tenant uuid, p_slot uuid, p_seats int, p_hold_seconds int)
    returns table (booking_id uuid, status text, amount_minor bigint, currency text, hold_expires_at timestamptz)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_price bigint;
        v_currency text;
        v_booking uuid := gen_random_uuid();
        v_status text;
        v_expires timestamptz;
    begin
        select o.price_minor, o.currency into v_price, v_currency
          from booking.slots s join booking.offerings o on o.tenant_id = s.tenant_id and o.id = s.offering_id
         where s.tenant_id = p_tenant and s.id = p_slot and o.published and s.starts_at > now();
        if not found then
            return;
        end if;
        v_status := case when v_price = 0 then 'confirmed' else 'held' end;
        v_expires := case when v_price = 0 then null else now() + make_interval(secs => p_hold_seconds) end;
        insert into booking.bookings (id, tenant_id, slot_id, seats, status, amount_minor, currency, hold_expires_at)
        values (v_booking, p_tenant, p_slot, p_seats, v_status, v_price * p_seats, v_currency, v_expires);
        return query select v_booking, v_status, v_price * p_seats, v_currency, v_expires;
    end
    $$;

-- Holds that ran out free their seats (the worker calls this; every tenant at once), each announced as
-- booking.expired (payment-service cancels the hold's PaymentIntent).
create function booking.expire_holds() returns int
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
        with expired as (
            update booking.bookings set status = 'expired', updated_at = now()
             where status in ('held', 'pending_payment') and hold_expires_at <= now()
            returning id, tenant_id, amount_minor, currency),
        announced as (
            insert into booking.outbox (id, tenant_id, type, subject, data)
            select gen_random_uuid(), e.tenant_id, 'booking.expired', e.id::text,
                   jsonb_build_object('bookingId', e.id, 'amountMinor', e.amount_minor, 'currency', e.currency)
              from expired e
            returning 1)
        select count(*)::int from announced
    $$;

revoke all on function booking.availability(uuid, timestamptz, timestamptz), booking.hold_seats(uuid, uuid, int, int),
    booking.expire_holds() from public;
grant execute on function booking.availability(uuid, timestamptz, timestamptz), booking.hold_seats(uuid, uuid, int, int),
    booking.expire_holds() to ${app_role};

