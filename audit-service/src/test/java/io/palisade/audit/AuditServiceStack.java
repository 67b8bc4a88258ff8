package io.palisade.audit;

import java.util.HashMap;
import java.util.Map;

import io.palisade.devstack.testing.PalisadeStackResource;
import io.palisade.devstack.testing.TestDirectories;
import io.palisade.devstack.testing.TestIssuer;
import io.palisade.devstack.testing.TestTenancy;

/** The real PostgreSQL and Kafka for audit-service's tests, the tenancy schema and a test issuer. */
public class AuditServiceStack extends PalisadeStackResource {

    /** Where the service's mail (alerts) lands in tests. */
    public static final java.nio.file.Path MAIL = mailDirectory("audit");

    /** The service's write-once archive in tests. */
    public static final java.nio.file.Path ARCHIVE = TestDirectories.create("audit-archive");

    public AuditServiceStack() {
        super("audit-service");
    }


    @Override
    public Map<String, String> start() {
        TestTenancy.ensureSchema();
        Map<String, String> config = new HashMap<>(super.start());
        config.put("palisade.issuer", TestIssuer.get().issuer());
        config.put("palisade.mail.directory", MAIL.toString());
        config.put("palisade.audit.archive.directory", ARCHIVE.toString());
        return config;
    }
}
