package io.palisade.common.egress;

import java.net.InetAddress;
import java.util.Optional;

/**
 * A URL that passed the egress rules: scheme, host (lower-case ASCII, brackets removed), port, request target,
 * and the address itself when the host is a literal (never looked up).
 */
public record CheckedUrl(String url, boolean https, String host, int port, String target, Optional<InetAddress> literal) {

    /** The Host header: the name as given, the port when it is not the scheme's default. */
    public String hostHeader() {
        String name = host.contains(":") ? "[" + host + "]" : host;
        return port == (https ? 443 : 80) ? name : name + ":" + port;
    }
}
