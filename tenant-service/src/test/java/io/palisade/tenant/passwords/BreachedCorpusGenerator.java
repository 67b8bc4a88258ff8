package io.palisade.tenant.passwords;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Builds the shipped breached-password filter from a password list, one per line (plain or gzip). How the
 * list was obtained and how to rerun this: docs/passwords.md.
 */
public final class BreachedCorpusGenerator {

    /** One false positive in 100,000 lookups of a password that is not in the list. */
    static final double FALSE_POSITIVE_RATE = 1e-5;

    private BreachedCorpusGenerator() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: BreachedCorpusGenerator <passwords.txt[.gz]> <out.bloom>");
            System.exit(2);
        }
        Set<String> passwords = new LinkedHashSet<>();
        try (InputStream raw = Files.newInputStream(Path.of(args[0]));
                InputStream in = args[0].endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (!line.isEmpty()) {
                    passwords.add(line);
                }
            }
        }
        BloomFilter filter = BloomFilter.sized(passwords.size(), FALSE_POSITIVE_RATE);
        passwords.forEach(filter::add);
        try (OutputStream out = Files.newOutputStream(Path.of(args[1]))) {
            filter.writeTo(out);
        }
        System.out.printf("%d passwords, %d bytes, expected false-positive rate %.2e%n", filter.entries(),
                Files.size(Path.of(args[1])), filter.expectedFalsePositiveRate());
    }
}
