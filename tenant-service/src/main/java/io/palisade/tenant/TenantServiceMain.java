package io.palisade.tenant;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.palisade.tenant.secrets.MasterKeyRotation;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The service, or one of its operator commands:
 * {@code java -jar quarkus-run.jar rotate-master-key} seals every master-key-sealed value under the current key
 * version, as the schema owner (docs/integration-secrets.md), and exits. With {@code palisade.migrate=true} it exits once started, the
 * migrations applied: Quarkus' init-and-exit, which the other services use, does not work with a main class.
 */
@QuarkusMain
public class TenantServiceMain implements QuarkusApplication {

    private final MasterKeyRotation rotation;

    @ConfigProperty(name = "palisade.migrate")
    boolean migrate;

    /** Whether this run holds the schema owner's datasource (the migrations datasource), which the rotation needs. */
    @ConfigProperty(name = "quarkus.datasource.migrations.active")
    boolean asSchemaOwner;

    TenantServiceMain(MasterKeyRotation rotation) {
        this.rotation = rotation;
    }

    @Override
    public int run(String... args) throws Exception {
        if (migrate) {
            System.out.println("migrations applied");
            return 0;
        }
        if (args.length == 1 && "rotate-master-key".equals(args[0])) {
            if (!asSchemaOwner) {
                System.err.println("rotate-master-key runs as the schema owner: set QUARKUS_DATASOURCE_MIGRATIONS_ACTIVE=true and"
                        + " PALISADE_DB_OWNER_PASSWORD (docs/integration-secrets.md)");
                return 2;
            }
            MasterKeyRotation.Result result = rotation.run();
            System.out.printf("master key rotation done: %d values sealed again, %d were already current%n", result.resealed(),
                    result.current());
            return 0;
        }
        if (args.length > 0) {
            System.err.println("usage: java -jar quarkus-run.jar [rotate-master-key]");
            return 2;
        }
        Quarkus.waitForExit();
        return 0;
    }
}
