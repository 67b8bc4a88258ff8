package io.palisade.audit.archive;

import java.nio.file.Path;
import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The write-once archive: sealed, hash-linked JSONL segments beside the ledger (a volume of its own in production, one
 * writer per directory).
 */
@ConfigMapping(prefix = "palisade.audit.archive")
public interface ArchiveSettings {

    /** Whether this instance writes the archive (and signs checkpoints); the chart enables it on one pod only. */
    @WithDefault("true")
    boolean enabled();

    @WithDefault("audit-archive")
    Path directory();

    /** A segment is sealed once it holds this many records... */
    @WithDefault("10000")
    int segmentRecords();

    /** ...or once it is this old. */
    @WithDefault("PT1H")
    Duration sealAfter();

    /** How often new entries and checkpoints are taken in. */
    @WithDefault("5s")
    Duration every();
}
