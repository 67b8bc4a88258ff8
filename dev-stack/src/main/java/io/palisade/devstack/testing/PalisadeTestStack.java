package io.palisade.devstack.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import io.palisade.devstack.KafkaBroker;
import io.palisade.devstack.PlatformDatabase;
import io.palisade.devstack.PostgresServer;
import io.palisade.devstack.ServiceProcess;
import io.palisade.devstack.ServiceSpec;

/**
 * One real PostgreSQL and one real Kafka broker per test JVM, started on first use and shared by every test
 * class (Quarkus may restart the application between classes; the servers stay). Role passwords and the
 * master and lookup keys are random per run.
 */
public final class PalisadeTestStack {

    private static PalisadeTestStack instance;

    private final PostgresServer postgres;
    private final KafkaBroker kafka;
    private final Map<String, String> rolePasswords = new HashMap<>();
    private final io.palisade.devstack.DevSettings.PlatformKeys keys;
    private final java.util.Set<String> migrated = new java.util.HashSet<>();

    private PalisadeTestStack() throws IOException {
        SecureRandom random = new SecureRandom();
        for (ServiceSpec service : ServiceSpec.ALL) {
            rolePasswords.put(service.ownerRole(), randomSecret(random));
            rolePasswords.put(service.appRole(), randomSecret(random));
        }
        keys = new io.palisade.devstack.DevSettings.PlatformKeys(randomKey(random), randomKey(random), randomKey(random), randomKey(random),
                randomKey(random));
        postgres = PostgresServer.start(0, null);
        PlatformDatabase.bootstrap(postgres, rolePasswords);
        Map<String, String> kafkaPasswords = new HashMap<>();
        for (String user : KafkaBroker.users()) {
            kafkaPasswords.put(user, randomSecret(random));
        }
        kafka = new KafkaBroker(Files.createTempDirectory("palisade-kafka"), freePort(), freePort(), kafkaPasswords);
        kafka.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.stop();
            postgres.close();
        }));
    }

    public static synchronized PalisadeTestStack get() {
        if (instance == null) {
            try {
                instance = new PalisadeTestStack();
            } catch (IOException e) {
                throw new IllegalStateException("test stack did not start", e);
            }
        }
        return instance;
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/" + PlatformDatabase.DATABASE;
    }

    /** A JDBC connection as the given role (a service's app role, its owner role), for direct SQL tests. */
    public Connection connectAs(String role) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), role, rolePasswords.get(role));
    }

    /** A superuser connection, for what only tests may do (checking the catalog, seeding across tenants). */
    public Connection connectAsSuperuser() throws SQLException {
        return postgres.superuserDataSource(PlatformDatabase.DATABASE).getConnection();
    }

    /**
     * Runs another service's migrations from its sources (as its schema owner, as that service would at start),
     * for tests of a service whose policies call it: every service's policies use tenancy's helpers. Once per JVM
     * and service.
     */
    public synchronized void migrate(ServiceSpec service, Path migrations) {
        if (!migrated.add(service.name())) {
            return;
        }
        if (!Files.isDirectory(migrations)) {
            throw new IllegalStateException("no migrations at " + migrations.toAbsolutePath());
        }
        org.flywaydb.core.Flyway.configure()
                .dataSource(jdbcUrl(), service.ownerRole(), rolePasswords.get(service.ownerRole()))
                .schemas(service.schema()).createSchemas(false)
                .locations("filesystem:" + migrations.toAbsolutePath())
                .placeholders(Map.of("app_role", service.appRole(), "owner_role", service.ownerRole()))
                .load().migrate();
    }

    public Map<String, String> serviceConfig(ServiceSpec service) {
        return io.palisade.devstack.DevSettings.serviceConfig(service, postgres.port(), kafka, rolePasswords, keys);
    }

    private static String randomKey(SecureRandom random) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    private static String randomSecret(SecureRandom random) {
        byte[] bytes = new byte[18];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A built service started as its own process against this stack (a test's second service). */
    public record RunningService(String baseUrl, ServiceProcess process) implements AutoCloseable {
        @Override
        public void close() {
            process.close();
        }
    }

    /**
     * Starts a service from its build output (the reactor builds it before the module whose tests call this), on a
     * free port, with this stack's database, broker and keys and the test issuer; {@code extra} adds settings.
     */
    public RunningService startService(ServiceSpec service, Map<String, String> extra) throws IOException, InterruptedException {
        Map<String, String> config = new HashMap<>(serviceConfig(service));
        int port = freePort();
        config.put("quarkus.http.port", String.valueOf(port));
        config.put("quarkus.profile", "dev-stack");
        config.put("palisade.issuer", TestIssuer.get().issuer());
        if (service.name().equals("audit-service")) {
            config.put("palisade.audit.archive.directory", Files.createTempDirectory("audit-archive").toString());
        }
        config.putAll(extra);
        Path log = Files.createTempDirectory("palisade-" + service.name()).resolve(service.name() + ".log");
        ServiceProcess process = ServiceProcess.start(Path.of(".."), service, config, log);
        RunningService running = new RunningService("http://127.0.0.1:" + port, process);
        Runtime.getRuntime().addShutdownHook(new Thread(running::close));
        try {
            process.awaitReady(running.baseUrl(), java.time.Duration.ofSeconds(120));
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + " (log: " + log + ")", e);
        }
        return running;
    }

    /** A port free on this machine now (for a test's own servers). */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
