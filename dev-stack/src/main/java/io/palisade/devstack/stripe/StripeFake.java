package io.palisade.devstack.stripe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An HTTP server speaking the part of Stripe's API that payment-service uses, for tests and the local platform:
 * Connect accounts and onboarding links, PaymentIntents on a connected account (the {@code Stripe-Account}
 * header), confirming one with a test card, cancelling, refunds, and webhooks signed exactly as Stripe signs
 * them ({@code Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "t.payload">}). Errors have Stripe's
 * shape and status codes; {@code Idempotency-Key} replays the first answer for the same parameters and refuses
 * different ones, per account. Test cards: {@code pm_card_visa} succeeds, {@code pm_card_chargeDeclined} is
 * declined.
 */
public final class StripeFake implements AutoCloseable {

    private static final Pattern PATH = Pattern.compile("/v1/([a-z_]+)(?:/([A-Za-z0-9_]+))?(?:/([a-z_]+))?");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One webhook as the fake sent it: its exact body, so tests can deliver it again (signed anew). */
    public record SentEvent(String id, String type, String account, String body) {
    }

    private record Remembered(String fingerprint, int status, String body) {
    }

    private final HttpServer server;
    private final ExecutorService webhookSender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "stripe-fake-webhooks");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Map<String, Object>> accounts = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Object>> paymentIntents = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Object>> charges = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Object>> refunds = new ConcurrentHashMap<>();
    private final Map<String, Remembered> idempotency = new ConcurrentHashMap<>();
    private volatile String webhookUrl;
    private volatile String webhookSecret;
    private volatile boolean webhooksPaused;
    private final List<SentEvent> pausedEvents = new CopyOnWriteArrayList<>();

    private StripeFake(HttpServer server) {
        this.server = server;
    }

    /** Starts on 127.0.0.1 at the port (0: any free one). */
    public static StripeFake start(int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
            StripeFake fake = new StripeFake(server);
            server.createContext("/", fake::handle);
            server.setExecutor(Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "stripe-fake");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return fake;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What payment-service's {@code palisade.stripe.api-base} points at. */
    public String apiBase() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Where webhooks go, and the endpoint's signing secret ({@code whsec_...}). */
    public void sendWebhooksTo(String url, String signingSecret) {
        this.webhookUrl = url;
        this.webhookSecret = signingSecret;
    }

    /** Keeps events instead of sending them, until {@link #releasePausedWebhooks()}. */
    public void pauseWebhooks() {
        webhooksPaused = true;
    }

    /** The events held back while paused (and sends from now on). */
    public List<SentEvent> releasePausedWebhooks() {
        webhooksPaused = false;
        List<SentEvent> held = List.copyOf(pausedEvents);
        pausedEvents.clear();
        return held;
    }

    /** Sends one event body as Stripe would (signed now); returns the HTTP status the endpoint answered. */
    public int deliver(SentEvent event) {
        return deliver(event.body(), Instant.now().getEpochSecond(), webhookSecret);
    }

    /** Sends a body with a signature made at the given time with the given secret; returns the status. */
    public int deliver(String body, long timestamp, String secret) {
        return post(body, signatureHeader(body, timestamp, secret));
    }

    /** Sends a body with any Stripe-Signature header (or none); returns the status. */
    public int post(String body, String signatureHeader) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(webhookUrl)).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json; charset=utf-8").header("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (signatureHeader != null) {
            request.header("Stripe-Signature", signatureHeader);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** Stripe's scheme: {@code t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>}. */
    public static String signatureHeader(String body, long timestamp, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] signature = mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            return "t=" + timestamp + ",v1=" + HexFormat.of().formatHex(signature);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The current state of a PaymentIntent, as the API would return it. */
    public Map<String, Object> paymentIntent(String id) {
        return paymentIntents.get(id);
    }

    /** Every PaymentIntent created on the connected account. */
    public List<Map<String, Object>> paymentIntentsOf(String account) {
        return paymentIntents.values().stream().filter(pi -> account.equals(pi.get("_account"))).map(StripeFake::visible).toList();
    }

    @Override
    public void close() {
        server.stop(0);
        webhookSender.shutdownNow();
    }

    // --- HTTP ---------------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/connect/onboard/")) {
                onboard(exchange, path.substring("/connect/onboard/".length()));
                return;
            }
            int status = 200;
            Object body;
            try {
                body = api(exchange, path);
            } catch (StripeError e) {
                status = e.status;
                body = e.body;
            } catch (RuntimeException e) {
                status = 500;
                body = Map.of("error", Map.of("type", "api_error", "message", "fake: " + e));
            }
            respond(exchange, status, body instanceof String s ? s : JSON.writeValueAsString(body));
        }
    }

    private Object api(HttpExchange exchange, String path) throws IOException {
        String auth = secretKey(exchange.getRequestHeaders().getFirst("Authorization"));
        if (auth == null || !auth.startsWith("sk_test_")) {
            throw StripeError.unauthorized();
        }
        Matcher m = PATH.matcher(path);
        if (!m.matches()) {
            throw StripeError.missing("route", path);
        }
        String account = exchange.getRequestHeaders().getFirst("Stripe-Account");
        String method = exchange.getRequestMethod();
        String raw = "POST".equals(method) ? readBody(exchange.getRequestBody()) : exchange.getRequestURI().getRawQuery();
        FormParams params = FormParams.parse(raw);
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        if (!"POST".equals(method) || key == null) {
            return route(method, m.group(1), m.group(2), m.group(3), account, params);
        }
        // Stripe keys idempotency per account; the first answer (success or error) is replayed.
        String scope = auth + "|" + account + "|" + key;
        String fingerprint = path + "|" + params.fingerprint();
        synchronized (idempotency) {
            Remembered earlier = idempotency.get(scope);
            if (earlier != null) {
                if (!earlier.fingerprint().equals(fingerprint)) {
                    throw StripeError.idempotencyMismatch(key);
                }
                exchange.getResponseHeaders().add("Idempotent-Replayed", "true");
                if (earlier.status() != 200) {
                    throw StripeError.replay(earlier.status(), earlier.body());
                }
                return earlier.body();
            }
            try {
                String body = JSON.writeValueAsString(route(method, m.group(1), m.group(2), m.group(3), account, params));
                idempotency.put(scope, new Remembered(fingerprint, 200, body));
                return body;
            } catch (StripeError e) {
                idempotency.put(scope, new Remembered(fingerprint, e.status, JSON.writeValueAsString(e.body)));
                throw e;
            }
        }
    }

    private Object route(String method, String resource, String id, String action, String account, FormParams params) {
        return switch (method + " " + resource + (id == null ? "" : " {id}") + (action == null ? "" : " " + action)) {
            case "POST accounts" -> createAccount(params);
            case "GET accounts {id}" -> visible(find(accounts, "account", id, null));
            case "POST account_links" -> accountLink(params);
            case "POST payment_intents" -> createPaymentIntent(account, params);
            case "GET payment_intents {id}" -> visible(find(paymentIntents, "payment_intent", id, account));
            case "POST payment_intents {id} confirm" -> confirm(find(paymentIntents, "payment_intent", id, account), params);
            case "POST payment_intents {id} cancel" -> cancel(find(paymentIntents, "payment_intent", id, account));
            case "GET charges {id}" -> visible(find(charges, "charge", id, account));
            case "POST refunds" -> refund(account, params);
            case "GET refunds {id}" -> visible(find(refunds, "refund", id, account));
            default -> throw StripeError.missing("route", method + " /v1/" + resource);
        };
    }

    // --- resources ----------------------------------------------------------------------------------------

    private Object createAccount(FormParams params) {
        Map<String, Object> account = object("account", "acct_");
        account.put("type", params.get("type") == null ? "standard" : params.get("type"));
        account.put("email", params.get("email"));
        account.put("charges_enabled", false);
        account.put("payouts_enabled", false);
        account.put("details_submitted", false);
        account.put("metadata", params.map("metadata"));
        accounts.put((String) account.get("id"), account);
        return visible(account);
    }

    private Object accountLink(FormParams params) {
        String account = require(params, "account");
        find(accounts, "account", account, null);
        Map<String, Object> link = new LinkedHashMap<>();
        link.put("object", "account_link");
        link.put("created", Instant.now().getEpochSecond());
        link.put("expires_at", Instant.now().plusSeconds(300).getEpochSecond());
        link.put("url", apiBase() + "/connect/onboard/" + account + "?return_url=" + encode(require(params, "return_url")));
        return link;
    }

    /** The onboarding page: visiting it completes onboarding and goes back to the platform's return URL. */
    private void onboard(HttpExchange exchange, String account) throws IOException {
        Map<String, Object> acct = accounts.get(account);
        if (acct == null) {
            respond(exchange, 404, "{\"error\":\"no such account\"}");
            return;
        }
        acct.put("charges_enabled", true);
        acct.put("payouts_enabled", true);
        acct.put("details_submitted", true);
        emit("account.updated", account, acct);
        String query = exchange.getRequestURI().getQuery();
        String returnUrl = query != null && query.startsWith("return_url=") ? query.substring("return_url=".length()) : null;
        if (returnUrl != null) {
            exchange.getResponseHeaders().add("Location", returnUrl);
            exchange.sendResponseHeaders(302, -1);
        } else {
            respond(exchange, 200, "{\"onboarded\":\"" + account + "\"}");
        }
    }

    private Object createPaymentIntent(String account, FormParams params) {
        Long amount = params.getLong("amount");
        if (amount == null) {
            throw StripeError.missingParam("amount");
        }
        if (amount < 50) {
            throw StripeError.amountTooSmall();
        }
        String currency = require(params, "currency").toLowerCase(java.util.Locale.ROOT);
        if (account != null && !accounts.containsKey(account)) {
            throw StripeError.accountInvalid(account);
        }
        Map<String, Object> pi = object("payment_intent", "pi_");
        String id = (String) pi.get("id");
        pi.put("_account", account);
        pi.put("amount", amount);
        pi.put("amount_received", 0L);
        pi.put("currency", currency);
        pi.put("application_fee_amount", params.getLong("application_fee_amount"));
        pi.put("client_secret", id + "_secret_" + token(12));
        pi.put("metadata", params.map("metadata"));
        pi.put("status", "requires_payment_method");
        pi.put("latest_charge", null);
        pi.put("last_payment_error", null);
        pi.put("canceled_at", null);
        pi.put("cancellation_reason", null);
        paymentIntents.put(id, pi);
        emit("payment_intent.created", account, pi);
        return visible(pi);
    }

    private Object confirm(Map<String, Object> pi, FormParams params) {
        synchronized (pi) {
            String status = (String) pi.get("status");
            if (!status.startsWith("requires_")) {
                throw StripeError.unexpectedState("This PaymentIntent's status is " + status + ", so it cannot be confirmed.");
            }
            String account = (String) pi.get("_account");
            String method = params.get("payment_method") == null ? "pm_card_visa" : params.get("payment_method");
            if ("pm_card_chargeDeclined".equals(method)) {
                pi.put("status", "requires_payment_method");
                pi.put("last_payment_error", Map.of("type", "card_error", "code", "card_declined", "message", "Your card was declined."));
                emit("payment_intent.payment_failed", account, pi);
                throw StripeError.cardDeclined();
            }
            Map<String, Object> charge = object("charge", "ch_");
            charge.put("_account", account);
            charge.put("amount", pi.get("amount"));
            charge.put("amount_refunded", 0L);
            charge.put("currency", pi.get("currency"));
            charge.put("payment_intent", pi.get("id"));
            charge.put("paid", true);
            charge.put("refunded", false);
            charge.put("status", "succeeded");
            charges.put((String) charge.get("id"), charge);
            pi.put("status", "succeeded");
            pi.put("amount_received", pi.get("amount"));
            pi.put("latest_charge", charge.get("id"));
            pi.put("last_payment_error", null);
            emit("charge.succeeded", account, charge);
            emit("payment_intent.succeeded", account, pi);
            return visible(pi);
        }
    }

    private Object cancel(Map<String, Object> pi) {
        synchronized (pi) {
            String status = (String) pi.get("status");
            if ("succeeded".equals(status) || "canceled".equals(status)) {
                throw StripeError.unexpectedState("You cannot cancel this PaymentIntent because it has a status of " + status + ".");
            }
            pi.put("status", "canceled");
            pi.put("canceled_at", Instant.now().getEpochSecond());
            pi.put("cancellation_reason", "requested_by_customer");
            emit("payment_intent.canceled", (String) pi.get("_account"), pi);
            return visible(pi);
        }
    }

    private Object refund(String account, FormParams params) {
        Map<String, Object> pi = find(paymentIntents, "payment_intent", require(params, "payment_intent"), account);
        synchronized (pi) {
            if (!"succeeded".equals(pi.get("status"))) {
                throw StripeError.invalid("This PaymentIntent does not have a successful charge to refund.", "payment_intent");
            }
            Map<String, Object> charge = charges.get((String) pi.get("latest_charge"));
            long refundable = (Long) charge.get("amount") - (Long) charge.get("amount_refunded");
            Long requested = params.getLong("amount");
            long amount = requested == null ? refundable : requested;
            if (amount < 1 || amount > refundable) {
                throw StripeError.refundTooLarge();
            }
            Map<String, Object> refund = object("refund", "re_");
            refund.put("_account", account);
            refund.put("amount", amount);
            refund.put("currency", pi.get("currency"));
            refund.put("charge", charge.get("id"));
            refund.put("payment_intent", pi.get("id"));
            refund.put("reason", params.get("reason"));
            refund.put("metadata", params.map("metadata"));
            refund.put("status", "succeeded");
            refunds.put((String) refund.get("id"), refund);
            charge.put("amount_refunded", (Long) charge.get("amount_refunded") + amount);
            charge.put("refunded", charge.get("amount_refunded").equals(charge.get("amount")));
            emit("refund.created", account, refund);
            emit("charge.refunded", account, charge);
            return visible(refund);
        }
    }

    // --- events -------------------------------------------------------------------------------------------

    private void emit(String type, String account, Map<String, Object> object) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", "evt_" + token(24));
        event.put("object", "event");
        event.put("api_version", "2025-01-27.acacia");
        event.put("created", Instant.now().getEpochSecond());
        event.put("type", type);
        if (account != null) {
            event.put("account", account);
        }
        event.put("livemode", false);
        event.put("pending_webhooks", 1);
        event.put("data", Map.of("object", visible(object)));
        try {
            SentEvent sent = new SentEvent((String) event.get("id"), type, account, JSON.writeValueAsString(event));
            if (webhooksPaused) {
                pausedEvents.add(sent);
            } else if (webhookUrl != null) {
                webhookSender.submit(() -> sendWithRetries(sent));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As Stripe: until a 2xx, with growing pauses (compressed here to seconds). */
    private void sendWithRetries(SentEvent event) {
        for (int attempt = 0; attempt < 5; attempt++) {
            int status = deliver(event);
            if (status >= 200 && status < 300) {
                return;
            }
            try {
                Thread.sleep(200L << attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // --- helpers ------------------------------------------------------------------------------------------

    private static Map<String, Object> object(String kind, String prefix) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("id", prefix + token(24));
        object.put("object", kind);
        object.put("created", Instant.now().getEpochSecond());
        object.put("livemode", false);
        return object;
    }

    /** The object without the fake's own bookkeeping fields. */
    private static Map<String, Object> visible(Map<String, Object> object) {
        synchronized (object) {
            Map<String, Object> copy = new LinkedHashMap<>();
            object.forEach((k, v) -> {
                if (!k.startsWith("_")) {
                    copy.put(k, v);
                }
            });
            return copy;
        }
    }

    /** An object of the calling account; another account's object does not exist for the caller (as at Stripe). */
    private static Map<String, Object> find(Map<String, Map<String, Object>> store, String kind, String id, String account) {
        Map<String, Object> object = store.get(id);
        if (object == null || (object.containsKey("_account") && !java.util.Objects.equals(object.get("_account"), account))) {
            throw StripeError.missing(kind, id);
        }
        return object;
    }

    private static String require(FormParams params, String name) {
        String value = params.get(name);
        if (value == null || value.isEmpty()) {
            throw StripeError.missingParam(name);
        }
        return value;
    }

    /** The secret key of a request: {@code Bearer sk_...}, or HTTP Basic with the key as user name (as curl -u sends it). */
    private static String secretKey(String authorization) {
        if (authorization == null) {
            return null;
        }
        if (authorization.startsWith("Bearer ")) {
            return authorization.substring("Bearer ".length());
        }
        if (authorization.startsWith("Basic ")) {
            try {
                String user = new String(java.util.Base64.getDecoder().decode(authorization.substring("Basic ".length())), StandardCharsets.UTF_8);
                return user.endsWith(":") ? user.substring(0, user.length() - 1) : user;
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }

    private static String token(int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    private static String encode(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String readBody(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("Request-Id", "req_" + token(14));
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
