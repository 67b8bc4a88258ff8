package io.palisade.devstack.testing;

import java.util.Map;

import io.palisade.devstack.ServiceSpec;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points a service under test at the shared real PostgreSQL and Kafka. Each service's tests use a one-line
 * subclass naming the service, with {@code restrictToAnnotatedClass = true}.
 */
public abstract class PalisadeStackResource implements QuarkusTestResourceLifecycleManager {

    private final ServiceSpec service;

    protected PalisadeStackResource(String serviceName) {
        this.service = ServiceSpec.named(serviceName);
    }

    /** The serving configuration plus the owner's password: a service under test migrates its schema as it starts. */
    @Override
    public Map<String, String> start() {
        return PalisadeTestStack.get().migratingServiceConfig(service);
    }

    /** A fresh directory for a service's mail in tests (palisade.mail.directory): one JSON file per message. */
    protected static java.nio.file.Path mailDirectory(String service) {
        return TestDirectories.create(service + "-mail");
    }

    @Override
    public void stop() {
        // The servers are shared by every test class of the JVM and stop with it.
    }
}
