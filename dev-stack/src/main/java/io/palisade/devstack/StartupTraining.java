package io.palisade.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Writes each service's startup cache ({@code <service>/target/quarkus-app/app.aot}, JDK 25's ahead-of-time cache): a
 * throwaway platform in {@code .palisade/training}, on ports of its own, whose services record what they load, link
 * and run while the demo is seeded and a round of everyday requests is made; stopped, each JVM writes its cache.
 * A service then starts from it in well under half the CPU time (docs/performance.md, B6).
 *
 * <p>A cache is good for the build of the service and the JVM build that wrote it: {@link ServiceProcess} uses it only
 * when it is newer than the build, and the JVM itself refuses one written by another JDK (a warning, then a normal
 * start), so a stale cache costs speed, never correctness.
 */
public final class StartupTraining {

    /** Rounds of everyday requests after the seeding: enough for the JIT to profile the paths a request takes. */
    private static final int ROUNDS = 200;

    private final JsonHttp http = new JsonHttp("training");
    private final DevSettings settings;

    private StartupTraining(DevSettings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("palisade.root", ".")).toAbsolutePath().normalize();
        if (!writeCaches(root, root.resolve(".palisade/training"))) {
            System.exit(1);
        }
    }

    /**
     * Trains every service of the build in {@code root}, the throwaway platform's data in {@code home}; false (and why,
     * on stderr) when a cache was not written. A training that fails leaves no cache: one written by a platform that
     * did not finish its requests would be used as if it had.
     */
    public static boolean writeCaches(Path root, Path home) throws Exception {
        if (!ServiceProcess.startupCacheSupported()) {
            System.err.println("A startup cache needs JDK 25 or newer; this is " + Runtime.version() + ". Nothing written.");
            return false;
        }
        LocalPlatform.wipe(home);
        Files.createDirectories(home);
        DevSettings settings = new DevSettings(trainingPorts());
        long started = System.nanoTime();
        boolean exercised = false;
        LocalPlatform platform = LocalPlatform.startRecording(root, home, settings);
        // Ctrl-C while training stops the throwaway platform too.
        Thread stopOnExit = new Thread(platform::stop, "palisade-training-stop");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        try {
            System.out.println("==> training: " + ROUNDS + " rounds of everyday requests");
            new StartupTraining(settings).exercise(platform);
            exercised = true;
        } finally {
            System.out.println("==> writing each service's startup cache as it stops");
            platform.stop();
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnExit);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C came while stopping: the hook stops what is left.
            }
        }
        boolean written = exercised;
        for (ServiceSpec service : ServiceSpec.ALL) {
            Path cache = ServiceProcess.startupCache(root, service);
            if (Files.exists(cache)) {
                System.out.printf("    %-16s %s (%d MB)%n", service.name(), root.relativize(cache), Files.size(cache) >> 20);
            } else {
                System.err.println(service.name() + " wrote no startup cache: see its log in " + home.resolve("logs"));
                written = false;
            }
        }
        if (!written) {
            for (ServiceSpec service : ServiceSpec.ALL) {
                ServiceProcess.deleteStartupCache(root, service);
            }
            return false;
        }
        LocalPlatform.wipe(home);
        System.out.printf("Startup caches written in %.0f s.%n", (System.nanoTime() - started) / 1e9);
        return true;
    }

    /** Ports apart from the local platform's defaults, so that training can run beside it. */
    private static Map<String, String> trainingPorts() {
        Map<String, String> env = new HashMap<>(Map.of("PALISADE_PG_PORT", "55532", "PALISADE_KAFKA_PORT", "59192",
                "PALISADE_KAFKA_CONTROLLER_PORT", "59193", "PALISADE_STRIPE_FAKE_PORT", "12211", "PALISADE_INSTANCES", "1"));
        for (ServiceSpec service : ServiceSpec.ALL) {
            env.put(service.envPrefix() + "_PORT", String.valueOf(service.defaultPort() + 200));
        }
        return env;
    }

    /**
     * What a running service does most: the staff's reads with an access token, the public widget, a guest's hold (which
     * payment-service and webhook-service then consume), the OpenAPI document, health checks and metrics.
     */
    private void exercise(LocalPlatform platform) throws IOException, InterruptedException {
        String tenantService = platform.baseUrl("tenant-service", 0);
        String bookingService = platform.baseUrl("booking-service", 0);
        JsonNode availability = JsonHttp.JSON.readTree(http.expect(http.get(bookingService + "/public/acme/availability", null), 200).body());
        String slot = availability.path(0).path("slotId").asText();
        if (slot.isEmpty()) {
            throw new IllegalStateException("training: the demo tenant has no slot to hold");
        }
        String token = null;
        for (int round = 0; round < ROUNDS; round++) {
            if (round % 20 == 0) {
                // A sign-in now and then: each hashes a password on purpose slowly, and a start does not depend on it.
                token = JsonHttp.JSON.readTree(http.expect(http.post(tenantService + "/auth/login", null, Map.of("email", "staff@acme.example",
                        "password", settings.demoPassword(), "tenant", "acme")), 200).body()).path("accessToken").asText();
            }
            http.expect(http.get(bookingService + "/bookings?limit=20", token), 200);
            http.expect(http.get(bookingService + "/offerings", token), 200);
            http.expect(http.get(bookingService + "/public/acme/availability", null), 200);
            // Holds from one address soon meet the per-client limit (429), or fill the slot (409): everyday answers too.
            http.expect(http.post(bookingService + "/public/acme/holds", null, Map.of("slotId", slot, "seats", 1,
                    "guest", Map.of("name", "Training guest " + round, "email", "guest-" + round + "@training.invalid"))), 201, 409, 429);
            for (ServiceSpec service : ServiceSpec.ALL) {
                String management = "http://127.0.0.1:" + settings.managementPort(service, 0);
                http.expect(http.get(management + "/q/health/ready", null), 200);
                if (round % 10 == 0) {
                    http.expect(http.get(platform.baseUrl(service.name(), 0) + "/q/openapi", null), 200);
                    http.expect(http.get(management + "/q/metrics", null), 200);
                }
            }
        }
    }
}
