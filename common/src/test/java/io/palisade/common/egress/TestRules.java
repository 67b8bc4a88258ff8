package io.palisade.common.egress;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Egress rules for the egress tests: the shipped defaults, widened only by what a test names. */
record TestRules(boolean allowLoopback, Optional<List<String>> httpAllowedHosts, Optional<List<Integer>> allowedPorts,
        Optional<List<String>> allowedHosts, Duration connectTimeout, Duration totalTimeout, int maxResponseBytes) implements EgressRules {

    /** The defaults an operator who configured nothing gets (application.properties and EgressRules). */
    static TestRules defaults() {
        return new TestRules(false, Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofSeconds(5), Duration.ofSeconds(15), 65536);
    }

    TestRules withLoopback() {
        return new TestRules(true, httpAllowedHosts, allowedPorts, allowedHosts, connectTimeout, totalTimeout, maxResponseBytes);
    }

    TestRules withHttpAllowedHosts(String... hosts) {
        return new TestRules(allowLoopback, Optional.of(List.of(hosts)), allowedPorts, allowedHosts, connectTimeout, totalTimeout, maxResponseBytes);
    }

    TestRules withAllowedPorts(Integer... ports) {
        return new TestRules(allowLoopback, httpAllowedHosts, Optional.of(List.of(ports)), allowedHosts, connectTimeout, totalTimeout, maxResponseBytes);
    }

    TestRules withAllowedHosts(String... hosts) {
        return new TestRules(allowLoopback, httpAllowedHosts, allowedPorts, Optional.of(List.of(hosts)), connectTimeout, totalTimeout, maxResponseBytes);
    }

    TestRules withTimeouts(Duration connect, Duration total) {
        return new TestRules(allowLoopback, httpAllowedHosts, allowedPorts, allowedHosts, connect, total, maxResponseBytes);
    }

    TestRules withMaxResponseBytes(int bytes) {
        return new TestRules(allowLoopback, httpAllowedHosts, allowedPorts, allowedHosts, connectTimeout, totalTimeout, bytes);
    }

    @Override
    public List<String> deniedHosts() {
        return List.of("localhost", "*.localhost", "*.local", "*.internal", "*.home.arpa", "metadata.google.internal");
    }

    @Override
    public Optional<String> trustStore() {
        return Optional.empty();
    }

    @Override
    public Optional<String> trustStorePassword() {
        return Optional.empty();
    }
}
