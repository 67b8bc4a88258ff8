package io.palisade.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * wrk (a C load generator: apt install wrk) for the closed-loop maxima, where it is installed, else
 * {@link io.palisade.devstack.testing.HttpLoad} in the benchmark's own JVM, beside the broker and on the same two cores as
 * the platform. Paced runs (latency at half the maximum) stay with HttpLoad, which wrk cannot pace.
 */
final class Wrk {

    /** Requests per second, how many answers were not 2xx or 3xx (or failed), and the 99th percentile of latency. */
    record Result(double perSecond, long requests, long refused, double p99Millis) {
        double answeredPerSecond(Duration length) {
            return (requests - refused) / (double) length.toSeconds();
        }
    }

    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern P99 = Pattern.compile("\\s99%\\s+([0-9.]+)(us|ms|s)");
    private static final Pattern ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    private Wrk() {
    }

    static boolean installed() {
        try {
            return new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start().waitFor() >= 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * {@code clients} connections on two threads for {@code length}; {@code script} (Lua, may be null) shapes each request,
     * e.g. a POST with a body and a client address of its own.
     */
    static Result run(int clients, Duration length, String url, List<String> headers, String script, Path scratch) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("wrk", "--latency", "-t2", "-c" + clients, "-d" + length.toSeconds() + "s"));
        for (String header : headers) {
            command.add("-H");
            command.add(header);
        }
        if (script != null) {
            Path file = Files.createTempFile(scratch, "wrk", ".lua");
            Files.writeString(file, script, StandardCharsets.UTF_8);
            command.add("-s");
            command.add(file.toString());
        }
        command.add(url);
        Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (wrk.waitFor() != 0) {
            throw new IllegalStateException("wrk failed: " + output);
        }
        Matcher rate = RATE.matcher(output);
        Matcher requests = REQUESTS.matcher(output);
        if (!rate.find() || !requests.find()) {
            throw new IllegalStateException("wrk printed no rate: " + output);
        }
        long refused = 0;
        Matcher non2xx = NON_2XX.matcher(output);
        if (non2xx.find()) {
            refused += Long.parseLong(non2xx.group(1));
        }
        Matcher errors = ERRORS.matcher(output);
        if (errors.find()) {
            for (int i = 1; i <= 4; i++) {
                refused += Long.parseLong(errors.group(i));
            }
        }
        Matcher p99 = P99.matcher(output);
        double p99Millis = Double.NaN;
        if (p99.find()) {
            double value = Double.parseDouble(p99.group(1));
            p99Millis = switch (p99.group(2)) {
                case "us" -> value / 1000;
                case "s" -> value * 1000;
                default -> value;
            };
        }
        return new Result(Double.parseDouble(rate.group(1)), Long.parseLong(requests.group(1)), refused, p99Millis);
    }
}
