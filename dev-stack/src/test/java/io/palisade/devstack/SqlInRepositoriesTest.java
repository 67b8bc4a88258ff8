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
 * plumbing every service shares, each named here with what it is the one place for; and the few classes that run as the
 * schema owner through JDBC in the run that applies the migrations. A resource neither sends SQL nor opens a
 * transaction: it reaches data through its service.
 */
class SqlInRepositoriesTest {

    /**
     * A statement sent on a connection: preparedQuery, query with the SQL as its argument, TenantTransactions' readOnce,
     * or JDBC's prepareStatement and createStatement.
     */
    static final Pattern SENDS_SQL = Pattern.compile("\\.preparedQuery\\(|\\.query\\(\\s*[^)\\s]|\\.readOnce\\(|\\.prepareStatement\\(|\\.createStatement\\(");

    /** A field holding the transactions or a repository: a resource with one would reach data without its service. */
    static final Pattern REACHES_DATA = Pattern.compile("(?m)^\\s*(private\\s+)?(final\\s+)?(TenantTransactions|\\w+Repository)\\s+\\w+;");

    private static final Map<String, String> COMMON_PLUMBING = Map.of(
            "TenantTransactions.java", "opens every transaction and sets its scope",
            "TenantSlugs.java", "finds the tenant a public URL's slug names (the allow-listed definer)",
            "AuditLog.java", "writes audit entries into the caller's transaction",
            "Outbox.java", "writes events into the caller's transaction",
            "OutboxRelay.java", "moves committed events to Kafka",
            "ProcessedEvents.java", "deduplicates consumed events",
            "IdempotencyKeys.java", "stores idempotent requests' responses",
            "SecurityDefiners.java", "reads the catalog's definers for the isolation checks",
            "PermissionAugmentor.java", "reads the caller's authority once per request, in one round trip");

    /** tenant-service's JDBC work as the schema owner, in the run that applies the migrations or the rotation Job. */
    private static final Map<String, String> SCHEMA_OWNER_RUNS = Map.of(
            "MasterKeyRotation.java", "re-seals every sealed value under a new master key",
            "MigrationRunAccounts.java", "keeps the platform's first operator",
            "GateTenants.java", "keeps the isolation gate's two tenants");

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
                    } else if (!(common ? COMMON_PLUMBING : SCHEMA_OWNER_RUNS).containsKey(name)) {
                        offenders.add(root.relativize(file).toString());
                    }
                }
            }
        }
        assertTrue(repositories >= 30, "the services' repositories found: " + repositories);
        assertEquals(List.of(), List.copyOf(offenders), "classes that send SQL but are neither a repository nor common plumbing");
    }

    @Test
    void noResourceReachesDataButThroughItsService() throws IOException {
        Path root = Path.of("..").toRealPath();
        TreeSet<String> offenders = new TreeSet<>();
        int resources = 0;
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.filter(m -> m.getFileName().toString().endsWith("-service")).toList()) {
                try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
                    for (Path file : files.filter(f -> f.getFileName().toString().endsWith("Resource.java")).toList()) {
                        resources++;
                        if (REACHES_DATA.matcher(Files.readString(file)).find()) {
                            offenders.add(root.relativize(file).toString());
                        }
                    }
                }
            }
        }
        assertTrue(resources >= 25, "the services' resources found: " + resources);
        assertEquals(List.of(), List.copyOf(offenders), "resources that hold the transactions or a repository");
    }

    @Test
    void thePatternSeesEachWayOfSendingAStatementAndNotARequestsQueryString() {
        assertTrue(SENDS_SQL.matcher("c.preparedQuery(\"select 1\")").find());
        assertTrue(SENDS_SQL.matcher("c.query(TABLES).execute()").find());
        assertTrue(SENDS_SQL.matcher("tx.readOnce(scope, \"select 1\", values)").find());
        assertTrue(SENDS_SQL.matcher("c.prepareStatement(sql)").find());
        assertTrue(!SENDS_SQL.matcher("request.query() == null").find());
        assertTrue(REACHES_DATA.matcher("    private final BookingRepository bookings;").find());
        assertTrue(REACHES_DATA.matcher("    TenantTransactions tx;").find());
        assertTrue(!REACHES_DATA.matcher("    private final BookingService bookings;").find());
        assertTrue(!REACHES_DATA.matcher("    public Uni<BookingRepository.Booking> get(UUID id) {").find());
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
