package io.palisade.audit.archive;


import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.palisade.audit.chains.Chains;
import io.palisade.audit.checkpoints.CheckpointKeys;
import io.palisade.audit.verifier.ArchiveVerifier;
import io.palisade.common.metrics.Gauges;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * The ledger's second, write-once copy: every chain's entries and signed checkpoints appended to JSONL segment
 * files in {@link ArchiveSettings#directory()} (format in docs/audit.md, checked offline by {@link ArchiveVerifier}).
 * A segment is sealed with the digest of its bytes once it holds {@link ArchiveSettings#segmentRecords()} records or
 * is older than {@link ArchiveSettings#sealAfter()}, made read-only, and named by the next segment's header.
 *
 * <p>Only what continues the archived chain is taken in: an entry whose position, link or hash does not follow
 * stops its chain's archiving (logged as an error), and a checkpoint whose signature or hash does not match is left
 * out, so a rewrite of the database after the fact never reaches the archive. One writer per directory (a file
 * lock); the state to resume from is read back from the files themselves.
 */
// Made at start, so its metrics are there from the first scrape.
@Startup
@ApplicationScoped
public class ArchiveWriter {

    private static final Logger LOG = Logger.getLogger(ArchiveWriter.class);
    private static final Pattern SEGMENT = Pattern.compile("segment-(\\d{8})\\.jsonl(\\.open)?");
    private static final int BATCH = 1000;
    private static final int UNWRITTEN_LIMIT = 1 << 20;
    private static final Duration DB_TIMEOUT = Duration.ofSeconds(30);

    /** A chain as the ledger has it: its head and its last checkpointed position. */
    /** A chain's last archived position and hash. */
    public record Head(long seq, String hash) {
    }

    /** The archiver role: exactly one instance of audit-service writes the archive and signs checkpoints (docs/operations.md). */
    private final boolean enabled;
    private final Path directory;
    private final int segmentRecords;
    private final Duration sealAfter;
    private final TenantTransactions tx;
    private final ArchiveRepository archiveRecords;
    private final CheckpointKeys keys;

    ArchiveWriter(ArchiveSettings settings, TenantTransactions tx, ArchiveRepository archiveRecords, CheckpointKeys keys) {
        this.enabled = settings.enabled();
        this.directory = settings.directory();
        this.segmentRecords = settings.segmentRecords();
        this.sealAfter = settings.sealAfter();
        this.tx = tx;
        this.archiveRecords = archiveRecords;
        this.keys = keys;
    }

    @Inject
    void registerMetrics(MeterRegistry registry) {
        if (enabled) {
            Gauges.register(registry, "palisade.audit.archive.last.seal.age", Tags.empty(), Gauge.builder("palisade.audit.archive.last.seal.age",
                    this, writer -> Duration.between(writer.lastSeal, Instant.now()).toSeconds())
                    .description("since the archive last sealed a segment (or started)").baseUnit("seconds"));
        }
    }

    /** Whether this instance is the archiver. */
    public boolean enabled() {
        return enabled;
    }

    private final Map<String, Head> heads = new TreeMap<>();
    /** What the archive holds, as of the end of the last round: read by the checkpointer without waiting for a round. */
    private volatile Map<String, Head> archived = Map.of();
    private final Map<String, Long> checkpointed = new TreeMap<>();
    private final Set<String> stalled = new HashSet<>();
    /** When a segment was last sealed (or the writer started): a growing age means the archive stopped taking in. */
    private volatile Instant lastSeal = Instant.now();
    private FileChannel lockChannel;
    private FileLock lock;
    private FileChannel out;
    /** Lines appended to the open segment, not yet written to it (writeOut). */
    private final ByteArrayOutputStream unwritten = new ByteArrayOutputStream();
    /** Lines written to the open segment since it was last forced to disk. */
    private boolean unforced;
    private long segment;
    private int lines;
    private Instant openedAt;

    @Scheduled(every = "${palisade.audit.archive.every}", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    synchronized void archive() {
        if (!enabled) {
            return;
        }
        try {
            if (!locked()) {
                return;
            }
            if (out == null) {
                resume();
            }
            for (ArchiveRepository.ChainHead chain : query(DbScope.anonymous(), archiveRecords::heads)) {
                Head head = heads.get(chain.chain());
                long archivedSeq = head == null ? 0 : head.seq();
                boolean newEntries = chain.lastSeq() > archivedSeq;
                boolean newCheckpoints = chain.lastCheckpointSeq() > checkpointed.getOrDefault(chain.chain(), 0L);
                if (!stalled.contains(chain.chain()) && (newEntries || newCheckpoints)) {
                    archiveChain(chain.chain(), chain.lastSeq(), newCheckpoints);
                }
            }
            if (lines > 1 && Instant.now().isAfter(openedAt.plus(sealAfter))) {
                seal();
            }
            // On disk before the checkpointer learns of it: it signs only what the archive holds.
            writeOut(false);
            archived = Map.copyOf(heads);
        } catch (IOException | RuntimeException e) {
            LOG.errorf("audit archive: not written this round, will resume from the files: %s", e.toString());
            closeSegment();
        }
    }

    /** Each chain's archived head (empty until the archive has resumed from its files). */
    public Map<String, Head> archivedHeads() {
        return archived;
    }

    /** A chain's entries up to {@code lastSeq}, then its checkpoints, read only when the heads showed a new one. */
    private void archiveChain(String chain, long lastSeq, boolean newCheckpoints) throws IOException {
        Head head = heads.get(chain);
        while (head == null || head.seq() < lastSeq) {
            long after = head == null ? 0 : head.seq();
            // Under the chain's own scope: its entries, with the exact text each hash covers.
            List<JsonObject> batch = query(Chains.scope(chain), c -> archiveRecords.entriesAfter(c, chain, after, BATCH)).stream()
                    .map(e -> new JsonObject().put("type", "entry").put("chainKey", chain).put("chainSeq", e.seq()).put("eventId", e.eventId().toString())
                            .put("prevHash", e.prevHash()).put("hash", e.hash()).put("entry", e.entryText()))
                    .toList();
            for (JsonObject entry : batch) {
                long seq = entry.getLong("chainSeq");
                String previous = head == null ? null : head.hash();
                boolean follows = seq == (head == null ? 1 : head.seq() + 1) && java.util.Objects.equals(previous, entry.getString("prevHash"))
                        && entry.getString("hash").equals(ArchiveVerifier.entryHash(previous, chain, seq, entry.getString("eventId"), entry.getString("entry")));
                if (!follows) {
                    LOG.errorf("audit archive: entry %d of chain %s does not continue the archived chain; the chain is not archived further"
                            + " (check it with GET /audit/verify)", seq, chain);
                    stalled.add(chain);
                    return;
                }
                // The state first: a full segment is sealed inside append, naming the heads. A failed write makes the
                // writer resume from the files, which resets this state.
                head = new Head(seq, entry.getString("hash"));
                heads.put(chain, head);
                append(entry);
            }
            if (batch.size() < BATCH) {
                break;
            }
        }
        if (head != null && newCheckpoints) {
            archiveCheckpoints(chain, head.seq());
        }
    }

    private void archiveCheckpoints(String chain, long upTo) throws IOException {
        long after = checkpointed.getOrDefault(chain, 0L);
        // The chain's checkpoints in (after, upTo], with the ledger's hash at each position, under the chain's own scope.
        List<JsonObject> found = query(Chains.scope(chain), c -> archiveRecords.checkpoints(c, chain, after, upTo)).stream()
                .map(cp -> new JsonObject().put("type", "checkpoint").put("chainKey", chain).put("chainSeq", cp.seq())
                        .put("headHash", cp.headHash()).put("signedAt", cp.signedAt().toInstant().toString())
                        .put("keyId", cp.keyId()).put("signature", cp.signature()).put("ledgerHash", cp.ledgerHash()))
                .toList();
        for (JsonObject cp : found) {
            long seq = cp.getLong("chainSeq");
            String statement = ArchiveVerifier.checkpointStatement(chain, seq, cp.getString("headHash"), cp.getString("signedAt"));
            checkpointed.put(chain, seq);
            if (keys.verify(cp.getString("keyId"), statement, cp.getString("signature")) && cp.getString("headHash").equals(cp.remove("ledgerHash"))) {
                append(cp);
            } else {
                LOG.errorf("audit archive: the checkpoint of entry %d of chain %s does not verify; left out", seq, chain);
            }
        }
    }

    private void seal() throws IOException {
        writeOut(true);
        byte[] before = Files.readAllBytes(directory.resolve(ArchiveVerifier.segmentFileName(segment, true)));
        String digest = ArchiveVerifier.sha256Hex(before);
        JsonObject sealedHeads = new JsonObject();
        heads.forEach((chain, head) -> sealedHeads.put(chain, new JsonObject().put("seq", head.seq()).put("hash", head.hash())));
        JsonObject sealedCheckpoints = new JsonObject();
        checkpointed.forEach(sealedCheckpoints::put);
        byte[] sealLine = write(new JsonObject().put("type", "seal").put("segment", segment).put("lines", lines).put("sha256", digest)
                .put("heads", sealedHeads).put("checkpoints", sealedCheckpoints).put("sealedAt", Instant.now().toString())
                .put("keyId", keys.currentKeyId()).put("signature", keys.sign(ArchiveVerifier.sealStatement(segment, digest))));
        writeOut(true);
        out.close();
        out = null;
        finishSeal(segment, ArchiveVerifier.sha256Hex(concat(before, sealLine)));
        LOG.infof("audit archive: segment %d sealed", segment - 1);
    }

    /** Renames a sealed segment, makes it read-only and starts the next one naming its digest (of the whole file). */
    private void finishSeal(long number, String sealedDigest) throws IOException {
        Path sealed = directory.resolve(ArchiveVerifier.segmentFileName(number, false));
        Files.move(directory.resolve(ArchiveVerifier.segmentFileName(number, true)), sealed, StandardCopyOption.ATOMIC_MOVE);
        Files.setPosixFilePermissions(sealed, PosixFilePermissions.fromString("r--r--r--"));
        lastSeal = Instant.now();
        startSegment(number + 1, sealedDigest);
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    /** Reads the last seal and the open segment back, so the writer continues exactly where the files end. */
    private void resume() throws IOException {
        heads.clear();
        checkpointed.clear();
        TreeSet<Long> sealedNumbers = new TreeSet<>();
        Long openNumber = null;
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Matcher m = SEGMENT.matcher(file.getFileName().toString());
                if (m.matches() && m.group(2) == null) {
                    sealedNumbers.add(Long.parseLong(m.group(1)));
                } else if (m.matches()) {
                    openNumber = Long.parseLong(m.group(1));
                }
            }
        }
        long lastSealed = sealedNumbers.isEmpty() ? 0 : sealedNumbers.last();
        String previousDigest = null;
        if (lastSealed > 0) {
            Path last = directory.resolve(ArchiveVerifier.segmentFileName(lastSealed, false));
            // A crash between the rename and the permission change left it writable.
            Files.setPosixFilePermissions(last, PosixFilePermissions.fromString("r--r--r--"));
            byte[] bytes = Files.readAllBytes(last);
            previousDigest = ArchiveVerifier.sha256Hex(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8).stripTrailing();
            JsonObject seal = new JsonObject(text.substring(text.lastIndexOf('\n') + 1));
            seal.getJsonObject("heads").forEach(h -> heads.put(h.getKey(),
                    new Head(((JsonObject) h.getValue()).getLong("seq"), ((JsonObject) h.getValue()).getString("hash"))));
            seal.getJsonObject("checkpoints").forEach(cp -> checkpointed.put(cp.getKey(), ((Number) cp.getValue()).longValue()));
        }
        if (openNumber == null) {
            startSegment(lastSealed + 1, previousDigest);
            return;
        }
        if (openNumber != lastSealed + 1) {
            throw new IOException("the open segment " + openNumber + " does not follow the last sealed one " + lastSealed);
        }
        Path open = directory.resolve(ArchiveVerifier.segmentFileName(openNumber, true));
        byte[] bytes = Files.readAllBytes(open);
        int complete = bytes.length;
        while (complete > 0 && bytes[complete - 1] != '\n') {
            complete--;
        }
        segment = openNumber;
        out = FileChannel.open(open, StandardOpenOption.WRITE);
        // A line cut off by a crash is dropped; the entry it held is written again from the ledger. What is read back
        // may never have been forced (a crash between writing and forcing): forced now, before any of it is taken
        // for archived, sealed or signed.
        out.truncate(complete);
        out.position(complete);
        out.force(true);
        lines = 0;
        int lineStart = 0;
        for (String line : new String(bytes, 0, complete, StandardCharsets.UTF_8).split("\n")) {
            if (line.isEmpty()) {
                lineStart++;
                continue;
            }
            JsonObject record = new JsonObject(line);
            if ("seal".equals(record.getString("type"))) {
                // Sealed, but the crash came before the rename: finish it, if the seal is its own.
                String before = ArchiveVerifier.sha256Hex(java.util.Arrays.copyOf(bytes, lineStart));
                if (!before.equals(record.getString("sha256"))) {
                    throw new IOException("the open segment " + openNumber + " ends in a seal that does not match it");
                }
                out.close();
                finishSeal(openNumber, ArchiveVerifier.sha256Hex(java.util.Arrays.copyOf(bytes, complete)));
                return;
            }
            lineStart += line.getBytes(StandardCharsets.UTF_8).length + 1;
            lines++;
            switch (record.getString("type")) {
                case "segment" -> openedAt = Instant.parse(record.getString("createdAt"));
                case "entry" -> heads.put(record.getString("chainKey"), new Head(record.getLong("chainSeq"), record.getString("hash")));
                case "checkpoint" -> checkpointed.put(record.getString("chainKey"), record.getLong("chainSeq"));
                default -> throw new IOException("unexpected " + record.getString("type") + " line in the open segment");
            }
        }
        if (lines == 0) {
            out.close();
            Files.delete(open);
            startSegment(openNumber, previousDigest);
        }
    }

    private void startSegment(long number, String previousDigest) throws IOException {
        segment = number;
        lines = 0;
        openedAt = Instant.now();
        out = FileChannel.open(directory.resolve(ArchiveVerifier.segmentFileName(number, true)), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        write(new JsonObject().put("type", "segment").put("segment", number).put("previous", previousDigest).put("createdAt", openedAt.toString()));
        writeOut(true);
    }

    /** An entry or checkpoint; the segment is sealed as soon as it is full. */
    private void append(JsonObject record) throws IOException {
        write(record);
        if (lines - 1 >= segmentRecords) {
            seal();
        }
    }

    /**
     * Appends one line to what the segment is yet to be written, written once that holds a megabyte (a backlog's round
     * is not held in memory); returns its bytes.
     */
    private byte[] write(JsonObject record) throws IOException {
        byte[] line = (record.encode() + "\n").getBytes(StandardCharsets.UTF_8);
        unwritten.write(line, 0, line.length);
        lines++;
        if (unwritten.size() >= UNWRITTEN_LIMIT) {
            drain();
        }
        return line;
    }

    /**
     * Writes what is left of the lines and forces them to disk (with the file's metadata too when {@code metadata}):
     * once a round, not once a line, as a crash loses only what the files do not hold, which the writer then takes
     * from the ledger again.
     */
    private void writeOut(boolean metadata) throws IOException {
        drain();
        if (unforced || metadata) {
            out.force(metadata);
            unforced = false;
        }
    }

    private void drain() throws IOException {
        if (unwritten.size() == 0) {
            return;
        }
        ByteBuffer bytes = ByteBuffer.wrap(unwritten.toByteArray());
        unwritten.reset();
        unforced = true;
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    /** One writer per directory: the lock is held as long as this instance runs. */
    private boolean locked() throws IOException {
        if (lock != null) {
            return true;
        }
        Files.createDirectories(directory);
        lockChannel = FileChannel.open(directory.resolve(".writer.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        lock = lockChannel.tryLock();
        if (lock == null) {
            lockChannel.close();
            lockChannel = null;
            LOG.warnf("audit archive: another writer holds %s; this instance does not write it", directory);
            return false;
        }
        return true;
    }

    private <T> T query(DbScope scope, java.util.function.Function<SqlConnection, Uni<T>> work) {
        return tx.inBackground(scope, work).await().atMost(DB_TIMEOUT);
    }

    private void closeSegment() {
        unwritten.reset();
        unforced = false;
        try {
            if (out != null) {
                out.close();
            }
        } catch (IOException e) {
            LOG.warnf("audit archive: closing the open segment failed: %s", e.getMessage());
        }
        out = null;
    }

    @PreDestroy
    synchronized void close() {
        closeSegment();
        try {
            if (lock != null) {
                lock.release();
                lockChannel.close();
            }
        } catch (IOException e) {
            LOG.warnf("audit archive: releasing the lock failed: %s", e.getMessage());
        }
    }
}
