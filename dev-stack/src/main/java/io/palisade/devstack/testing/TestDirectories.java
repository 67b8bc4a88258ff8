package io.palisade.devstack.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fresh directories for what tests write (mail, logs, archives, broker data), under the module's {@code target/}
 * (Maven runs tests in the module's directory), never in the machine's temporary directory: a clean build removes
 * them, and nothing a test run writes lands outside the build output.
 */
public final class TestDirectories {

    private static final Path ROOT = Path.of("target", "test-dirs").toAbsolutePath();

    private TestDirectories() {
    }

    public static Path create(String prefix) {
        try {
            Files.createDirectories(ROOT);
            return Files.createTempDirectory(ROOT, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
