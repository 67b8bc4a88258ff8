package io.palisade.deployment.charts;

import java.util.List;
import java.util.Map;

/** A rendered object or a part of one, read by dotted paths ("spec.template.spec.containers"). */
public record Node(Object value) {

    public Node get(String path) {
        Object current = value;
        for (String key : path.split("\\.")) {
            if (current instanceof Map<?, ?> map) {
                current = map.get(key);
            } else {
                return new Node(null);
            }
        }
        return new Node(current);
    }

    public boolean present() {
        return value != null;
    }

    public String text() {
        return value == null ? null : String.valueOf(value);
    }

    public String text(String path) {
        return get(path).text();
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> map() {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    public List<Node> list(String path) {
        Object found = get(path).value();
        if (found == null) {
            return List.of();
        }
        return ((List<?>) found).stream().map(Node::new).toList();
    }

    public String kind() {
        return text("kind");
    }

    public String name() {
        return text("metadata.name");
    }

    public Map<String, Object> annotations() {
        return get("metadata.annotations").map();
    }

    @Override
    public String toString() {
        return kind() + "/" + name();
    }
}
