package io.palisade.deployment.charts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;

/** One of the charts in k8s/, rendered and linted in-process by Helm 3 (helm-java): no helm binary, no cluster. */
public record Chart(String name) {

    public static final Chart PLATFORM = new Chart("palisade-platform");
    public static final Chart APP = new Chart("palisade");

    /** The Kubernetes versions the charts support (Chart.yaml kubeVersion); every profile renders on each. */
    public static final List<String> KUBE_VERSIONS = List.of("1.30.0", "1.31.0", "1.32.0", "1.33.0", "1.34.0");

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public Path directory() {
        return Path.of("..", "k8s", name).toAbsolutePath().normalize();
    }

    public Path file(String relative) {
        return directory().resolve(relative);
    }

    /** helm lint --strict: warnings fail too. */
    public void assertLintsStrictly() {
        LintResult lint = new Helm(directory()).lint().strict().call();
        org.junit.jupiter.api.Assertions.assertFalse(lint.isFailed(), String.join("\n", lint.getMessages()));
    }

    /** Renders the chart as release "palisade" in namespace "palisade": every object, hooks included. */
    public Rendered render(String kubeVersion, List<Path> valuesFiles, Map<String, Object> values) {
        TemplateCommand template = new Helm(directory()).template().withName("palisade").withNamespace("palisade")
                .withKubeVersion(kubeVersion);
        valuesFiles.forEach(template::withValuesFile);
        values.forEach(template::set);
        return Rendered.parse(template.call());
    }

    public Rendered render(String kubeVersion, Map<String, Object> values) {
        return render(kubeVersion, List.of(), values);
    }

    public Rendered render(Map<String, Object> values) {
        return render(KUBE_VERSIONS.get(KUBE_VERSIONS.size() - 1), values);
    }

    public String readFile(String relative) {
        try {
            return Files.readString(file(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The objects of one rendering, in order, each as the YAML map Kubernetes would receive. */
    public record Rendered(String manifest, List<Map<String, Object>> objects) {

        static Rendered parse(String manifest) {
            List<Map<String, Object>> objects = new ArrayList<>();
            try (MappingIterator<Map<String, Object>> documents = YAML.readerFor(new TypeReference<LinkedHashMap<String, Object>>() {
            }).readValues(manifest == null ? "" : manifest)) {
                while (documents.hasNext()) {
                    Map<String, Object> object = documents.next();
                    if (object != null && !object.isEmpty()) {
                        objects.add(object);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("the rendered manifest is not YAML:\n" + manifest, e);
            }
            return new Rendered(manifest == null ? "" : manifest, objects);
        }

        public List<Node> kind(String kind) {
            return objects.stream().filter(o -> kind.equals(o.get("kind"))).map(Node::new).toList();
        }

        public Node one(String kind, String name) {
            List<Node> found = kind(kind).stream().filter(o -> name.equals(o.name())).toList();
            if (found.size() != 1) {
                throw new AssertionError("expected one " + kind + " " + name + ", found " + found.size());
            }
            return found.get(0);
        }

        public List<Node> all() {
            return objects.stream().map(Node::new).toList();
        }
    }
}
