package io.palisade.benchmarks;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;

/**
 * An HTTP load generator: {@code clients} connections for a fixed time. Closed loop (as wrk: each connection sends its
 * next request as soon as the answer arrived), or at a fixed total rate, where each latency counts from the time the
 * request was due, not sent, so that a stalled server is not hidden by requests never sent (as wrk2 does).
 * Counts answers by status and keeps every latency.
 */
final class HttpLoad {

    record Result(double perSecond, Map<Integer, Long> statuses, double p50Millis, double p99Millis) {
        long count(int status) {
            return statuses.getOrDefault(status, 0L);
        }
    }

    private HttpLoad() {
    }

    /** Closed loop; {@code request} makes the n-th request of the run (n counts over every client). */
    static Result run(int clients, Duration length, LongFunction<HttpRequest> request) throws InterruptedException {
        return run(clients, length, 0, request);
    }

    /** At {@code perSecond} requests per second over all clients (0: as fast as answers come). */
    static Result run(int clients, Duration length, double perSecond, LongFunction<HttpRequest> request) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        AtomicLong sequence = new AtomicLong();
        Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        List<long[]> latencies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + length.toNanos();
        for (int i = 0; i < clients; i++) {
            long[] mine = new long[1 << 16];
            latencies.add(mine);
            long interval = perSecond <= 0 ? 0 : (long) (1e9 * clients / perSecond);
            long offset = interval * i / clients;
            threads.add(Thread.ofVirtual().start(() -> {
                int n = 0;
                long due = start + offset;
                while (System.nanoTime() < end) {
                    if (interval > 0) {
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                    }
                    long sent = interval > 0 ? due : System.nanoTime();
                    due += interval;
                    int status;
                    try {
                        status = http.send(request.apply(sequence.getAndIncrement()), HttpResponse.BodyHandlers.discarding()).statusCode();
                    } catch (java.io.IOException e) {
                        status = -1;
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (n < mine.length - 1) {
                        mine[++n] = System.nanoTime() - sent;
                        mine[0] = n;
                    }
                    statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] all = latencies.stream().flatMapToLong(l -> Arrays.stream(l, 1, (int) l[0] + 1)).sorted().toArray();
        Map<Integer, Long> counts = new java.util.TreeMap<>();
        statuses.forEach((status, count) -> counts.put(status, count.sum()));
        return new Result(all.length / seconds, counts, percentile(all, 0.50), percentile(all, 0.99));
    }

    private static double percentile(long[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }
}
