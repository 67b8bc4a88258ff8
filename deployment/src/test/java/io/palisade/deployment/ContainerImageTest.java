package io.palisade.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The images, their Dockerfiles parsed (no container engine here): docker/Dockerfile.jvm (each service, with the
 * startup cache trained in a stage of its own) and docker/Dockerfile.gate (the isolation gate). A pinned base image, a
 * numeric non-root user, only the build's own output copied in (no secret, no local data), and nothing the read-only
 * root filesystem would break.
 */
class ContainerImageTest {

    /**
     * Each Dockerfile's stages in order, and where the only files each may copy come from: the image (the last stage)
     * only its service's build and the cache its training stage wrote; the training stage the five builds and dev-stack.
     */
    private static final Map<String, List<List<String>>> COPIED_FROM = Map.of(
            "Dockerfile.jvm", List.of(
                    List.of("tenant-service/target/quarkus-app/", "booking-service/target/quarkus-app/", "payment-service/target/quarkus-app/",
                            "audit-service/target/quarkus-app/", "webhook-service/target/quarkus-app/", "dev-stack/target/"),
                    List.of("${SERVICE}/target/quarkus-app/", "/training/${SERVICE}/target/quarkus-app/app.aot")),
            "Dockerfile.gate", List.of(List.of("isolation-gate/target/")));

    /** The instructions, continuation lines joined and comments dropped. */
    private static List<String[]> instructions(String dockerfile) throws Exception {
        List<String[]> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(Path.of("..", "docker", dockerfile))) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            String instruction = current.toString().strip();
            current.setLength(0);
            if (!instruction.isEmpty()) {
                instructions.add(instruction.split("\\s+", 2));
            }
        }
        return instructions;
    }

    private static List<String> arguments(String dockerfile, String keyword) throws Exception {
        return instructions(dockerfile).stream().filter(i -> i[0].equalsIgnoreCase(keyword)).map(i -> i.length > 1 ? i[1] : "").toList();
    }

    @ParameterizedTest
    @ValueSource(strings = { "Dockerfile.jvm", "Dockerfile.gate" })
    void theBaseImageIsPinnedToAJavaRuntime(String dockerfile) throws Exception {
        for (String from : arguments(dockerfile, "FROM")) {
            Matcher image = Pattern.compile("([\\w./-]+):([\\w.-]+)(@sha256:[0-9a-f]{64})?( AS \\w+)?").matcher(from);
            assertTrue(image.matches(), "FROM names an image and a tag: " + from);
            assertFalse(image.group(2).equals("latest"), "never :latest");
            assertTrue(image.group(2).matches("(21|25)[._].*") && image.group(2).contains("jre"), "a Java 21+ runtime, not a JDK: " + image.group(2));
        }
    }

    @org.junit.jupiter.api.Test
    void eachServiceStartsFromACacheTrainedOnItsOwnJvm() throws Exception {
        List<String> from = arguments("Dockerfile.jvm", "FROM");
        assertEquals(2, from.size(), "a training stage, then the image");
        assertEquals(from.get(0).replaceFirst(" AS training$", ""), from.get(1),
                "the cache is written on the very image the service runs on: a cache is good only for the JVM build that wrote it");
        assertTrue(from.get(1).startsWith("eclipse-temurin:25"), "the startup cache needs Java 25: " + from.get(1));
        assertTrue(arguments("Dockerfile.jvm", "RUN").stream().anyMatch(run -> run.contains("io.palisade.devstack.StartupTraining")),
                "the training stage runs StartupTraining");
        assertTrue(arguments("Dockerfile.jvm", "COPY").contains("--from=training /training/${SERVICE}/target/quarkus-app/app.aot /deployments/app.aot"),
                "the image holds its service's cache");
        assertTrue(arguments("Dockerfile.jvm", "ENTRYPOINT").get(0).contains("java -XX:AOTCache=/deployments/app.aot "),
                "and starts from it");
    }

    @ParameterizedTest
    @ValueSource(strings = { "Dockerfile.jvm", "Dockerfile.gate" })
    void itRunsAsANumericNonRootUser(String dockerfile) throws Exception {
        List<String> users = arguments(dockerfile, "USER");
        assertFalse(users.isEmpty(), "a USER is set");
        String last = users.get(users.size() - 1);
        Matcher user = Pattern.compile("(\\d+)(:(\\d+))?").matcher(last);
        assertTrue(user.matches(), "numeric, so runAsNonRoot can check it: " + last);
        assertTrue(Integer.parseInt(user.group(1)) >= 1000, "not root, not a system user: " + last);
        List<String[]> all = instructions(dockerfile);
        int lastUser = 0;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i)[0].equalsIgnoreCase("USER")) {
                lastUser = i;
            }
        }
        for (String[] instruction : all.subList(lastUser, all.size())) {
            assertFalse(List.of("COPY", "ADD", "RUN").contains(instruction[0].toUpperCase()), "nothing is copied or run as root after USER");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "Dockerfile.jvm", "Dockerfile.gate" })
    void onlyTheBuildsOutputIsCopiedInAndNoSecret(String dockerfile) throws Exception {
        List<List<String>> allowed = COPIED_FROM.get(dockerfile);
        int stage = -1;
        int copies = 0;
        for (String[] instruction : instructions(dockerfile)) {
            String keyword = instruction[0].toUpperCase();
            if (keyword.equals("FROM")) {
                stage++;
                continue;
            }
            if (!keyword.equals("COPY") && !keyword.equals("ADD")) {
                continue;
            }
            copies++;
            String[] parts = instruction[1].split("\\s+");
            for (int i = 0; i < parts.length - 1; i++) {
                if (parts[i].startsWith("--")) {
                    continue;
                }
                String source = parts[i];
                assertTrue(allowed.get(stage).stream().anyMatch(source::startsWith),
                        "stage " + (stage + 1) + " copies only what it may: " + instruction[1]);
                assertFalse(source.matches(".*(\\.palisade|\\.env|secret|\\.key|\\.pem|\\.p12|password).*"), "no secret: " + instruction[1]);
            }
        }
        assertEquals(allowed.size(), stage + 1, "the stages this test knows");
        assertTrue(copies > 0);
        assertTrue(arguments(dockerfile, "ADD").isEmpty(), "COPY, never ADD (no URLs, no archives unpacked)");
        for (String env : arguments(dockerfile, "ENV")) {
            assertFalse(env.matches("(?i).*(password|secret|key)=.*"), "no secret in the environment: " + env);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "Dockerfile.jvm", "Dockerfile.gate" })
    void theJvmWritesOnlyToTmpAndStopsOnSigterm(String dockerfile) throws Exception {
        String env = String.join(" ", arguments(dockerfile, "ENV"));
        assertTrue(env.contains("-Djava.io.tmpdir=/tmp"), "temporary files in /tmp, the only writable path besides the archive volume");
        assertTrue(env.contains("-XX:-UsePerfData"), "no hsperfdata files");
        assertTrue(env.contains("MaxRAMPercentage"), "heap sized from the container's memory limit");
        String entrypoint = arguments(dockerfile, "ENTRYPOINT").get(0);
        assertTrue(entrypoint.contains("exec java"), "java replaces the shell as PID 1 and receives SIGTERM itself: " + entrypoint);
    }
}
