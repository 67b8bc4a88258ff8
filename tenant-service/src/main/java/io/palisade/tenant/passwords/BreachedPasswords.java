package io.palisade.tenant.passwords;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The offline breached-password corpus shipped with the service: 426,886 passwords from public breach
 * compilations in a Bloom filter (1.3 MB, one false positive in 100,000 lookups). How it was built:
 * docs/passwords.md.
 */
@ApplicationScoped
public class BreachedPasswords {

    static final String RESOURCE = "/passwords/breached.bloom";

    private BloomFilter filter;

    @PostConstruct
    void load() {
        try (InputStream in = BreachedPasswords.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the breached-password corpus " + RESOURCE + " is missing");
            }
            filter = BloomFilter.readFrom(new BufferedInputStream(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As typed, or in lower case: "Password123!" is no better than "password123!". */
    public boolean contains(String password) {
        return filter.mightContain(password) || filter.mightContain(password.toLowerCase(Locale.ROOT));
    }

    public int size() {
        return filter.entries();
    }
}
