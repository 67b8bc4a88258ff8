-- Master-key rotation reads and writes every tenant's master-sealed values: it now runs as the schema owner, through
-- the migrations datasource of an operator's run (MasterKeyRotation), and the serving role loses the two definers
-- that let it do the same.
drop function tenancy.master_sealed_values();
drop function tenancy.reseal_master_sealed_value(text, text, text, text);
