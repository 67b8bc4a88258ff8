package io.palisade.booking;

import java.util.HashMap;
import java.util.Map;

import io.palisade.devstack.testing.PalisadeStackResource;
import io.palisade.devstack.testing.TestIssuer;
import io.palisade.devstack.testing.TestTenancy;

/**
 * The real PostgreSQL and Kafka for booking-service's tests, with the tenancy schema migrated from
 * tenant-service's sources (this schema's policies call its helpers) and a test issuer in tenant-service's place.
 */
public class BookingServiceStack extends PalisadeStackResource {

    /** Where the service's mail lands in tests. */
    public static final java.nio.file.Path MAIL = mailDirectory("booking");

    public BookingServiceStack() {
        super("booking-service");
    }

    @Override
    public Map<String, String> start() {
        TestTenancy.ensureSchema();
        Map<String, String> config = new HashMap<>(super.start());
        config.put("palisade.issuer", TestIssuer.get().issuer());
        config.put("palisade.holds.expiry-check", "1s");
        config.put("palisade.privacy.erasure-check", "1s");
        config.put("palisade.notifications.interval", "1s");
        config.put("palisade.mail.directory", MAIL.toString());
        return config;
    }
}
