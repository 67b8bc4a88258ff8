package io.palisade.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.ServiceProcess.StartupCache;
import io.palisade.devstack.testing.TestDirectories;

/**
 * Which JVM options a service gets for its startup cache: a cache is used only when this JVM build recorded it after
 * the build of the service.
 */
class StartupCacheOptionsTest {

    private final Path build = TestDirectories.create("startup-cache");
    private final Path jar = build.resolve("quarkus-run.jar");
    private final Path cache = build.resolve("app.aot");

    @Test
    void aCacheRecordedByThisJvmAfterTheBuildIsUsed() throws Exception {
        assumeTrue(ServiceProcess.startupCacheSupported(), "JDK 25+");
        recorded();
        assertEquals(List.of("-XX:AOTCache=" + cache), ServiceProcess.cacheOptions(jar, StartupCache.USE));
    }

    @Test
    void aCacheOlderThanTheBuildIsNot() throws Exception {
        assumeTrue(ServiceProcess.startupCacheSupported(), "JDK 25+");
        recorded();
        written(jar, 300);
        assertEquals(List.of(), ServiceProcess.cacheOptions(jar, StartupCache.USE));
    }

    @Test
    void aCacheRecordedByAnotherJvmIsNot() throws Exception {
        assumeTrue(ServiceProcess.startupCacheSupported(), "JDK 25+");
        recorded();
        Files.writeString(build.resolve("app.aot.jvm"), "/usr/lib/jvm/another 25.0.1+8-LTS");
        assertEquals(List.of(), ServiceProcess.cacheOptions(jar, StartupCache.USE));
    }

    @Test
    void withoutACacheOrWhenToldNotToNothingIsAdded() throws Exception {
        assumeTrue(ServiceProcess.startupCacheSupported(), "JDK 25+");
        written(jar, 100);
        assertEquals(List.of(), ServiceProcess.cacheOptions(jar, StartupCache.USE));
        recorded();
        assertEquals(List.of(), ServiceProcess.cacheOptions(jar, StartupCache.NONE));
    }

    @Test
    void recordingStartsFromNoCacheAndWritesTheNewOne() throws Exception {
        written(jar, 100);
        written(cache, 200);
        if (ServiceProcess.startupCacheSupported()) {
            assertEquals("-XX:AOTCacheOutput=" + cache, ServiceProcess.cacheOptions(jar, StartupCache.RECORD).get(0));
            assertFalse(Files.exists(cache), "the old cache is gone before the recording run");
        } else {
            assertThrows(IllegalStateException.class, () -> ServiceProcess.cacheOptions(jar, StartupCache.RECORD));
        }
    }

    /** The build at t=100, then a recording run of this JVM whose cache appears at t=200. */
    private void recorded() throws Exception {
        written(jar, 100);
        ServiceProcess.cacheOptions(jar, StartupCache.RECORD);
        written(cache, 200);
    }

    private static void written(Path file, long epochSecond) throws Exception {
        Files.writeString(file, file.getFileName().toString());
        Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(epochSecond)));
    }
}
