package io.palisade.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import io.palisade.devstack.stripe.StripeFake;

/**
 * The whole platform on one machine: PostgreSQL, Kafka, every service as its own process, demo data.
 * Run by {@code ./palisade-local}; Ctrl-C stops everything.
 */
public final class LocalPlatform {

    private final Path home;
    /** The project's root directory, where each service's build is. */
    private Path root;
    private final DevSettings settings;
    private final Map<String, String> extraConfig;
    /** How each serving instance's JVM uses its startup cache (the migration runs never record one). */
    private final ServiceProcess.StartupCache startupCache;
    private final List<ServiceProcess> services = new ArrayList<>();
    private final Map<String, List<ServiceProcess>> instances = new java.util.HashMap<>();
    private PostgresServer postgres;
    private KafkaBroker kafka;
    private StripeFake stripe;
    /** The local webhook endpoint's signing secret (dev only, like every local secret). */
    private static final String STRIPE_WEBHOOK_SECRET = "whsec_dev-only-local-endpoint";

    private LocalPlatform(Path home, DevSettings settings, Map<String, String> extraConfig, ServiceProcess.StartupCache startupCache) {
        this.home = home;
        this.settings = settings;
        this.extraConfig = Map.copyOf(extraConfig);
        this.startupCache = startupCache;
    }

    /**
     * The whole platform with demo data, for a test that needs all of it (several instances of each service, say):
     * data in {@code home}, ports and secrets from {@code settings}, {@code extraConfig} added to every service's.
     */
    public static LocalPlatform start(Path root, Path home, DevSettings settings, Map<String, String> extraConfig) throws Exception {
        return start(root, home, settings, extraConfig, ServiceProcess.StartupCache.USE);
    }

    /** The platform whose services record their startup caches, written when {@link #stop()} ends them. */
    static LocalPlatform startRecording(Path root, Path home, DevSettings settings) throws Exception {
        return start(root, home, settings, Map.of(), ServiceProcess.StartupCache.RECORD);
    }

    private static LocalPlatform start(Path root, Path home, DevSettings settings, Map<String, String> extraConfig,
            ServiceProcess.StartupCache startupCache) throws Exception {
        LocalPlatform platform = new LocalPlatform(home, settings, extraConfig, startupCache);
        try {
            platform.start(root);
        } catch (Exception | Error e) {
            platform.stop();
            throw e;
        }
        return platform;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("palisade.root", ".")).toAbsolutePath().normalize();
        Path home = root.resolve(".palisade");
        boolean train = false;
        for (String arg : args) {
            switch (arg) {
                case "--wipe" -> wipe(home);
                case "--train" -> train = true;
                case "--help", "-h" -> {
                    System.out.println("usage: ./palisade-local [--wipe] [--train]\n  --wipe   deletes all local data in " + home
                            + " first\n  --train  writes each service's startup cache first (JDK 25+, a few minutes; docs/performance.md)");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + arg + " (try --help)");
            }
        }
        // ./palisade-local points java.io.tmpdir into .palisade/, which --wipe has just removed.
        Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        if (train && !StartupTraining.writeCaches(root, home.resolve("training"))) {
            System.exit(1);
        }
        LocalPlatform platform = new LocalPlatform(home, new DevSettings(System.getenv()), Map.of(), ServiceProcess.StartupCache.USE);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            platform.stop();
            stopped.countDown();
        }, "palisade-stop"));
        long started = System.nanoTime();
        try {
            platform.start(root);
        } catch (Exception e) {
            System.err.println("Start failed: " + e.getMessage() + " (service logs: " + home.resolve("logs") + ")");
            System.exit(1);
        }
        platform.printWelcome(Duration.ofNanos(System.nanoTime() - started));
        stopped.await();
    }

    private void start(Path root) throws Exception {
        this.root = root;
        Files.createDirectories(home.resolve("logs"));
        step("PostgreSQL on 127.0.0.1:" + settings.postgresPort());
        postgres = PostgresServer.start(settings.postgresPort(), home.resolve("postgres"));
        PlatformDatabase.bootstrap(postgres, settings.rolePasswords());
        step("Kafka (KRaft) on 127.0.0.1:" + settings.kafkaPort());
        kafka = new KafkaBroker(home.resolve("kafka"), settings.kafkaPort(), settings.kafkaControllerPort(), settings.kafkaPasswords());
        kafka.start();
        step("Stripe fake on " + "http://127.0.0.1:" + settings.stripeFakePort() + " (API and signed webhooks)");
        stripe = StripeFake.start(settings.stripeFakePort());
        stripe.sendWebhooksTo(baseUrl(ServiceSpec.named("payment-service")) + "/stripe/webhooks", STRIPE_WEBHOOK_SECRET);
        // Migrations run one after the other, in the order of ServiceSpec.ALL (each schema's may use the ones before
        // it, and concurrent DDL on one object fails), without services competing for the CPUs; then every instance
        // starts at once and they are awaited together: the platform is up in the time its CPUs need, not in the sum
        // of its starts.
        for (ServiceSpec service : ServiceSpec.ALL) {
            step(service.name() + "'s migrations (a one-shot run)");
            // As in production: the schema owner's password reaches only the one-shot migration run.
            ServiceProcess.migrate(root, service, DevSettings.migrationConfig(config(service, 0), service, settings.rolePasswords()),
                    home.resolve("logs").resolve(service.name() + "-migration.log"));
        }
        Map<ServiceProcess, String> starting = new LinkedHashMap<>();
        for (ServiceSpec service : ServiceSpec.ALL) {
            for (int instance = 0; instance < settings.instances(); instance++) {
                step(service.name() + (instance == 0 ? "" : ", instance " + (instance + 1) + ",") + " on " + baseUrl(service, instance));
                ServiceProcess process = ServiceProcess.start(root, service, config(service, instance),
                        home.resolve("logs").resolve(service.name() + (instance == 0 ? "" : "-" + (instance + 1)) + ".log"), startupCache);
                services.add(process);
                instances.computeIfAbsent(service.name(), name -> new ArrayList<>()).add(process);
                starting.put(process, managementUrl(service, instance));
            }
        }
        for (Map.Entry<ServiceProcess, String> process : starting.entrySet()) {
            process.getKey().awaitReady(process.getValue(), Duration.ofSeconds(180));
        }
        step("demo data");
        new DemoData(settings, baseUrl(ServiceSpec.named("tenant-service")), baseUrl(ServiceSpec.named("booking-service")),
                baseUrl(ServiceSpec.named("payment-service")), mailDirectory()).seed();
    }

    /** The configuration of one instance of a service (PALISADE_INSTANCES starts several, as the chart runs them). */
    private Map<String, String> config(ServiceSpec service, int instance) {
        Map<String, String> config = new java.util.HashMap<>(DevSettings.serviceConfig(service, settings.postgresPort(),
                kafka, settings.rolePasswords(), settings.keys()));
        config.put("quarkus.http.port", String.valueOf(settings.servicePort(service, instance)));
        config.put("quarkus.management.port", String.valueOf(settings.managementPort(service, instance)));
        // One archiver writes the audit archive and signs checkpoints; further audit-service instances serve and consume.
        config.put("palisade.audit.archive.enabled", String.valueOf(instance == 0));
        config.put("quarkus.profile", "dev-stack");
        config.put("palisade.public-url." + service.envPrefix().toLowerCase(java.util.Locale.ROOT), baseUrl(service));
        config.put("palisade.issuer", baseUrl(ServiceSpec.named("tenant-service")));
        // Mail (guest sign-in links, notifications) is dropped here as JSON files instead of being sent.
        config.put("palisade.mail.directory", home.resolve("mail").toString());
        // audit-service's write-once archive of the ledger (check it with ArchiveVerifier, docs/audit.md).
        config.put("palisade.audit.archive.directory", home.resolve("audit-archive").toString());
        config.put("palisade.platform-admin.email", settings.platformAdminEmail());
        config.put("palisade.platform-admin.password", settings.platformAdminPassword());
        // payment-service talks to the Stripe fake, which signs its webhooks with this endpoint secret.
        config.put("palisade.stripe.api-base", stripe.apiBase());
        config.put("palisade.stripe.connect-base", stripe.apiBase());
        config.put("palisade.stripe.secret-key", "sk_test_palisade_local");
        config.put("palisade.stripe.publishable-key", "pk_test_palisade_local");
        config.put("palisade.stripe.webhook-secrets", STRIPE_WEBHOOK_SECRET);
        config.putAll(extraConfig);
        return config;
    }

    /**
     * One more instance of a service beside the running ones, on the given ports, configured as instance 2 would be
     * (no archiver): for measuring a service started by itself, with or without its startup cache. The caller stops it.
     */
    public ServiceProcess startInstance(ServiceSpec service, int port, int managementPort, Path log, ServiceProcess.StartupCache cache)
            throws IOException {
        Map<String, String> config = config(service, 1);
        config.put("quarkus.http.port", String.valueOf(port));
        config.put("quarkus.management.port", String.valueOf(managementPort));
        return ServiceProcess.start(root, service, config, log, cache);
    }

    /** Instance n (from 0) of a service. */
    public ServiceProcess process(String service, int instance) {
        return instances.get(service).get(instance);
    }

    public String baseUrl(String service, int instance) {
        return baseUrl(ServiceSpec.named(service), instance);
    }

    public StripeFake stripe() {
        return stripe;
    }

    /** Where the services drop the mail they send (JSON files). */
    public Path mailDirectory() {
        return home.resolve("mail");
    }

    public void stop() {
        if (startupCache == ServiceProcess.StartupCache.RECORD) {
            // Each JVM writes its cache as it exits (tens of seconds): all are asked at once, then awaited together.
            services.forEach(ServiceProcess::askToStop);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            for (ServiceProcess service : services) {
                try {
                    service.terminate(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                } catch (IllegalStateException stuck) {
                    System.err.println(stuck.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).close();
        }
        if (kafka != null) {
            kafka.stop();
        }
        if (stripe != null) {
            stripe.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        if (startupCache != ServiceProcess.StartupCache.RECORD) {
            System.out.println("Palisade stopped. Data kept in " + home + " (./palisade-local --wipe starts afresh).");
        }
    }

    private void printWelcome(Duration startup) {
        String tenantService = baseUrl(ServiceSpec.named("tenant-service"));
        String bookingService = baseUrl(ServiceSpec.named("booking-service"));
        String paymentService = baseUrl(ServiceSpec.named("payment-service"));
        System.out.printf("""

                Palisade is running (started in %.1f s).

                  tenant-service   %s        OpenAPI: %s/q/openapi   Swagger UI: %s/q/swagger-ui
                  booking-service  %s        widget: %s/public/acme/availability
                  payment-service  %s        guest checkout: POST %s/guest/payment (X-Guest-Token: the hold's paymentToken)
                  Stripe (fake)    %s   complete a payment: POST /v1/payment_intents/<pi>/confirm (docs/payments.md)
                  OIDC discovery   %s/.well-known/openid-configuration
                  PostgreSQL       127.0.0.1:%d  database %s
                  Kafka            %s  SASL_PLAINTEXT, SCRAM-SHA-512: one user per service (k8s/palisade-platform/files/kafka-acls.yaml);
                                   admin %s / %s
                  Metrics          each service's management port (its API port + 100): /q/metrics (Prometheus), e.g. %s/q/metrics;
                                   health: /q/health/ready, /q/health/live on the same port

                Demo logins (POST %s/auth/login with {"email":..., "password":...}):
                  platform admin   %s / %s (enrols an authenticator app at the first sign-in, tenant "platform")
                  tenant Acme Tours      (slug acme)     owner@acme.example / staff@acme.example
                  tenant Bluewater Dives (slug bluewater) owner@bluewater.example / staff@bluewater.example
                  password of every demo tenant user: %s

                Data and logs: %s   Stop: Ctrl-C.   Start afresh: ./palisade-local --wipe
                """,
                startup.toMillis() / 1000.0, tenantService, tenantService, tenantService, bookingService, bookingService, paymentService,
                paymentService, stripe.apiBase(), tenantService,
                settings.postgresPort(), PlatformDatabase.DATABASE, kafka.bootstrapServers(), KafkaBroker.ADMIN_USER,
                settings.kafkaPasswords().get(KafkaBroker.ADMIN_USER), managementUrl(ServiceSpec.named("booking-service"), 0), tenantService,
                settings.platformAdminEmail(), settings.platformAdminPassword(), settings.demoPassword(), home);
    }

    private String baseUrl(ServiceSpec service) {
        return baseUrl(service, 0);
    }

    private String baseUrl(ServiceSpec service, int instance) {
        return "http://127.0.0.1:" + settings.servicePort(service, instance);
    }

    private String managementUrl(ServiceSpec service, int instance) {
        return "http://127.0.0.1:" + settings.managementPort(service, instance);
    }

    private static void step(String what) {
        System.out.println("==> " + what);
    }

    static void wipe(Path home) throws IOException {
        if (!Files.exists(home)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(home)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        step("wiped " + home);
    }
}
