package io.palisade.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU seconds the processes of a run have spent, from Linux's /proc: on two cores shared by PostgreSQL, the services
 * and the load generator, a throughput is two seconds of CPU a second divided by what one request costs all of them,
 * so these say where a ratio's gap is.
 */
final class CpuTime {

    /** Linux's clock ticks per second for /proc/[pid]/stat (USER_HZ, 100 on every common kernel). */
    private static final double TICKS_PER_SECOND = 100;

    private CpuTime() {
    }

    /**
     * What a service (none: pid 0), PostgreSQL and the load generator (wrk, a child that has ended by the next
     * snapshot, or this JVM's own threads) have spent so far.
     */
    record Snapshot(double service, double postgres, double generator) {

        static Snapshot take(long servicePid, boolean generatorIsAChild) throws IOException {
            return new Snapshot(servicePid == 0 ? 0 : ofProcess(servicePid), ofPostgres(),
                    generatorIsAChild ? ofEndedChildren() : ofThisProcess());
        }

        /** Milliseconds of CPU each spent on one of {@code units} since {@code before}. */
        Snapshot perUnitMillis(Snapshot before, double units) {
            return new Snapshot(1000 * (service - before.service) / units, 1000 * (postgres - before.postgres) / units,
                    1000 * (generator - before.generator) / units);
        }
    }

    /** What one process has spent (utime + stime). */
    static double ofProcess(long pid) throws IOException {
        long[] times = times(Path.of("/proc", String.valueOf(pid), "stat"));
        return (times[0] + times[1]) / TICKS_PER_SECOND;
    }

    /** What PostgreSQL has spent: every process named postgres, with what its exited children spent. */
    static double ofPostgres() throws IOException {
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            return processes.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .mapToDouble(CpuTime::ofPostgresProcess).sum();
        }
    }

    /** What this JVM has spent itself (HttpLoad, the JDBC clients). */
    static double ofThisProcess() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    /** What this JVM's children have spent once they ended (wrk). */
    static double ofEndedChildren() throws IOException {
        long[] times = times(Path.of("/proc/self/stat"));
        return (times[2] + times[3]) / TICKS_PER_SECOND;
    }

    private static double ofPostgresProcess(Path process) {
        try {
            if (!Files.readString(process.resolve("comm")).strip().equals("postgres")) {
                return 0;
            }
            long[] times = times(process.resolve("stat"));
            return (times[0] + times[1] + times[2] + times[3]) / TICKS_PER_SECOND;
        } catch (NoSuchFileException ended) {
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** utime, stime, cutime, cstime: fields 14 to 17 (the name in field 2 may hold spaces, so count after it). */
    private static long[] times(Path stat) throws IOException {
        String line = Files.readString(stat);
        String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12]), Long.parseLong(fields[13]), Long.parseLong(fields[14])};
    }
}
