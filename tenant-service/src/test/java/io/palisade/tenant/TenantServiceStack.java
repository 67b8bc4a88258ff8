package io.palisade.tenant;

import io.palisade.devstack.testing.PalisadeStackResource;

/** The real PostgreSQL and Kafka for tenant-service's tests. */
public class TenantServiceStack extends PalisadeStackResource {
    public TenantServiceStack() {
        super("tenant-service");
    }
}
