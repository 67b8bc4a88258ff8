package io.palisade.common.egress;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * IPv4 addresses in every form a URL parser or resolver may accept (inet_aton): one to four parts, each decimal,
 * octal (leading 0) or hexadecimal (0x); the last part fills the remaining bytes. {@code 2130706433},
 * {@code 0x7f.1}, {@code 0177.0.0.1} and {@code 127.1} are all 127.0.0.1. Normalising them first means the address
 * check sees the address the connection would reach.
 */
public final class Ipv4Literal {

    // Compiled once: every delivery attempt checks its URL.
    private static final Pattern NUMERIC_LABEL = Pattern.compile("(?i)0x[0-9a-f]*|[0-9]+");
    private static final Pattern HEXADECIMAL = Pattern.compile("(?i)0x[0-9a-f]{0,8}");
    private static final Pattern OCTAL = Pattern.compile("0[0-7]{1,11}");
    private static final Pattern DECIMAL = Pattern.compile("[1-9][0-9]{0,9}|0");

    private Ipv4Literal() {
    }

    /** The four bytes, when the host is an IPv4 literal in any of those forms. */
    public static Optional<byte[]> parse(String host) {
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (h.isEmpty()) {
            return Optional.empty();
        }
        String[] parts = h.split("\\.", -1);
        if (parts.length > 4) {
            return Optional.empty();
        }
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            Long value = number(parts[i]);
            if (value == null) {
                return Optional.empty();
            }
            values[i] = value;
        }
        long address = 0;
        for (int i = 0; i < values.length - 1; i++) {
            if (values[i] > 255) {
                return Optional.empty();
            }
            address = (address << 8) | values[i];
        }
        int lastBytes = 4 - (values.length - 1);
        long last = values[values.length - 1];
        if (last >= (1L << (8 * lastBytes))) {
            return Optional.empty();
        }
        address = (address << (8 * lastBytes)) | last;
        return Optional.of(new byte[] { (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address });
    }

    /** Whether a host looks like an attempt at a numeric address (every label numeric): such a host is never looked up by name. */
    public static boolean looksNumeric(String host) {
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String lastLabel = h.substring(h.lastIndexOf('.') + 1);
        return !lastLabel.isEmpty() && NUMERIC_LABEL.matcher(lastLabel).matches();
    }

    private static Long number(String part) {
        try {
            if (HEXADECIMAL.matcher(part).matches()) {
                return part.length() == 2 ? 0L : Long.parseLong(part.substring(2), 16);
            }
            if (OCTAL.matcher(part).matches()) {
                return Long.parseLong(part, 8);
            }
            if (DECIMAL.matcher(part).matches()) {
                return Long.parseLong(part);
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return null;
    }
}
