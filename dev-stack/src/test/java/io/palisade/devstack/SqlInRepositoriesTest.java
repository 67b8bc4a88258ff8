package io.palisade.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * SQL lives in repositories (docs/conventions.md): in the five services, only an {@code XRepository} sends a statement,
 * so a reader finds every statement of a feature in one file and its service holds the rules alone. In common, only the
 * plumbing every service shares, each named here with what it is the one place for.
 */
class SqlInRepositoriesTest {

    /** A statement sent on a connection: preparedQuery, or query with the SQL as its argument. */
    static final Pattern SENDS_SQL = Pattern.compile("\\.preparedQuery\\(|\\.query\\(\\s*[^)\\s]");

    private static final Map<String, String> COMMON_PLUMBING = Map.of(
            "TenantTransactions.java", "opens every transaction and sets its scope",
            "TenantSlugs.java", "finds the tenant a public URL's slug names (the allow-listed definer)",
            "AuditLog.java", "writes audit entries into the caller's transaction",
            "Outbox.java", "writes events into the caller's transaction",
            "OutboxRelay.java", "moves committed events to Kafka",
            "ProcessedEvents.java", "deduplicates consumed events",
            "IdempotencyKeys.java", "stores idempotent requests' responses",
            "SecurityDefiners.java", "reads the catalog's definers for the isolation checks");

    @Test
    void onlyRepositoriesAndCommonPlumbingSendSql() throws IOException {
        Path root = Path.of("..").toRealPath();
        TreeSet<String> offenders = new TreeSet<>();
        int repositories = 0;
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.filter(m -> m.getFileName().toString().endsWith("-service")
                    || m.getFileName().toString().equals("common")).toList()) {
                boolean common = module.getFileName().toString().equals("common");
                for (Path file : sendingSql(module.resolve("src/main/java"))) {
                    String name = file.getFileName().toString();
                    if (!common && name.endsWith("Repository.java")) {
                        repositories++;
                    } else if (!common || !COMMON_PLUMBING.containsKey(name)) {
                        offenders.add(root.relativize(file).toString());
                    }
                }
            }
        }
        assertTrue(repositories >= 30, "the services' repositories found: " + repositories);
        assertEquals(List.of(), List.copyOf(offenders), "classes that send SQL but are neither a repository nor common plumbing");
    }

    @Test
    void thePatternSeesEachWayOfSendingAStatementAndNotARequestsQueryString() {
        assertTrue(SENDS_SQL.matcher("c.preparedQuery(\"select 1\")").find());
        assertTrue(SENDS_SQL.matcher("c.query(TABLES).execute()").find());
        assertTrue(!SENDS_SQL.matcher("request.query() == null").find());
    }

    private static List<Path> sendingSql(Path sources) throws IOException {
        try (Stream<Path> files = Files.walk(sources)) {
            return files.filter(f -> f.toString().endsWith(".java")).filter(f -> {
                try {
                    return SENDS_SQL.matcher(Files.readString(f)).find();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }
}
