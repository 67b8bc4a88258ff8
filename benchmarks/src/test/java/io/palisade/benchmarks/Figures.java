package io.palisade.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The run's figures: each the median of its repetitions, with their spread, printed as one table at the end. */
final class Figures {

    private record Row(String id, String figure, List<Double> runs, String unit) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    void add(String id, String figure, List<Double> runs, String unit) {
        rows.add(new Row(id, figure, List.copyOf(runs), unit));
    }

    /** A line printed under the table (a plan, a call count). */
    void note(String text) {
        notes.add(text);
    }

    static double median(List<Double> runs) {
        List<Double> sorted = runs.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    void print(String machine) {
        StringBuilder out = new StringBuilder("\nPalisade benchmarks (" + machine + ")\n");
        out.append(String.format(Locale.ROOT, "%-4s %-78s %12s %25s  %s%n", "id", "figure", "median", "spread (min..max)", "unit"));
        for (Row row : rows) {
            double min = row.runs().stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
            double max = row.runs().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
            out.append(String.format(Locale.ROOT, "%-4s %-78s %12s %25s  %s%n", row.id(), row.figure(), format(median(row.runs())),
                    format(min) + ".." + format(max), row.unit()));
        }
        notes.forEach(note -> out.append(note).append('\n'));
        System.out.println(out);
    }

    private static String format(double value) {
        return Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.3g", value);
    }
}
