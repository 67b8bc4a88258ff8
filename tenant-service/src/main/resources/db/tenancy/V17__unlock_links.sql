-- An unlock link for a locked login identifier: whoever holds the mailbox may sign in past the identifier's lock,
-- never past the client address's. Keyed like the lockout (the identifier's keyed hash); no tenant data, so like
-- login_failures and login_locks no row-level security.
create table tenancy.login_unlocks (
    token_hash    text primary key,
    identifier    text not null,
    expires_at    timestamptz not null,
    attempts_left int not null check (attempts_left >= 0),
    used_at       timestamptz,
    created_at    timestamptz not null default now()
);
create index login_unlocks_identifier_idx on tenancy.login_unlocks (identifier, created_at);
grant select, insert, update, delete on tenancy.login_unlocks to ${app_role};

-- A second factor after a sign-in that proved the mailbox is checked past the identifier's lock too.
alter table tenancy.mfa_challenges add column identifier_proven boolean not null default false;
