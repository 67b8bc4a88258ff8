package io.palisade.deployment.charts;

/** Which backend an Ingress rule sends a path to, as the Ingress API defines matching (Exact, then the longest Prefix). */
final class IngressRoutes {

    private IngressRoutes() {
    }

    /** The Service a request for {@code path} on the rule's host reaches, or null when no path of the rule matches. */
    static String route(Node rule, String path) {
        String best = null;
        int bestLength = -1;
        for (Node candidate : rule.list("http.paths")) {
            String prefix = candidate.text("path");
            boolean matches = switch (candidate.text("pathType")) {
                case "Exact" -> path.equals(prefix);
                // Element-wise: /guest matches /guest and /guest/x, never /guests.
                case "Prefix" -> prefix.equals("/") || path.equals(prefix) || path.startsWith(prefix.endsWith("/") ? prefix : prefix + "/");
                default -> throw new IllegalArgumentException("path type " + candidate.text("pathType"));
            };
            int length = candidate.text("pathType").equals("Exact") ? Integer.MAX_VALUE : prefix.length();
            if (matches && length > bestLength) {
                best = candidate.text("backend.service.name");
                bestLength = length;
            }
        }
        return best;
    }
}
