package io.palisade.deployment.charts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.palisade.devstack.ServiceProcess;
import io.palisade.devstack.ServiceSpec;
import io.palisade.devstack.testing.OpenApiOperations;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestAuthenticator;
import io.palisade.devstack.testing.TestDirectories;
import io.palisade.gate.IsolationGate;

/**
 * The chart's pods, started for real: each rendered migration Job's and Deployment's environment, secrets resolved from
 * test values (random, as PalisadeTestStack makes them), the database and broker hosts pointed at dev-stack's, run with
 * exactly that environment (prod profile: no dev-only secret passes). The Jobs run in hook order and exit 0; every
 * service becomes ready, fetches the signing keys from tenant-service's in-cluster address and serves an authenticated
 * request (that every variable is a setting the service reads, ConfigContractIT checks).
 * <p>
 * What differs from a cluster, and only that: each pod's ports 8080 and 9000 become free ports here, and a Service's address
 * (palisade-tenant-service:8080) the matching local one; the archive volume is a temporary directory.
 */
class ChartBootIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final int GATE_WEBHOOK_PORT = 9;

    private static final List<ServiceProcess> running = new ArrayList<>();
    private static Map<String, String> secrets;
    private static final Map<String, Integer> ports = new HashMap<>();
    private static final Map<String, Integer> managementPorts = new HashMap<>();
    private static Chart.Rendered rendered;

    @BeforeAll
    static void renderAndStartEveryPod() throws Exception {
        PalisadeTestStack stack = PalisadeTestStack.get();
        Map<String, Object> values = new HashMap<>();
        values.put("hooks.renderAsManifests", true);
        values.put("gate.enabled", false);
        values.put("database.host", "127.0.0.1");
        values.put("database.port", stack.postgresPort());
        values.put("database.tls.enabled", false);
        values.put("kafka.bootstrapServers", stack.kafka().bootstrapServers());
        values.put("kafka.tls.enabled", false);
        values.put("ingress.enabled", true);
        values.put("ingress.trustedProxies[0]", "127.0.0.1/32");
        // The gate's webhook endpoint points here (registered, never called); there is no DNS in this sandbox.
        values.put("webhooks.allowedPorts[0]", GATE_WEBHOOK_PORT);
        values.put("services.webhook-service.env.PALISADE_WEBHOOKS_EGRESS_ALLOW_LOOPBACK", "true");
        values.put("services.webhook-service.env.PALISADE_WEBHOOKS_EGRESS_HTTP_ALLOWED_HOSTS", "127.0.0.1");
        rendered = Chart.APP.render(Chart.KUBE_VERSIONS.get(4), values);
        secrets = secrets(stack);
        Path home = TestDirectories.create("chart-boot");
        for (ServiceSpec service : ServiceSpec.ALL) {
            ports.put("palisade-" + service.name(), PalisadeTestStack.freePort());
            managementPorts.put("palisade-" + service.name(), PalisadeTestStack.freePort());
        }
        ports.put("palisade-audit-archiver", PalisadeTestStack.freePort());
        managementPorts.put("palisade-audit-archiver", PalisadeTestStack.freePort());

        List<Node> migrations = rendered.kind("Job").stream().filter(j -> j.name().startsWith("palisade-migrate-"))
                .sorted(Comparator.comparingInt(j -> Integer.parseInt(j.annotations().get("palisade.io/rendered-hook-weight").toString())))
                .toList();
        for (Node job : migrations) {
            ServiceSpec service = serviceOf(job);
            Path log = home.resolve(job.name() + ".log");
            ServiceProcess.startWithEnvironment(ROOT, service, environment(job, secrets, home), log).awaitExit(Duration.ofSeconds(180), log);
        }
        for (Node deployment : rendered.kind("Deployment")) {
            Path log = home.resolve(deployment.name() + ".log");
            running.add(ServiceProcess.startWithEnvironment(ROOT, serviceOf(deployment), environment(deployment, secrets, home), log));
        }
        int i = 0;
        for (Node deployment : rendered.kind("Deployment")) {
            running.get(i++).awaitReady("http://127.0.0.1:" + managementPorts.get(deployment.name()), Duration.ofSeconds(180));
        }
    }

    @AfterAll
    static void stopAll() {
        running.forEach(ServiceProcess::close);
    }

    /** The Secrets an operator would create, with this run's random values. */
    private static Map<String, String> secrets(PalisadeTestStack stack) {
        Map<String, String> secrets = new HashMap<>();
        stack.rolePasswords().forEach((role, password) -> secrets.put("palisade-db-" + role.replace('_', '-') + "/password", password));
        for (ServiceSpec service : ServiceSpec.ALL) {
            secrets.put(service.name() + "/sasl.jaas.config", stack.kafka().clientSettings(service.name()).get("sasl.jaas.config"));
        }
        var keys = stack.keys();
        secrets.put("palisade-keys/master-key", keys.masterKey());
        secrets.put("palisade-keys/lookup-key", keys.lookupKey());
        secrets.put("palisade-keys/payment-token-key", keys.paymentTokenKey());
        secrets.put("palisade-keys/booking-token-key", keys.bookingTokenKey());
        secrets.put("palisade-keys/audit-checkpoint-key", keys.auditCheckpointKey());
        secrets.put("palisade-stripe/secret-key", "sk_test_" + UUID.randomUUID().toString().replace("-", ""));
        secrets.put("palisade-stripe/publishable-key", "pk_test_" + UUID.randomUUID().toString().replace("-", ""));
        secrets.put("palisade-stripe/webhook-secrets", "whsec_" + UUID.randomUUID().toString().replace("-", ""));
        secrets.put("palisade-platform-admin/email", "platform-admin@boot.test");
        secrets.put("palisade-platform-admin/password", "Boot-" + UUID.randomUUID());
        secrets.put("palisade-isolation-gate/password", "Gate-" + UUID.randomUUID());
        secrets.put("palisade-smtp/username", "palisade");
        secrets.put("palisade-smtp/password", UUID.randomUUID().toString());
        return secrets;
    }

    private static ServiceSpec serviceOf(Node workload) {
        return ServiceSpec.named(workload.get("metadata.labels").map().get("app.kubernetes.io/name").toString());
    }

    /** A pod's environment as the kubelet would give it, with the two local substitutions of the class comment. */
    private static Map<String, String> environment(Node workload, Map<String, String> secrets, Path home) throws Exception {
        Node container = workload.list("spec.template.spec.containers").get(0);
        Map<String, String> env = new LinkedHashMap<>();
        for (Node variable : container.list("env")) {
            String value;
            if (variable.get("valueFrom.secretKeyRef").present()) {
                String ref = variable.text("valueFrom.secretKeyRef.name") + "/" + variable.text("valueFrom.secretKeyRef.key");
                value = secrets.get(ref);
                assertTrue(value != null, workload + " reads " + ref + ", which no Secret of the install has");
            } else {
                value = variable.text("value");
            }
            for (var port : ports.entrySet()) {
                value = value.replace(port.getKey() + ":8080", "127.0.0.1:" + port.getValue());
            }
            env.put(variable.text("name"), value);
        }
        if (workload.kind().equals("Deployment")) {
            env.put("QUARKUS_HTTP_PORT", String.valueOf(ports.get(workload.name())));
            env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPorts.get(workload.name())));
        } else {
            env.put("QUARKUS_HTTP_PORT", "0");
            env.put("QUARKUS_MANAGEMENT_PORT", "0");
        }
        if (env.containsKey("PALISADE_AUDIT_ARCHIVE_DIRECTORY")) {
            env.put("PALISADE_AUDIT_ARCHIVE_DIRECTORY", Files.createDirectories(home.resolve("audit-archive")).toString());
        }
        return env;
    }

    @Test
    void everyServiceServesAnAuthenticatedRequestWithTheChartsEnvironment() throws Exception {
        // Signup continues by mail, which no pod here can deliver: the owner of a tenant the migration Job keeps for the gate.
        String slug = "isolation-gate-a";
        String token = gateOwnerToken(slug);
        Map<String, String> reads = Map.of("palisade-tenant-service", "/tenant", "palisade-booking-service", "/offerings",
                "palisade-payment-service", "/payments?limit=1", "palisade-audit-service", "/audit/entries?limit=1",
                "palisade-webhook-service", "/webhooks/endpoints");
        for (var read : reads.entrySet()) {
            HttpResponse<String> answer = send(read.getKey(), "GET", read.getValue(), token, null);
            assertEquals(200, answer.statusCode(), read + ": " + answer.body());
            HttpResponse<String> anonymous = send(read.getKey(), "GET", read.getValue(), null, null);
            assertEquals(401, anonymous.statusCode(), read + " without a token");
        }
        JsonNode tenant = JSON.readTree(send("palisade-tenant-service", "GET", "/tenant", token, null).body());
        assertEquals(slug, tenant.path("slug").asText());
    }

    @Test
    void theIngressRoutesEveryOperationToTheServiceThatServesItAndNothingUnderQ() {
        Node ingress = rendered.kind("Ingress").get(0);
        List<String> misrouted = new ArrayList<>();
        java.util.Set<String> usedRoutes = new java.util.HashSet<>();
        for (ServiceSpec service : ServiceSpec.ALL) {
            String name = "palisade-" + service.name();
            String host = ingress.list("spec.rules").stream().filter(rule -> rule.list("http.paths").stream()
                    .anyMatch(p -> p.text("backend.service.name").equals(name))).findFirst().orElseThrow().text("host");
            for (String operation : OpenApiOperations.of("http://127.0.0.1:" + ports.get(name))) {
                // A request for the operation, path parameters filled in.
                String path = operation.substring(operation.indexOf(' ') + 1).replaceAll("\\{[^}]+}", "x");
                for (Node rule : ingress.list("spec.rules")) {
                    String reached = IngressRoutes.route(rule, path);
                    boolean ownHost = rule.text("host").equals(host);
                    if (ownHost && name.equals(reached)) {
                        usedRoutes.add(host + path.replaceAll("^(/[^/]+).*", "$1"));
                    }
                    if (ownHost && !name.equals(reached)) {
                        misrouted.add(operation + " of " + service.name() + " reaches " + reached + " on " + host);
                    }
                    if (!ownHost && name.equals(reached)) {
                        misrouted.add(operation + " of " + service.name() + " is also routed on " + rule.text("host"));
                    }
                }
            }
            for (String internal : List.of("/q/health/ready", "/q/metrics", "/q/openapi", "/q/health")) {
                ingress.list("spec.rules").forEach(rule -> {
                    if (IngressRoutes.route(rule, internal) != null) {
                        misrouted.add(internal + " is routed on " + rule.text("host"));
                    }
                });
            }
        }
        assertEquals(List.of(), misrouted);
        List<String> stale = new ArrayList<>();
        for (Node rule : ingress.list("spec.rules")) {
            rule.list("http.paths").stream().map(p -> rule.text("host") + p.text("path")).filter(route -> !usedRoutes.contains(route)).forEach(stale::add);
        }
        assertEquals(List.of(), stale, "routes no operation uses (files/routes.yaml)");
    }

    /**
     * A platform admin's support session, on the whole platform, leaves nothing behind: it cannot register a webhook
     * endpoint, mint gift-card value or refund, and the database refuses those writes under a support scope whatever
     * the application would do.
     */
    @Test
    void aSupportSessionRegistersNoEndpointAndMintsNoValue() throws Exception {
        String slug = "isolation-gate-b";
        String owner = gateOwnerToken(slug);
        String endpoint = JSON.readTree(send("palisade-webhook-service", "POST", "/webhooks/endpoints", owner, Map.of("url",
                "http://127.0.0.1:" + GATE_WEBHOOK_PORT + "/owner", "eventTypes", List.of("booking.created"))).body()).path("endpoint").path("id").asText();

        // The admin the migration Job created enrols an authenticator at the first sign-in, and steps up to start the session.
        String mfaToken = JSON.readTree(send("palisade-tenant-service", "POST", "/auth/login", null, Map.of("email",
                secrets.get("palisade-platform-admin/email"), "password", secrets.get("palisade-platform-admin/password"), "tenant", "platform"))
                .body()).path("mfaToken").asText();
        TestAuthenticator authenticator = new TestAuthenticator(JSON.readTree(send("palisade-tenant-service", "POST", "/auth/mfa/enrolment", null,
                Map.of("mfaToken", mfaToken)).body()).path("secret").asText());
        String platform = JSON.readTree(send("palisade-tenant-service", "POST", "/auth/mfa/enrolment/confirm", null,
                Map.of("mfaToken", mfaToken, "code", authenticator.nextCode())).body()).path("tokens").path("accessToken").asText();
        String link = JSON.readTree(send("palisade-tenant-service", "POST", "/platform/support-sessions", platform,
                Map.of("tenant", slug, "reason", "ticket 17: widget")).body()).path("link").asText();
        JsonNode started = JSON.readTree(send("palisade-tenant-service", "POST", "/platform/support-sessions/start", platform,
                Map.of("link", link, "code", authenticator.nextCode())).body());
        String support = started.path("accessToken").asText();
        assertEquals(200, send("palisade-booking-service", "GET", "/offerings", support, null).statusCode(), "support reads");
        assertEquals(403, send("palisade-webhook-service", "POST", "/webhooks/endpoints", support, Map.of("url", "http://127.0.0.1:"
                + GATE_WEBHOOK_PORT + "/support", "eventTypes", List.of("booking.created"))).statusCode());
        assertEquals(403, send("palisade-payment-service", "POST", "/gift-cards", support, Map.of("amountMinor", 100000, "currency", "EUR")).statusCode());
        assertEquals(403, send("palisade-payment-service", "POST", "/payments/" + UUID.randomUUID() + "/refunds", support,
                Map.of("amountMinor", 100)).statusCode());

        String admin = JSON.readTree(new String(java.util.Base64.getUrlDecoder().decode(platform.split("\\.")[1]),
                java.nio.charset.StandardCharsets.UTF_8)).path("sub").asText();
        String tenantId = JSON.readTree(new String(java.util.Base64.getUrlDecoder().decode(support.split("\\.")[1]),
                java.nio.charset.StandardCharsets.UTF_8)).path("tid").asText();
        for (String[] write : List.of(
                new String[] { "webhook_service", "update webhook.endpoints set url = 'https://attacker.example/hook' where id = '" + endpoint + "'" },
                new String[] { "webhook_service", "insert into webhook.endpoints (id, tenant_id, url, event_types, secret_sealed, created_by)"
                        + " values (gen_random_uuid(), '" + tenantId + "', 'https://attacker.example/hook', '{booking.created}', 'x', '" + admin + "')" },
                new String[] { "payment_service", "insert into payment.gift_cards (tenant_id, code_hash, code_hint, currency, expires_at)"
                        + " values ('" + tenantId + "', 'h" + UUID.randomUUID() + "', 'XXXX', 'EUR', now() + interval '1 year')" })) {
            try (java.sql.Connection c = PalisadeTestStack.get().connectAs(write[0]); java.sql.Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                st.execute("select set_config('app.tenant_id', '" + tenantId + "', true), set_config('app.user_id', '" + admin
                        + "', true), set_config('app.principal', 'support', true), set_config('app.support_session', '"
                        + started.path("sessionId").asText() + "', true)");
                int changed;
                try {
                    changed = st.executeUpdate(write[1]);
                } catch (java.sql.SQLException refused) {
                    assertEquals("42501", refused.getSQLState(), write[1]);
                    changed = 0;
                }
                assertEquals(0, changed, "refused under a support scope: " + write[1]);
                c.rollback();
            }
        }
    }

    /** The gate the chart runs after every install and upgrade, against these pods: every check passes. */
    @Test
    void theTwoTenantGatePasses() {
        List<IsolationGate.Check> checks = gate(Map.of()).run();
        for (String service : IsolationGate.SERVICES) {
            assertTrue(checks.stream().anyMatch(c -> c.name().startsWith(service + ":")), service + " is probed: " + checks);
        }
        assertEquals(List.of(), checks.stream().filter(c -> !c.passed()).toList());
    }

    /** The same gate against a booking-service that answers another tenant's slots: the gate fails, naming the probe. */
    @Test
    void theGateFailsWhenAServiceLeaks() throws Exception {
        String booking = "http://127.0.0.1:" + ports.get("palisade-booking-service");
        HttpServer leaking = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        leaking.createContext("/", exchange -> {
            String path = exchange.getRequestURI().toString();
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status;
            byte[] answer;
            if (exchange.getRequestMethod().equals("GET") && path.matches("/offerings/[^/]+/slots")) {
                status = 200;
                answer = "[]".getBytes();
            } else {
                HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(booking + path))
                        .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
                for (String header : List.of("Authorization", "Content-Type", "Idempotency-Key", "Accept")) {
                    String value = exchange.getRequestHeaders().getFirst(header);
                    if (value != null) {
                        forward.header(header, value);
                    }
                }
                try {
                    HttpResponse<byte[]> response = HTTP.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
                    status = response.statusCode();
                    answer = response.body();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    status = 502;
                    answer = new byte[0];
                }
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        leaking.start();
        try {
            List<IsolationGate.Check> failed = gate(Map.of("booking-service", "http://127.0.0.1:" + leaking.getAddress().getPort())).run()
                    .stream().filter(c -> !c.passed()).toList();
            assertEquals(List.of("booking-service: B reads A's offering's slots"), failed.stream().map(IsolationGate.Check::name).toList());
        } finally {
            leaking.stop(0);
        }
    }

    private static IsolationGate gate(Map<String, String> overrides) {
        Map<String, String> urls = new HashMap<>();
        for (String service : IsolationGate.SERVICES) {
            urls.put(service, overrides.getOrDefault(service, "http://127.0.0.1:" + ports.get("palisade-" + service)));
        }
        return new IsolationGate(urls, "http://127.0.0.1:" + GATE_WEBHOOK_PORT + "/palisade-gate", secrets.get("palisade-isolation-gate/password"));
    }

    private static String gateOwnerToken(String slug) throws Exception {
        HttpResponse<String> login = send("palisade-tenant-service", "POST", "/auth/login", null, Map.of("email", "owner@" + slug + ".invalid",
                "password", secrets.get("palisade-isolation-gate/password"), "tenant", slug));
        assertEquals(200, login.statusCode(), login.body());
        return JSON.readTree(login.body()).path("accessToken").asText();
    }

    private static HttpResponse<String> send(String service, String method, String path, String bearer, Map<String, ?> body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(service) + path))
                .timeout(Duration.ofSeconds(30)).header("Accept", "application/json");
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
