-- Signup continues by mail: the request is kept here until the link mailed to its email is opened, so that the
-- answer to a signup is the same whether or not the email has an account (docs/accounts.md). No tenant exists yet,
-- so like login_unlocks no row-level security; rows hold a password hash and names for at most the link's lifetime
-- (purged a day after).
create table tenancy.pending_signups (
    token_hash    text primary key,
    email         text not null,
    tenant_slug   text not null,
    tenant_name   text not null,
    display_name  text not null,
    password_hash text not null,
    history_hash  text not null,
    expires_at    timestamptz not null,
    used_at       timestamptz,
    created_at    timestamptz not null default now()
);
create index pending_signups_email_idx on tenancy.pending_signups (email, created_at);
grant select, insert, update, delete on tenancy.pending_signups to ${app_role};

-- Whether the account's holder proved its email: signup does by its link; an account an invitation created (its
-- inviter held the accept token) does by a link mailed to it, and until then joins no other tenant. Accounts that
-- exist already were made by the signup of the time or by invitation: kept as they are, treated as proven.
alter table tenancy.users add column email_proven_at timestamptz;
update tenancy.users set email_proven_at = created_at;
grant insert (email_proven_at), update (email_proven_at) on tenancy.users to ${app_role};

-- The links that prove an invitation-created account's email; spent under the account's own scope.
create table tenancy.account_email_proofs (
    token_hash text primary key,
    user_id    uuid not null references tenancy.users (id) on delete cascade,
    expires_at timestamptz not null,
    used_at    timestamptz,
    created_at timestamptz not null default now()
);
create index account_email_proofs_user_idx on tenancy.account_email_proofs (user_id, created_at);
grant select, insert, update, delete on tenancy.account_email_proofs to ${app_role};
