package io.palisade.audit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.audit.verifier.ArchiveVerifier;
import io.palisade.devstack.testing.TestDirectories;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * The write-once archive (test profile: a segment per 25 records): every entry and checkpoint lands in sealed,
 * read-only, hash-linked segments that the offline command verifies, and any change to them is found.
 */
@QuarkusTest
@QuarkusTestResource(value = AuditServiceStack.class, restrictToAnnotatedClass = true)
class ArchiveTest {

    static final List<TestTenancy.Tenant> TENANTS = new ArrayList<>();
    static String publicKey;

    private static List<JsonObject> archived(String type) {
        List<JsonObject> records = new ArrayList<>();
        try (Stream<Path> files = Files.list(AuditServiceStack.ARCHIVE)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("segment-")).sorted().toList()) {
                for (String line : Files.readAllLines(file)) {
                    if (!line.isBlank() && line.endsWith("}")) {
                        JsonObject record = new JsonObject(line);
                        if (type.equals(record.getString("type"))) {
                            records.add(record);
                        }
                    }
                }
            }
        } catch (java.nio.file.NoSuchFileException sealedMeanwhile) {
            // The open segment was sealed (renamed) between the listing and the reading: read the archive again.
            return archived(type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return records;
    }

    private static long archivedEntriesOf(TestTenancy.Tenant tenant) {
        return archived("entry").stream().filter(e -> e.getString("chainKey").equals(tenant.id().toString())).count();
    }

    private static List<Path> sealedSegments() throws IOException {
        try (Stream<Path> files = Files.list(AuditServiceStack.ARCHIVE)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        }
    }

    @BeforeEach
    void entriesInTheArchive() throws Exception {
        if (!TENANTS.isEmpty()) {
            return;
        }
        for (int t = 0; t < 3; t++) {
            TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
            TENANTS.add(tenant);
            for (int i = 0; i < 20; i++) {
                LedgerTest.publish(tenant, "booking.cancelled", "b-" + i, UUID.randomUUID().toString());
            }
        }
        LedgerTest.await(() -> TENANTS.stream().allMatch(t -> archivedEntriesOf(t) == 20), "every entry archived");
        LedgerTest.await(() -> archived("checkpoint").stream().anyMatch(cp -> cp.getString("chainKey").equals(TENANTS.get(0).id().toString())),
                "a checkpoint archived");
        LedgerTest.await(() -> {
            try {
                return sealedSegments().size() >= 2;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "sealed segments");
        publicKey = given().get("/audit/checkpoint-keys").then().extract().path("[0].publicKey");
    }

    /** A copy of the sealed segments, to tamper with. */
    private static Path copyOfSealed() throws IOException {
        Path copy = TestDirectories.create("archive-copy");
        for (Path segment : sealedSegments()) {
            Files.copy(segment, copy.resolve(segment.getFileName()));
        }
        return copy;
    }

    @Test
    void theArchiveVerifiesWithEveryEntryAndSignedCheckpoint() throws Exception {
        ArchiveVerifier.Result result = ArchiveVerifier.verify(AuditServiceStack.ARCHIVE, List.of(publicKey), true);
        assertTrue(result.holds(), result.toString());
        assertTrue(result.signaturesChecked());
        assertTrue(result.checkpoints() >= 1, result.toString());
        assertTrue(result.entries() >= 60, result.toString());
        for (Path segment : sealedSegments()) {
            assertEquals(PosixFilePermissions.fromString("r--r--r--"), Files.getPosixFilePermissions(segment), segment + " is read-only");
        }
        // Each entry appears once, in its chain's order.
        for (TestTenancy.Tenant tenant : TENANTS) {
            List<Long> positions = archived("entry").stream().filter(e -> e.getString("chainKey").equals(tenant.id().toString()))
                    .map(e -> e.getLong("chainSeq")).toList();
            assertEquals(java.util.stream.LongStream.rangeClosed(1, 20).boxed().toList(), positions);
        }
    }

    @Test
    void anyChangeToASealedSegmentIsFound() throws Exception {
        Path copy = copyOfSealed();
        assertTrue(ArchiveVerifier.verify(copy, List.of(publicKey), false).holds());
        Path first = copy.resolve(ArchiveVerifier.segmentFileName(1, false));
        Files.setPosixFilePermissions(first, PosixFilePermissions.fromString("rw-r--r--"));
        String original = Files.readString(first);

        // An entry's text changed.
        Files.writeString(first, original.replaceFirst("booking\\.cancelled|member\\.|auth\\.", "booking.kept"));
        assertFalse(ArchiveVerifier.verify(copy, List.of(publicKey), false).holds());

        // An entry's text changed and its hash recomputed: the next link, or the seal, does not match.
        List<String> lines = new ArrayList<>(List.of(original.split("\n")));
        JsonObject entry = new JsonObject(lines.get(1));
        String forged = entry.getString("entry").replace("\"outcome\": \"", "\"outcome\": \"x");
        entry.put("entry", forged).put("hash", ArchiveVerifier.entryHash(entry.getString("prevHash"), entry.getString("chainKey"),
                entry.getLong("chainSeq"), entry.getString("eventId"), forged));
        lines.set(1, entry.encode());
        Files.writeString(first, String.join("\n", lines) + "\n");
        ArchiveVerifier.Result rehashed = ArchiveVerifier.verify(copy, List.of(publicKey), false);
        assertFalse(rehashed.holds(), "a re-hashed entry is found: " + rehashed);

        // A whole segment removed.
        Files.writeString(first, original);
        assertTrue(ArchiveVerifier.verify(copy, List.of(publicKey), false).holds());
        if (sealedSegments().size() >= 3) {
            Files.delete(copy.resolve(ArchiveVerifier.segmentFileName(2, false)));
            assertTrue(ArchiveVerifier.verify(copy, List.of(publicKey), false).problem().contains("is missing"));
        }
    }

    @Test
    void checkpointsVerifyOnlyWithTheRightKey() throws Exception {
        Path copy = copyOfSealed();
        String otherKey = java.util.Base64.getEncoder().encodeToString(
                java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded());
        ArchiveVerifier.Result result = ArchiveVerifier.verify(AuditServiceStack.ARCHIVE, List.of(otherKey), true);
        assertFalse(result.holds());
        assertTrue(result.problem().contains("signed with an unknown key") || result.problem().contains("not signed with a known key"), result.problem());
        assertTrue(ArchiveVerifier.verify(copy, List.of(), false).holds(), "without a key the chains and seals are still checked");
    }

    @Test
    void everySealIsSignedSoARewrittenArchiveIsFound() throws Exception {
        Path copy = copyOfSealed();
        for (Path later : sealedSegments()) {
            if (!later.getFileName().toString().equals(ArchiveVerifier.segmentFileName(1, false))) {
                Files.delete(copy.resolve(later.getFileName()));
            }
        }
        Path first = copy.resolve(ArchiveVerifier.segmentFileName(1, false));
        Files.setPosixFilePermissions(first, PosixFilePermissions.fromString("rw-r--r--"));
        List<String> lines = new ArrayList<>(List.of(Files.readString(first).split("\n")));
        // Rewrite one chain's first entry and every hash and link after it, then the seal's heads and digest, as
        // someone rewriting the archive would: everything adds up except the seal's signature.
        String chain = new JsonObject(lines.get(1)).getString("chainKey");
        lines.removeIf(line -> line.contains("\"type\":\"checkpoint\"") && line.contains(chain));
        String previous = null;
        for (int i = 1; i < lines.size() - 1; i++) {
            JsonObject line = new JsonObject(lines.get(i));
            if (!"entry".equals(line.getString("type")) || !chain.equals(line.getString("chainKey"))) {
                continue;
            }
            String text = i == 1 ? line.getString("entry").replace("\"outcome\": \"", "\"outcome\": \"forged-") : line.getString("entry");
            String hash = ArchiveVerifier.entryHash(previous, chain, line.getLong("chainSeq"), line.getString("eventId"), text);
            lines.set(i, line.put("entry", text).put("prevHash", previous).put("hash", hash).encode());
            previous = hash;
        }
        JsonObject seal = new JsonObject(lines.get(lines.size() - 1)).put("lines", lines.size() - 1);
        seal.getJsonObject("heads").getJsonObject(chain).put("hash", previous);
        String body = String.join("\n", lines.subList(0, lines.size() - 1)) + "\n";
        seal.put("sha256", ArchiveVerifier.sha256Hex(body.getBytes(StandardCharsets.UTF_8)));
        Files.writeString(first, body + seal.encode() + "\n");

        assertTrue(ArchiveVerifier.verify(copy, List.of(), false).holds(), "without the key, the rewrite adds up");
        ArchiveVerifier.Result result = ArchiveVerifier.verify(copy, List.of(publicKey), false);
        assertFalse(result.holds(), "with the key, it does not: " + result);
        assertTrue(result.problem().contains("seal is not signed"), result.problem());
    }

    @Test
    void theOfflineCommandNeedsOnlyAJdk() throws Exception {
        Path copy = copyOfSealed();
        assertEquals(0, runCommand(copy).exitCode(), "a sound archive");
        Path last = sealedSegments().get(sealedSegments().size() - 1);
        Path tampered = copy.resolve(last.getFileName());
        Files.setPosixFilePermissions(tampered, PosixFilePermissions.fromString("rw-r--r--"));
        Files.writeString(tampered, Files.readString(tampered).replaceFirst("\"hash\":\"[0-9a-f]", "\"hash\":\"z"));
        Outcome broken = runCommand(copy);
        assertEquals(1, broken.exitCode(), broken.output());
        assertTrue(broken.output().startsWith("BROKEN: "), broken.output());
    }

    record Outcome(int exitCode, String output) {
    }

    /** java ArchiveVerifier.java <dir> --public-key <key>: the source file alone, as an outsider runs it. */
    private static Outcome runCommand(Path archive) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path source = Path.of("src/main/java/io/palisade/audit/verifier/ArchiveVerifier.java");
        Process process = new ProcessBuilder(java.toString(), source.toString(), archive.toString(), "--public-key", publicKey)
                .redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() == 0) {
            assertTrue(output.startsWith("OK: "), output);
        }
        return new Outcome(process.exitValue(), output);
    }
}
