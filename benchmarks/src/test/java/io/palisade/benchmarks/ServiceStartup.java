package io.palisade.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.palisade.devstack.LocalPlatform;
import io.palisade.devstack.ServiceProcess;
import io.palisade.devstack.ServiceSpec;
import io.palisade.devstack.testing.PalisadeTestStack;

/**
 * B6: one service started by itself beside a running platform (its database migrated, its broker up), as the
 * packaged build runs, with or without its startup cache: the time until its readiness check answers UP, the CPU time
 * it spent getting there, and its resident memory after a warm-up of requests.
 */
final class ServiceStartup {

    private static final int WARM_UP_REQUESTS = 500;

    record Startup(double readySeconds, double cpuSeconds, double rssMegabytes) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    Startup measure(LocalPlatform platform, ServiceSpec service, ServiceProcess.StartupCache cache, Path logs) throws Exception {
        int port = PalisadeTestStack.freePort();
        int management = PalisadeTestStack.freePort();
        URI ready = URI.create("http://127.0.0.1:" + management + "/q/health/ready");
        long start = System.nanoTime();
        try (ServiceProcess process = platform.startInstance(service, port, management, logs.resolve(service.name() + "-" + port + ".log"), cache)) {
            while (!up(ready)) {
                if (System.nanoTime() - start > Duration.ofSeconds(120).toNanos()) {
                    throw new IllegalStateException(service.name() + " not ready within 120 s");
                }
                Thread.sleep(20);
            }
            double readySeconds = (System.nanoTime() - start) / 1e9;
            double cpuSeconds = CpuTime.ofProcess(process.pid());
            URI openApi = URI.create("http://127.0.0.1:" + port + "/q/openapi");
            for (int i = 0; i < WARM_UP_REQUESTS; i++) {
                http.send(HttpRequest.newBuilder(i % 2 == 0 ? ready : openApi).build(), HttpResponse.BodyHandlers.discarding());
            }
            return new Startup(readySeconds, cpuSeconds, rssMegabytes(process.pid()));
        }
    }

    private boolean up(URI ready) {
        try {
            return http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static double rssMegabytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }
}
