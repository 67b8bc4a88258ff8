-- Every service's public endpoints (the booking widget) address a tenant by its slug.
grant execute on function tenancy.active_tenant_id(text) to palisade_services;
