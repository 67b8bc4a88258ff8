-- The checkpoint signer reads each chain's last signed position from audit.archive_heads, as the archive writer does;
-- a second definer for the same question is gone.
drop function audit.last_checkpoints();
