package io.palisade.tenant;

import java.util.HashMap;
import java.util.Map;

import io.palisade.devstack.testing.PalisadeStackResource;
import io.palisade.tenant.passwords.PwnedPasswordsFake;
import io.palisade.tenant.sso.FakeOidcProvider;

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
        // The tests' identity providers listen on loopback over http, on ports set aside here (FakeOidcProvider).
        config.put("palisade.sso.egress.allow-loopback", "true");
        config.put("palisade.sso.egress.http-allowed-hosts", "127.0.0.1,localhost");
        // One provider is named localhost, so that the sign-in's requests are pinned to the address its name resolves to.
        config.put("palisade.sso.egress.denied-hosts", "*.localhost,*.local,*.internal,*.home.arpa,metadata.google.internal");
        config.put("palisade.sso.egress.allowed-ports", FakeOidcProvider.ports());
        return config;
    }
}
