package io.palisade.tenant;

import java.util.HashMap;
import java.util.Map;

import io.palisade.devstack.testing.PalisadeStackResource;
import io.palisade.tenant.passwords.PwnedPasswordsFake;

/**
 * The real PostgreSQL and Kafka for tenant-service's tests, the fake of Have I Been Pwned's range API, and the
 * directory where sent mail lands.
 */
public class TenantServiceStack extends PalisadeStackResource {
    public TenantServiceStack() {
        super("tenant-service");
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        config.put("palisade.passwords.pwned-api", PwnedPasswordsFake.get().baseUrl());
        config.put("palisade.mail.directory", MailDrop.DIRECTORY.toString());
        return config;
    }
}
