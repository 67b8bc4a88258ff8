-- Signing keys: the serving role may add a key and retire keys, never change a stored key. A row it adds without the
-- master key is never published nor used (SigningKeys checks every key unseals and matches); the master key rotation
-- reseals through its own definer function.
revoke update on tenancy.signing_keys from ${app_role};
grant update (retired_at) on tenancy.signing_keys to ${app_role};
