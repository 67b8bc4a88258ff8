package io.palisade.webhook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.palisade.devstack.testing.PalisadeStackResource;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestDirectories;
import io.palisade.devstack.testing.TestIssuer;
import io.palisade.devstack.testing.TestTenancy;

/**
 * The real PostgreSQL and Kafka for webhook-service's tests, the tenancy schema, a test issuer, and receivers on
 * loopback: plain http, and https with a certificate for tls.example.test from a test CA the service trusts. Their
 * ports and http to *.example.test are allowed here; loopback itself is not (LoopbackReceivers switches it on).
 * Retries are quick: 0 s, 1 s, 1 s, 2 s.
 */
public class WebhookServiceStack extends PalisadeStackResource {

    public static final TestReceiver RECEIVER;
    public static final TestReceiver TLS_RECEIVER;
    private static final Path TRUST_STORE;
    private static final char[] PASSWORD = "test-only".toCharArray();

    static {
        try {
            Path dir = TestDirectories.create("webhook-tls");
            Path keyStore = dir.resolve("server.p12");
            keytool("-genkeypair", "-keyalg", "EC", "-groupname", "secp256r1", "-alias", "receiver", "-dname", "CN=tls.example.test",
                    "-ext", "SAN=dns:tls.example.test", "-validity", "3", "-keystore", keyStore.toString(), "-storetype", "PKCS12",
                    "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD));
            Path certificate = dir.resolve("server.crt");
            keytool("-exportcert", "-alias", "receiver", "-keystore", keyStore.toString(), "-storepass", new String(PASSWORD), "-file",
                    certificate.toString());
            TRUST_STORE = dir.resolve("trust.p12");
            keytool("-importcert", "-noprompt", "-alias", "test-ca", "-file", certificate.toString(), "-keystore", TRUST_STORE.toString(),
                    "-storetype", "PKCS12", "-storepass", new String(PASSWORD));
            RECEIVER = TestReceiver.http(PalisadeTestStack.freePort());
            TLS_RECEIVER = TestReceiver.https(PalisadeTestStack.freePort(), keyStore, PASSWORD);
        } catch (Exception e) {
            throw new IllegalStateException("test receivers did not start", e);
        }
    }

    public WebhookServiceStack() {
        super("webhook-service");
    }

    @Override
    public Map<String, String> start() {
        TestTenancy.ensureSchema();
        Map<String, String> config = new HashMap<>(super.start());
        config.put("palisade.issuer", TestIssuer.get().issuer());
        config.put("palisade.webhooks.egress.http-allowed-hosts", "*.example.test");
        config.put("palisade.webhooks.egress.allowed-ports", RECEIVER.port() + "," + TLS_RECEIVER.port());
        config.put("palisade.webhooks.egress.trust-store", TRUST_STORE.toString());
        config.put("palisade.webhooks.egress.trust-store-password", new String(PASSWORD));
        config.put("palisade.webhooks.retry-schedule", "0s,1s,1s,2s");
        config.put("palisade.webhooks.retry-jitter", "0");
        return config;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " failed: " + output);
        }
    }
}
