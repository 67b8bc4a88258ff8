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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One built service running as its own process ({@code <service>/target/quarkus-app/quarkus-run.jar}), configured
 * through environment variables, its output in a log file. The local platform runs every service this way, and
 * tests that need a second service beside the one under test start it so.
 */
public final class ServiceProcess implements AutoCloseable {

    static final String JVM_OPTIONS = "palisade.service.jvm-options";

    private final String name;
    private final Process process;

    private ServiceProcess(String name, Process process) {
        this.name = name;
        this.process = process;
    }

    /**
     * What a service's JVM does with its startup cache: JDK 25's ahead-of-time cache ({@code app.aot} beside
     * {@code quarkus-run.jar}, written by {@link StartupTraining}), which holds the classes a start loads, already
     * parsed and linked, and the profiles of the methods it ran.
     */
    public enum StartupCache {
        /** Start from the cache when there is one, written after this build and readable by this JVM (JDK 25+). */
        USE,
        /** Start without it (to measure what it saves). */
        NONE,
        /** Record this run and write the cache when the process exits (JDK 25+). */
        RECORD
    }

    /**
     * @param root the project's root directory
     * @param config Quarkus properties, passed as environment variables (QUARKUS_HTTP_PORT for quarkus.http.port)
     */
    public static ServiceProcess start(Path root, ServiceSpec service, Map<String, String> config, Path log) throws IOException {
        return start(root, service, config, log, StartupCache.USE);
    }

    public static ServiceProcess start(Path root, ServiceSpec service, Map<String, String> config, Path log, StartupCache cache)
            throws IOException {
        Map<String, String> environment = new java.util.HashMap<>();
        config.forEach((property, value) -> environment.put(envName(property), value));
        return launch(root, service, environment, log, cache);
    }

    /** Starts the service's build with these environment variables as they are (a rendered pod's, say). */
    public static ServiceProcess startWithEnvironment(Path root, ServiceSpec service, Map<String, String> environment, Path log)
            throws IOException {
        return launch(root, service, environment, log, StartupCache.USE);
    }

    private static ServiceProcess launch(Path root, ServiceSpec service, Map<String, String> environment, Path log, StartupCache cache)
            throws IOException {
        Path jar = jar(root, service);
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build it first (./mvnw package)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Memory as in the chart's pod (a 512 MiB limit, the heap 70 % of it): a JVM that sized itself from this
        // machine's memory would start with a heap of 1/64 of it and keep it. Below 1,792 MiB the JVM in the pod picks
        // the serial collector by itself; here it is named. The service's temporary files go where its starter's go
        // (target/tmp in tests, .palisade/tmp locally).
        List<String> command = new ArrayList<>(List.of(java, "-XX:MaxRAM=512m", "-XX:MaxRAMPercentage=70", "-XX:+UseSerialGC",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir")));
        command.addAll(cacheOptions(jar, cache));
        command.addAll(startersOptions());
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(environment);
        Files.createDirectories(log.getParent());
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return new ServiceProcess(service.name(), pb.start());
    }

    /**
     * JVM options the starter adds (the system property {@value #JVM_OPTIONS}, space-separated). The test runs set
     * {@code -XX:TieredStopAtLevel=1} (the root pom): a test starts dozens of services that live seconds on two cores,
     * and the optimising compiler's work for code that will not run long was most of their CPU. Benchmarks and the
     * local platform leave it out.
     */
    static List<String> startersOptions() {
        String options = System.getProperty(JVM_OPTIONS, "").trim();
        return options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
    }

    /**
     * Runs the service's one-shot migration (config from {@link DevSettings#migrationConfig}) and waits for it to exit 0,
     * as the platform chart's migration Job does before any serving instance starts.
     */
    public static void migrate(Path root, ServiceSpec service, Map<String, String> migrationConfig, Path log)
            throws IOException, InterruptedException {
        start(root, service, migrationConfig, log).awaitExit(Duration.ofSeconds(120), log);
    }

    /** Waits for a one-shot run (a migration) to exit 0. */
    public void awaitExit(Duration timeout, Path log) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(name + "'s migration did not finish within " + timeout.toSeconds() + " s (log: " + log + ")");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(name + "'s migration exited with " + process.exitValue() + " (log: " + log + ")");
        }
    }

    /** Waits until the service answers ready on its management interface. */
    public void awaitReady(String managementUrl, Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI ready = URI.create(managementUrl + "/q/health/ready");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue());
            }
            try {
                if (http.send(HttpRequest.newBuilder(ready).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException(name + " was not ready within " + timeout.toSeconds() + " s");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** The operating system's id of the process (its /proc entry). */
    public long pid() {
        return process.pid();
    }

    /** Asks the process to stop (SIGTERM) without waiting. */
    public void askToStop() {
        process.destroy();
    }

    /** Asks the process to stop (SIGTERM), as Kubernetes does, and waits for it; returns its exit code. */
    public int terminate(Duration grace) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            // With it whatever it started (the JVM that assembles a startup cache), which would write on afterwards.
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IllegalStateException(name + " did not stop within " + grace.toSeconds() + " s of SIGTERM");
        }
        return process.exitValue();
    }

    /** Ends the process at once (SIGKILL), as a crash would: no shutdown hook runs, nothing is flushed or committed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    /** The service's startup cache, beside its build. */
    public static Path startupCache(Path root, ServiceSpec service) {
        return cacheOf(jar(root, service));
    }

    /** The service's build: the jar {@code ./mvnw package} makes. */
    private static Path jar(Path root, ServiceSpec service) {
        return root.resolve(service.name()).resolve("target/quarkus-app/quarkus-run.jar");
    }

    private static Path cacheOf(Path jar) {
        return jar.resolveSibling("app.aot");
    }

    /** Whether this JVM can write and read a startup cache (JDK 25: JEP 514 and 515). */
    public static boolean startupCacheSupported() {
        return Runtime.version().feature() >= 25;
    }

    /** Whether the service has a startup cache this JVM can use: recorded by this JVM build (25+) after the service's build. */
    public static boolean hasFreshStartupCache(Path root, ServiceSpec service) throws IOException {
        return fresh(jar(root, service));
    }

    /** Removes the service's startup cache and the note of the JVM that wrote it. */
    public static void deleteStartupCache(Path root, ServiceSpec service) throws IOException {
        Path cache = startupCache(root, service);
        Files.deleteIfExists(cache);
        Files.deleteIfExists(writtenBy(cache));
    }

    /**
     * A cache older than the build describes other classes, and one written by another JVM build cannot be used: the
     * JVM would refuse either with a warning and start without it, so a start that counts on the cache would not.
     */
    private static boolean fresh(Path jar) throws IOException {
        Path file = cacheOf(jar);
        return startupCacheSupported() && Files.exists(file) && Files.exists(jar) && Files.exists(writtenBy(file))
                && Files.getLastModifiedTime(file).compareTo(Files.getLastModifiedTime(jar)) > 0
                && Files.readString(writtenBy(file)).equals(thisJvm());
    }

    /** Beside each cache: which JVM build recorded it. */
    private static Path writtenBy(Path cache) {
        return cache.resolveSibling(cache.getFileName() + ".jvm");
    }

    private static String thisJvm() {
        return System.getProperty("java.home") + " " + System.getProperty("java.vm.version");
    }

    static List<String> cacheOptions(Path jar, StartupCache cache) throws IOException {
        Path file = cacheOf(jar);
        return switch (cache) {
            case NONE -> List.of();
            case RECORD -> {
                if (!startupCacheSupported()) {
                    throw new IllegalStateException("a startup cache needs JDK 25 or newer, this is " + Runtime.version());
                }
                Files.deleteIfExists(file);
                Files.writeString(writtenBy(file), thisJvm());
                // The JVM notes each class it cannot keep (proxies made at run time) as a warning: expected, not news.
                yield List.of("-XX:AOTCacheOutput=" + file, "-Xlog:aot=error");
            }
            case USE -> fresh(jar) ? List.of("-XX:AOTCache=" + file) : List.of();
        };
    }

    /** quarkus.http.port → QUARKUS_HTTP_PORT, as MicroProfile Config maps environment variables. */
    static String envName(String property) {
        return property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }
}
