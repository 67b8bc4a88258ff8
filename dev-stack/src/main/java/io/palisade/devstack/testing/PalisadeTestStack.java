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
import java.util.List;
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

    /** Where freePort looks: below the ephemeral range, with room for the local platform's derived ports. */
    private static final int FIRST_TEST_PORT = 20000;
    private static final int TEST_PORTS = 11000;
    private static final java.util.Random PORTS = new java.util.Random();
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * The running stack, as a JSON system property, and its broker's start and stop as platform MBeans: Quarkus loads
     * this class once per test profile in a class loader of its own, and every copy must use the one stack of the JVM
     * (a second broker in the same JVM would also meet the first one's SASL providers, which the JDK registers globally).
     */
    private static final String SHARED = "palisade.test-stack";
    private static final String KAFKA_CONTROL = "io.palisade.test:type=KafkaBroker,action=";
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static PalisadeTestStack instance;

    private final int postgresPort;
    private final KafkaBroker kafka;
    private final Map<String, String> rolePasswords;
    private final io.palisade.devstack.DevSettings.PlatformKeys keys;
    private final java.util.Set<String> migrated = new java.util.HashSet<>();

    private PalisadeTestStack(int postgresPort, KafkaBroker kafka, Map<String, String> rolePasswords,
            io.palisade.devstack.DevSettings.PlatformKeys keys) {
        this.postgresPort = postgresPort;
        this.kafka = kafka;
        this.rolePasswords = rolePasswords;
        this.keys = keys;
    }

    private static PalisadeTestStack startNew() throws IOException {
        SecureRandom random = new SecureRandom();
        Map<String, String> rolePasswords = new HashMap<>();
        for (ServiceSpec service : ServiceSpec.ALL) {
            rolePasswords.put(service.ownerRole(), randomSecret(random));
            rolePasswords.put(service.appRole(), randomSecret(random));
        }
        var keys = new io.palisade.devstack.DevSettings.PlatformKeys(randomKey(random), randomKey(random), randomKey(random), randomKey(random),
                randomKey(random));
        PostgresServer postgres = PostgresServer.start(0, null);
        PlatformDatabase.bootstrap(postgres, rolePasswords);
        Map<String, String> kafkaPasswords = new HashMap<>();
        for (String user : KafkaBroker.users()) {
            kafkaPasswords.put(user, randomSecret(random));
        }
        KafkaBroker kafka = new KafkaBroker(TestDirectories.create("palisade-kafka"), freePort(), freePort(), kafkaPasswords);
        kafka.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.stop();
            postgres.close();
        }));
        try {
            var mbeans = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            mbeans.registerMBean(new javax.management.StandardMBean(kafka::start, Runnable.class), new javax.management.ObjectName(KAFKA_CONTROL + "start"));
            mbeans.registerMBean(new javax.management.StandardMBean(kafka::stop, Runnable.class), new javax.management.ObjectName(KAFKA_CONTROL + "stop"));
            System.setProperty(SHARED, JSON.writeValueAsString(Map.of("postgresPort", postgres.port(), "kafkaPort", kafka.port(),
                    "kafkaPasswords", kafkaPasswords, "rolePasswords", rolePasswords, "keys", List.of(keys.masterKey(), keys.lookupKey(),
                            keys.paymentTokenKey(), keys.bookingTokenKey(), keys.auditCheckpointKey()))));
        } catch (javax.management.JMException e) {
            throw new IllegalStateException("the test broker's controls could not be registered", e);
        }
        return new PalisadeTestStack(postgres.port(), kafka, rolePasswords, keys);
    }

    @SuppressWarnings("unchecked")
    private static PalisadeTestStack attach(String shared) throws IOException {
        Map<String, Object> stack = JSON.readValue(shared, Map.class);
        List<String> keys = (List<String>) stack.get("keys");
        KafkaBroker kafka = KafkaBroker.runningElsewhere((Integer) stack.get("kafkaPort"), (Map<String, String>) stack.get("kafkaPasswords"),
                () -> invoke(KAFKA_CONTROL + "start"), () -> invoke(KAFKA_CONTROL + "stop"));
        return new PalisadeTestStack((Integer) stack.get("postgresPort"), kafka, (Map<String, String>) stack.get("rolePasswords"),
                new io.palisade.devstack.DevSettings.PlatformKeys(keys.get(0), keys.get(1), keys.get(2), keys.get(3), keys.get(4)));
    }

    private static void invoke(String control) {
        try {
            java.lang.management.ManagementFactory.getPlatformMBeanServer().invoke(new javax.management.ObjectName(control), "run", null, null);
        } catch (javax.management.JMException e) {
            throw new IllegalStateException(control + " failed", e);
        }
    }

    public static synchronized PalisadeTestStack get() {
        if (instance == null) {
            // System properties are one object per JVM: the lock every class loader's copy shares.
            synchronized (System.getProperties()) {
                String shared = System.getProperty(SHARED);
                try {
                    instance = shared == null ? startNew() : attach(shared);
                } catch (IOException e) {
                    throw new IllegalStateException("test stack did not start", e);
                }
            }
        }
        return instance;
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    public int postgresPort() {
        return postgresPort;
    }

    /** The login roles' passwords (random per run). */
    public Map<String, String> rolePasswords() {
        return Map.copyOf(rolePasswords);
    }

    /** The platform's keys (random per run). */
    public io.palisade.devstack.DevSettings.PlatformKeys keys() {
        return keys;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgresPort + "/" + PlatformDatabase.DATABASE;
    }

    /** A JDBC connection as the given role (a service's app role, its owner role), for direct SQL tests. */
    public Connection connectAs(String role) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), role, rolePasswords.get(role));
    }

    /** The single number a query answers, as the superuser (counting rows a test expects). */
    public long count(String sql, Object... parameters) {
        try (Connection c = connectAsSuperuser(); java.sql.PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                st.setObject(i + 1, parameters[i]);
            }
            try (java.sql.ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** A superuser connection, for what only tests may do (checking the catalog, seeding across tenants). */
    public Connection connectAsSuperuser() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), PostgresServer.SUPERUSER, null);
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

    /** A serving service's configuration that also migrates at start (a @QuarkusTest's single process). */
    public Map<String, String> migratingServiceConfig(ServiceSpec service) {
        Map<String, String> config = new HashMap<>(serviceConfig(service));
        config.put("palisade.db.owner-password", rolePasswords.get(service.ownerRole()));
        return config;
    }

    public Map<String, String> serviceConfig(ServiceSpec service) {
        return io.palisade.devstack.DevSettings.serviceConfig(service, postgresPort, kafka, rolePasswords, keys);
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

    /** A built service started as its own process against this stack (a test's second service): its API and management URLs. */
    public record RunningService(String baseUrl, String managementUrl, ServiceProcess process) implements AutoCloseable {
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
        int managementPort = freePort();
        config.put("quarkus.http.port", String.valueOf(port));
        config.put("quarkus.management.port", String.valueOf(managementPort));
        config.put("quarkus.profile", "dev-stack");
        config.put("palisade.issuer", TestIssuer.get().issuer());
        if (service.name().equals("audit-service")) {
            config.put("palisade.audit.archive.directory", TestDirectories.create("audit-archive").toString());
        }
        config.putAll(extra);
        Path logs = TestDirectories.create("palisade-" + service.name());
        // As in production: the schema is migrated by a one-shot run; the serving process has no owner password.
        ServiceProcess.migrate(Path.of(".."), service, io.palisade.devstack.DevSettings.migrationConfig(config, service, rolePasswords),
                logs.resolve(service.name() + "-migration.log"));
        Path log = logs.resolve(service.name() + ".log");
        ServiceProcess process = ServiceProcess.start(Path.of(".."), service, config, log);
        RunningService running = new RunningService("http://127.0.0.1:" + port, "http://127.0.0.1:" + managementPort, process);
        Runtime.getRuntime().addShutdownHook(new Thread(running::close));
        try {
            process.awaitReady(running.managementUrl(), java.time.Duration.ofSeconds(120));
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + " (log: " + log + ")", e);
        }
        return running;
    }

    /** A port free on this machine now (for a test's own servers). */
    /**
     * A port nothing listens on, for a test's server to bind a moment later: chosen below the kernel's range of
     * ephemeral ports (32768 and up on Linux), so no outgoing connection takes it meanwhile, and never handed out
     * twice in this JVM, so two servers of one test never get the same. Leaves room above it for the local platform's
     * derived ports (+100, +1000, +1100).
     */
    public static int freePort() throws IOException {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = FIRST_TEST_PORT + PORTS.nextInt(TEST_PORTS);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(port)) {
                return port;
            } catch (IOException taken) {
                // someone else's: try another
            }
        }
        throw new IOException("no free port between " + FIRST_TEST_PORT + " and " + (FIRST_TEST_PORT + TEST_PORTS));
    }

    /**
     * The environment of a local platform of its own (LocalPlatform, DevSettings) on free ports: its database, broker,
     * Stripe fake, and each service's port with those the platform derives from it (the second instance's, 1000
     * above, and each instance's management port, 100 above).
     */
    public static Map<String, String> localPlatformPorts(int instances) throws IOException {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("PALISADE_PG_PORT", String.valueOf(freePort()));
        env.put("PALISADE_KAFKA_PORT", String.valueOf(freePort()));
        env.put("PALISADE_KAFKA_CONTROLLER_PORT", String.valueOf(freePort()));
        env.put("PALISADE_STRIPE_FAKE_PORT", String.valueOf(freePort()));
        env.put("PALISADE_INSTANCES", String.valueOf(instances));
        for (io.palisade.devstack.ServiceSpec service : io.palisade.devstack.ServiceSpec.ALL) {
            env.put(service.envPrefix() + "_PORT", String.valueOf(freeServicePort()));
        }
        return env;
    }

    private static int freeServicePort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = freePort();
            if (port + 1100 < 65536 && reserve(port + 100) && reserve(port + 1000) && reserve(port + 1100)) {
                return port;
            }
        }
        throw new IOException("no free service port with its derived ports");
    }

    private static boolean reserve(int port) {
        if (!HANDED_OUT.add(port)) {
            return false;
        }
        try (ServerSocket socket = new ServerSocket(port)) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }
}
