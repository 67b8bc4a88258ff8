package io.palisade.devstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.palisade.devstack.stripe.StripeFake;

/**
 * The whole platform on one machine: PostgreSQL, Kafka, every service as its own process, demo data.
 * Run by {@code ./palisade-local}; Ctrl-C stops everything.
 */
public final class LocalPlatform {

    private final Path home;
    private final DevSettings settings;
    private final List<Process> services = new ArrayList<>();
    private PostgresServer postgres;
    private KafkaBroker kafka;
    private StripeFake stripe;
    /** The local webhook endpoint's signing secret (dev only, like every local secret). */
    private static final String STRIPE_WEBHOOK_SECRET = "whsec_dev-only-local-endpoint";

    private LocalPlatform(Path home, DevSettings settings) {
        this.home = home;
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("palisade.root", ".")).toAbsolutePath().normalize();
        Path home = root.resolve(".palisade");
        for (String arg : args) {
            switch (arg) {
                case "--wipe" -> wipe(home);
                case "--help", "-h" -> {
                    System.out.println("usage: ./palisade-local [--wipe]   (--wipe deletes all local data in " + home + " first)");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + arg + " (try --help)");
            }
        }
        LocalPlatform platform = new LocalPlatform(home, new DevSettings(System.getenv()));
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
        Files.createDirectories(home.resolve("logs"));
        step("PostgreSQL on 127.0.0.1:" + settings.postgresPort());
        postgres = PostgresServer.start(settings.postgresPort(), home.resolve("postgres"));
        PlatformDatabase.bootstrap(postgres, settings.rolePasswords());
        step("Kafka (KRaft) on 127.0.0.1:" + settings.kafkaPort());
        kafka = new KafkaBroker(home.resolve("kafka"), settings.kafkaPort(), settings.kafkaControllerPort());
        kafka.start();
        step("Stripe fake on " + "http://127.0.0.1:" + settings.stripeFakePort() + " (API and signed webhooks)");
        stripe = StripeFake.start(settings.stripeFakePort());
        stripe.sendWebhooksTo(baseUrl(ServiceSpec.named("payment-service")) + "/stripe/webhooks", STRIPE_WEBHOOK_SECRET);
        for (ServiceSpec service : ServiceSpec.ALL) {
            step(service.name() + " on http://127.0.0.1:" + settings.servicePort(service) + " (runs its migrations)");
            services.add(launch(root, service));
            awaitReady(service);
        }
        step("demo data");
        new DemoData(settings, baseUrl(ServiceSpec.named("tenant-service")), baseUrl(ServiceSpec.named("booking-service"))).seed();
    }

    private Process launch(Path root, ServiceSpec service) throws IOException {
        Path jar = root.resolve(service.name()).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (./palisade-local does)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx384m", "-jar", jar.toString());
        Map<String, String> env = pb.environment();
        DevSettings.serviceConfig(service, settings.postgresPort(), kafka.bootstrapServers(), settings.rolePasswords(),
                settings.keys()).forEach((key, value) -> env.put(toEnvName(key), value));
        env.put("QUARKUS_HTTP_PORT", String.valueOf(settings.servicePort(service)));
        env.put("QUARKUS_PROFILE", "dev-stack");
        env.put("PALISADE_PUBLIC_URL_" + service.envPrefix(), baseUrl(service));
        env.put("PALISADE_ISSUER", baseUrl(ServiceSpec.named("tenant-service")));
        // Mail (guest sign-in links, notifications) is dropped here as JSON files instead of being sent.
        env.put("PALISADE_MAIL_DIRECTORY", home.resolve("mail").toString());
        env.put("PALISADE_PLATFORM_ADMIN_EMAIL", settings.platformAdminEmail());
        env.put("PALISADE_PLATFORM_ADMIN_PASSWORD", settings.platformAdminPassword());
        // payment-service talks to the Stripe fake, which signs its webhooks with this endpoint secret.
        env.put("STRIPE_API_BASE", stripe.apiBase());
        env.put("STRIPE_CONNECT_BASE", stripe.apiBase());
        env.put("STRIPE_SECRET_KEY", "sk_test_palisade_local");
        env.put("STRIPE_PUBLISHABLE_KEY", "pk_test_palisade_local");
        env.put("STRIPE_WEBHOOK_SECRETS", STRIPE_WEBHOOK_SECRET);
        Path log = home.resolve("logs").resolve(service.name() + ".log");
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return pb.start();
    }

    private void awaitReady(ServiceSpec service) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI ready = URI.create(baseUrl(service) + "/q/health/ready");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        Process process = services.get(services.size() - 1);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(service.name() + " exited with code " + process.exitValue());
            }
            try {
                if (http.send(HttpRequest.newBuilder(ready).GET().build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException(service.name() + " was not ready within 120 s");
    }

    private void stop() {
        for (int i = services.size() - 1; i >= 0; i--) {
            Process p = services.get(i);
            p.destroy();
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
        System.out.println("Palisade stopped. Data kept in " + home + " (./palisade-local --wipe starts afresh).");
    }

    private void printWelcome(Duration startup) {
        String tenantService = baseUrl(ServiceSpec.named("tenant-service"));
        String bookingService = baseUrl(ServiceSpec.named("booking-service"));
        System.out.printf("""

                Palisade is running (started in %.1f s).

                  tenant-service   %s        OpenAPI: %s/q/openapi   Swagger UI: %s/q/swagger-ui
                  booking-service  %s        widget: %s/public/acme/availability
                  OIDC discovery   %s/.well-known/openid-configuration
                  PostgreSQL       127.0.0.1:%d  database %s
                  Kafka            %s

                Demo logins (POST %s/auth/login with {"email":..., "password":...}):
                  platform admin   %s / %s
                  tenant Acme Tours      (slug acme)     owner@acme.example / staff@acme.example
                  tenant Bluewater Dives (slug bluewater) owner@bluewater.example / staff@bluewater.example
                  password of every demo tenant user: %s

                Data and logs: %s   Stop: Ctrl-C.   Start afresh: ./palisade-local --wipe
                """,
                startup.toMillis() / 1000.0, tenantService, tenantService, tenantService, bookingService, bookingService, tenantService,
                settings.postgresPort(), PlatformDatabase.DATABASE, kafka.bootstrapServers(), tenantService,
                settings.platformAdminEmail(), settings.platformAdminPassword(), settings.demoPassword(), home);
    }

    private String baseUrl(ServiceSpec service) {
        return "http://127.0.0.1:" + settings.servicePort(service);
    }

    private static String toEnvName(String property) {
        return property.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    private static void step(String what) {
        System.out.println("==> " + what);
    }

    private static void wipe(Path home) throws IOException {
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
