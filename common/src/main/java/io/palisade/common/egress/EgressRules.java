package io.palisade.common.egress;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.WithDefault;

/**
 * Where Palisade may connect on a tenant's behalf (a tenant's webhook endpoint, a tenant's identity provider); the
 * defaults are the safe ones. Each use has its own settings: a service maps them with its own prefix
 * ({@code palisade.webhooks.egress.*}, {@code palisade.sso.egress.*}) by extending this interface.
 */
public interface EgressRules {

    /** Loopback addresses are refused unless this is on (tests that deliver to a local receiver only). */
    @WithDefault("false")
    boolean allowLoopback();

    /** Hosts to which plain http is allowed (exact names or *.suffix); https only everywhere else. */
    Optional<List<String>> httpAllowedHosts();

    /** Ports allowed besides the scheme's default (443, or 80 where http is allowed). */
    Optional<List<Integer>> allowedPorts();

    /** When set, the only hosts that may be reached (exact names or *.suffix). */
    Optional<List<String>> allowedHosts();

    /** Hosts never reached, whatever they resolve to. */
    @WithDefault("localhost,*.localhost,*.local,*.internal,*.home.arpa,metadata.google.internal")
    List<String> deniedHosts();

    @WithDefault("5s")
    java.time.Duration connectTimeout();

    @WithDefault("15s")
    java.time.Duration totalTimeout();

    /** The most of a response body that is read (the rest is never read). */
    @WithDefault("65536")
    int maxResponseBytes();

    /** A PKCS#12 trust store replacing the JDK's CAs (tests with their own CA); unset in production. */
    Optional<String> trustStore();

    Optional<String> trustStorePassword();
}
