package io.palisade.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * No feature package of common or of a service imports a package that, directly or through others, imports it back
 * (docs/conventions.md): each module's packages form layers, so one can be read, changed and tested with only
 * what lies under it.
 */
class PackageCyclesTest {

    private static final Pattern PACKAGE = Pattern.compile("(?m)^package ([\\w.]+);");
    private static final Pattern IMPORT = Pattern.compile("(?m)^import (?:static )?(io\\.palisade\\.[\\w.]+)\\.[A-Z]\\w*(?:\\.\\w+)*;");

    @Test
    void noModuleHasAPackageCycle() throws IOException {
        Path root = Path.of("..").toRealPath();
        List<Path> modules = new ArrayList<>();
        try (Stream<Path> children = Files.list(root)) {
            children.filter(m -> m.getFileName().toString().equals("common") || m.getFileName().toString().endsWith("-service"))
                    .map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).sorted().forEach(modules::add);
        }
        assertTrue(modules.size() >= 6, "common and the five services, found " + modules);
        Map<String, List<String>> cycles = new TreeMap<>();
        for (Path module : modules) {
            List<String> found = cycles(imports(module));
            if (!found.isEmpty()) {
                cycles.put(root.relativize(module).toString(), found);
            }
        }
        assertEquals(Map.of(), cycles);
    }

    /** Package to the packages of this code base it imports (imports of its own package left out). */
    static Map<String, Set<String>> imports(Path sources) {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String text = Files.readString(file);
                Matcher declared = PACKAGE.matcher(text);
                if (!declared.find()) {
                    continue;
                }
                String from = declared.group(1);
                Set<String> targets = graph.computeIfAbsent(from, p -> new TreeSet<>());
                Matcher imported = IMPORT.matcher(text);
                while (imported.find()) {
                    if (!imported.group(1).equals(from)) {
                        targets.add(imported.group(1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return graph;
    }

    /** Each cycle once, as "a -> b -> a", found by a depth-first walk. */
    static List<String> cycles(Map<String, Set<String>> graph) {
        Set<String> found = new TreeSet<>();
        for (String start : graph.keySet()) {
            walk(graph, start, new ArrayList<>(List.of(start)), found);
        }
        return List.copyOf(found);
    }

    private static void walk(Map<String, Set<String>> graph, String at, List<String> path, Set<String> found) {
        for (String next : graph.getOrDefault(at, Set.of())) {
            if (next.equals(path.get(0))) {
                List<String> cycle = new ArrayList<>(path);
                cycle.add(next);
                found.add(String.join(" -> ", cycle));
            } else if (!path.contains(next) && next.compareTo(path.get(0)) > 0) {
                // Only through packages after the start: each cycle is found once, from its first package.
                path.add(next);
                walk(graph, next, path, found);
                path.remove(path.size() - 1);
            }
        }
    }

    @Test
    void theWalkFindsACycleThroughThreePackagesAndNoneInALayering() {
        assertEquals(List.of("a -> b -> c -> a"), cycles(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"))));
        assertEquals(List.of(), cycles(Map.of("a", Set.of("b", "c"), "b", Set.of("c"), "c", Set.of())));
    }
}
