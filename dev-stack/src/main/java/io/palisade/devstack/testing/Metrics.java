package io.palisade.devstack.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads figures from a Prometheus text exposition (a service's /q/metrics), for tests that watch a metric move. */
public final class Metrics {

    /** Where a test's service serves /q/metrics and /q/health: its management interface (quarkus.management.test-port). */
    public static final int TEST_MANAGEMENT_PORT = 9001;

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)(\\s+\\d+)?$");

    private Metrics() {
    }

    /** A counter's value: 0 while it has counted nothing yet (a tagged counter appears on its first use). */
    public static double counter(String exposition, String name, String... labelPairs) {
        double value = value(exposition, name, labelPairs);
        return Double.isNaN(value) ? 0 : value;
    }

    /**
     * The sum of every sample of the metric whose labels include all the given pairs ("outcome", "created", ...);
     * NaN when no sample matches, so a metric that is not exposed at all never passes for zero.
     */
    public static double value(String exposition, String name, String... labelPairs) {
        List<String> wanted = new ArrayList<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            wanted.add(labelPairs[i] + "=\"" + labelPairs[i + 1] + "\"");
        }
        double sum = 0;
        boolean found = false;
        for (String line : exposition.split("\n")) {
            // An exemplar (" # {trace_id=...} ...") may follow the value.
            int exemplar = line.indexOf(" # ");
            Matcher sample = SAMPLE.matcher((exemplar < 0 ? line : line.substring(0, exemplar)).strip());
            if (line.startsWith("#") || !sample.matches() || !sample.group(1).equals(name)) {
                continue;
            }
            String labels = sample.group(3) == null ? "" : sample.group(3);
            if (wanted.stream().allMatch(labels::contains)) {
                sum += Double.parseDouble(sample.group(4));
                found = true;
            }
        }
        return found ? sum : Double.NaN;
    }
}
