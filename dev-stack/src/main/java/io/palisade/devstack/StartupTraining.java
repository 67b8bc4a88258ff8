package io.palisade.devstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Rounds of everyday requests after the seeding: enough for the JIT to profile the paths a request takes. */
    private static final int ROUNDS = 200;

    private final HttpClient http = HttpClient.newHttpClient();
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
        JsonNode availability = JSON.readTree(expect(get(bookingService + "/public/acme/availability", null), 200).body());
        String slot = availability.path(0).path("slotId").asText();
        if (slot.isEmpty()) {
            throw new IllegalStateException("training: the demo tenant has no slot to hold");
        }
        String token = null;
        for (int round = 0; round < ROUNDS; round++) {
            if (round % 20 == 0) {
                // A sign-in now and then: each hashes a password on purpose slowly, and a start does not depend on it.
                token = JSON.readTree(expect(post(tenantService + "/auth/login", null, Map.of("email", "staff@acme.example",
                        "password", settings.demoPassword(), "tenant", "acme")), 200).body()).path("accessToken").asText();
            }
            expect(get(bookingService + "/bookings?limit=20", token), 200);
            expect(get(bookingService + "/offerings", token), 200);
            expect(get(bookingService + "/public/acme/availability", null), 200);
            // Holds from one address soon meet the per-client limit (429), or fill the slot (409): everyday answers too.
            expect(post(bookingService + "/public/acme/holds", null, Map.of("slotId", slot, "seats", 1,
                    "guest", Map.of("name", "Training guest " + round, "email", "guest-" + round + "@training.invalid"))), 201, 409, 429);
            for (ServiceSpec service : ServiceSpec.ALL) {
                String management = "http://127.0.0.1:" + settings.managementPort(service, 0);
                expect(get(management + "/q/health/ready", null), 200);
                if (round % 10 == 0) {
                    expect(get(platform.baseUrl(service.name(), 0) + "/q/openapi", null), 200);
                    expect(get(management + "/q/metrics", null), 200);
                }
            }
        }
    }

    /** Training on answers nobody would get trains the wrong paths: any other answer stops it. */
    private static HttpResponse<String> expect(HttpResponse<String> response, int... statuses) {
        for (int status : statuses) {
            if (response.statusCode() == status) {
                return response;
            }
        }
        throw new IllegalStateException("training: " + response.request().method() + " " + response.request().uri().getPath()
                + " answered " + response.statusCode() + ": " + response.body());
    }

    private HttpResponse<String> get(String url, String bearer) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url, String bearer, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
