package io.palisade.deployment.charts;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;

/**
 * What a set of rendered NetworkPolicies lets through, evaluated as the NetworkPolicy API defines it: a pod selected by
 * no policy of a direction is open in it; a selected pod allows what any rule of any selecting policy allows. All
 * pods live in the release's namespace unless a peer names another by its labels.
 */
record NetworkPolicies(List<Node> policies, String namespace) {

    /** A pod (labels, namespace labels) or an address outside the cluster (ip). */
    record Endpoint(Map<String, Object> labels, Map<String, Object> namespaceLabels, String ip) {

        static Endpoint pod(Map<String, Object> labels) {
            return new Endpoint(labels, null, null);
        }

        static Endpoint pod(Map<String, Object> labels, Map<String, Object> namespaceLabels) {
            return new Endpoint(labels, namespaceLabels, null);
        }

        static Endpoint address(String ip) {
            return new Endpoint(Map.of(), null, ip);
        }
    }

    /** Whether {@code from} may open a connection to {@code to} on the port: egress of one, ingress of the other. */
    boolean allows(Endpoint from, Endpoint to, String protocol, int port) {
        boolean egress = from.ip() != null || direction(from, "Egress", "egress", "to", to, protocol, port);
        boolean ingress = to.ip() != null || direction(to, "Ingress", "ingress", "from", from, protocol, port);
        return egress && ingress;
    }

    private boolean direction(Endpoint subject, String type, String rulesKey, String peersKey, Endpoint peer, String protocol, int port) {
        if (subject.namespaceLabels() != null && !namespace.equals(subject.namespaceLabels().get("kubernetes.io/metadata.name"))) {
            return true; // another namespace: these policies do not apply to it
        }
        boolean selected = false;
        for (Node policy : policies) {
            if (!selects(policy.get("spec.podSelector"), subject.labels()) || !types(policy).contains(type)) {
                continue;
            }
            selected = true;
            for (Node rule : policy.list("spec." + rulesKey)) {
                if (portMatches(rule, protocol, port) && peerMatches(rule.list(peersKey), peer)) {
                    return true;
                }
            }
        }
        return !selected;
    }

    private static List<String> types(Node policy) {
        Object types = policy.get("spec.policyTypes").value();
        return types == null ? List.of("Ingress") : ((List<?>) types).stream().map(String::valueOf).toList();
    }

    private boolean peerMatches(List<Node> peers, Endpoint peer) {
        if (peers.isEmpty()) {
            return true;
        }
        for (Node candidate : peers) {
            if (candidate.get("ipBlock").present()) {
                if (peer.ip() != null && within(peer.ip(), candidate.text("ipBlock.cidr"))
                        && candidate.list("ipBlock.except").stream().noneMatch(e -> within(peer.ip(), e.text()))) {
                    return true;
                }
                continue;
            }
            if (peer.ip() != null) {
                continue;
            }
            boolean namespaceOk = candidate.get("namespaceSelector").present()
                    ? selects(candidate.get("namespaceSelector"), peer.namespaceLabels() == null
                            ? Map.of("kubernetes.io/metadata.name", namespace) : peer.namespaceLabels())
                    : peer.namespaceLabels() == null || namespace.equals(peer.namespaceLabels().get("kubernetes.io/metadata.name"));
            boolean podOk = !candidate.get("podSelector").present() || selects(candidate.get("podSelector"), peer.labels());
            if (namespaceOk && podOk) {
                return true;
            }
        }
        return false;
    }

    private static boolean portMatches(Node rule, String protocol, int port) {
        List<Node> ports = rule.list("ports");
        if (ports.isEmpty()) {
            return true;
        }
        for (Node candidate : ports) {
            String number = candidate.text("port");
            // Every Palisade container names its API port "http" (8080) and its management port "management" (9000).
            int value = "http".equals(number) ? 8080 : "management".equals(number) ? 9000 : Integer.parseInt(number);
            if (value == port && protocol.equals(candidate.get("protocol").present() ? candidate.text("protocol") : "TCP")) {
                return true;
            }
        }
        return false;
    }

    static boolean selects(Node selector, Map<String, Object> labels) {
        if (!selector.present()) {
            return true;
        }
        if (!labels.entrySet().containsAll(selector.get("matchLabels").map().entrySet())) {
            return false;
        }
        for (Node expression : selector.list("matchExpressions")) {
            Object value = labels.get(expression.text("key"));
            boolean in = value != null && ((List<?>) expression.get("values").value()).contains(value);
            if (expression.text("operator").equals("In") != in) {
                return false;
            }
        }
        return true;
    }

    static boolean within(String ip, String cidr) {
        try {
            String[] parts = cidr.split("/");
            byte[] address = InetAddress.getByName(ip).getAddress();
            byte[] network = InetAddress.getByName(parts[0]).getAddress();
            if (address.length != network.length) {
                return false;
            }
            int bits = address.length * 8;
            int prefix = Integer.parseInt(parts[1]);
            BigInteger mask = prefix == 0 ? BigInteger.ZERO : BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE).shiftRight(bits - prefix).shiftLeft(bits - prefix);
            return new BigInteger(1, address).and(mask).equals(new BigInteger(1, network).and(mask));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip + " / " + cidr, e);
        }
    }
}
