-- A trigger function is never called directly, yet PUBLIC kept the default EXECUTE on it: the definer allow-list
-- (common's db/security-definers.txt) admits no definer that PUBLIC may execute.
revoke all on function payment.gift_card_ledger_never_negative() from public;
