package io.palisade.audit.verifier;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks an audit archive offline: the sealed, hash-linked JSONL segments audit-service writes beside the ledger
 * (docs/audit.md). It needs nothing but a JDK, so anyone handed the files can run it from this source file:
 *
 * <pre>java ArchiveVerifier.java &lt;archive directory&gt; [--public-key &lt;base64 X.509 Ed25519 key&gt;]... [--include-open]</pre>
 *
 * It recomputes every entry's hash and every chain's links, checks that each segment is sealed with the digest of
 * its bytes and names its predecessor's digest, and, given the checkpoint public keys, that every seal and every
 * checkpoint is signed and that each checkpoint matches the entry it names. Removing the newest segments leaves
 * an archive that still holds: compare its last seal or checkpoint with one kept elsewhere (GET /audit/checkpoints). Exit status 0 when everything holds, 1 at the first problem, 2 for bad
 * arguments.
 *
 * <p>This class also defines the formats audit-service writes (entry hash, checkpoint statement, key id), so the
 * service and the outsider compute them with the same code.
 */
public final class ArchiveVerifier {

    private static final Pattern SEGMENT_NAME = Pattern.compile("segment-(\\d{8})\\.jsonl(\\.open)?");

    /** What a check found: counts, and the first problem (null when the archive holds). */
    public record Result(int segments, long entries, int chains, long checkpoints, boolean signaturesChecked, String problem) {

        public boolean holds() {
            return problem == null;
        }

        @Override
        public String toString() {
            String counts = segments + " segments, " + entries + " entries in " + chains + " chains, " + checkpoints + " checkpoints"
                    + (signaturesChecked ? " (signatures verified)" : " (signatures not checked: no public key given)");
            return holds() ? "OK: " + counts : "BROKEN: " + problem + " [after " + counts + "]";
        }
    }

    private ArchiveVerifier() {
    }

    public static void main(String[] args) throws IOException {
        Path directory = null;
        List<String> publicKeys = new ArrayList<>();
        boolean includeOpen = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--public-key") && i + 1 < args.length) {
                publicKeys.add(args[++i]);
            } else if (args[i].equals("--include-open")) {
                includeOpen = true;
            } else if (directory == null && !args[i].startsWith("--")) {
                directory = Path.of(args[i]);
            } else {
                directory = null;
                break;
            }
        }
        if (directory == null || !Files.isDirectory(directory)) {
            System.err.println("usage: java ArchiveVerifier.java <archive directory> [--public-key <base64 Ed25519 key>]... [--include-open]");
            System.exit(2);
        }
        Result result = verify(directory, publicKeys, includeOpen);
        System.out.println(result);
        System.exit(result.holds() ? 0 : 1);
    }

    // ---- The formats (shared with audit-service) ----

    /** An entry's hash, as audit.entry_hash computes it in the database. */
    public static String entryHash(String previousHash, String chainKey, long chainSeq, String eventId, String entryText) {
        return sha256Hex((previousHash == null ? "" : previousHash) + "|" + chainKey + "|" + chainSeq + "|" + eventId + "|" + entryText);
    }

    /** The exact text a checkpoint signs; {@code signedAt} is an ISO-8601 instant as Instant.toString writes it. */
    public static String checkpointStatement(String chainKey, long chainSeq, String headHash, String signedAt) {
        return "palisade-audit-checkpoint/v1\n" + chainKey + "\n" + chainSeq + "\n" + headHash + "\n" + signedAt;
    }

    /** The exact text a seal's signature covers: the segment and the digest of every byte before its seal line. */
    public static String sealStatement(long segment, String sha256) {
        return "palisade-audit-seal/v1\n" + segment + "\n" + sha256;
    }

    /** A public key's id: the first 16 hex digits of the SHA-256 of its X.509 encoding (base64 given). */
    public static String keyId(String publicKeyBase64) {
        return sha256Hex(java.util.Base64.getDecoder().decode(publicKeyBase64)).substring(0, 16);
    }

    public static boolean signatureValid(String publicKeyBase64, String statement, String signatureBase64) {
        try {
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(java.util.Base64.getDecoder().decode(publicKeyBase64)));
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(statement.getBytes(StandardCharsets.UTF_8));
            return verifier.verify(java.util.Base64.getDecoder().decode(signatureBase64));
        } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    public static String sha256Hex(String text) {
        return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String segmentFileName(long number, boolean open) {
        return String.format("segment-%08d.jsonl", number) + (open ? ".open" : "");
    }

    // ---- The check ----

    public static Result verify(Path directory, List<String> publicKeys, boolean includeOpen) throws IOException {
        Map<String, String> keysById = new HashMap<>();
        for (String key : publicKeys) {
            keysById.put(keyId(key), key);
        }
        Map<Long, Path> sealed = new java.util.TreeMap<>();
        Path open = null;
        long openNumber = -1;
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Matcher m = SEGMENT_NAME.matcher(file.getFileName().toString());
                if (m.matches() && m.group(2) == null) {
                    sealed.put(Long.parseLong(m.group(1)), file);
                } else if (m.matches()) {
                    if (open != null) {
                        return new Result(0, 0, 0, 0, !keysById.isEmpty(), "more than one open segment");
                    }
                    open = file;
                    openNumber = Long.parseLong(m.group(1));
                }
            }
        }
        Check check = new Check(keysById);
        long expected = 1;
        String previousDigest = null;
        for (Map.Entry<Long, Path> segment : sealed.entrySet()) {
            if (segment.getKey() != expected) {
                return check.result("segment " + segmentFileName(expected, false) + " is missing");
            }
            byte[] bytes = Files.readAllBytes(segment.getValue());
            String problem = check.segment(segment.getValue().getFileName().toString(), expected, previousDigest, bytes, true);
            if (problem != null) {
                return check.result(problem);
            }
            previousDigest = sha256Hex(bytes);
            expected++;
        }
        if (includeOpen && open != null) {
            if (openNumber != expected) {
                return check.result("the open segment is " + open.getFileName() + ", expected " + segmentFileName(expected, true));
            }
            String problem = check.segment(open.getFileName().toString(), expected, previousDigest, Files.readAllBytes(open), false);
            if (problem != null) {
                return check.result(problem);
            }
        }
        return check.result(null);
    }

    /** The running state of one check: each chain's positions and hashes so far. */
    private static final class Check {
        private final Map<String, String> keysById;
        private final Map<String, Long> lastSeq = new HashMap<>();
        private final Map<String, String> hashes = new HashMap<>();
        private int segments;
        private long entries;
        private long checkpoints;

        Check(Map<String, String> keysById) {
            this.keysById = keysById;
        }

        Result result(String problem) {
            return new Result(segments, entries, lastSeq.size(), checkpoints, !keysById.isEmpty(), problem);
        }

        String segment(String name, long number, String previousDigest, byte[] bytes, boolean mustBeSealed) {
            segments++;
            int start = 0;
            int lineNumber = 0;
            boolean sealedSeen = false;
            while (start < bytes.length) {
                int end = start;
                while (end < bytes.length && bytes[end] != '\n') {
                    end++;
                }
                if (end == bytes.length) {
                    // An unterminated last line: only an open segment may end in a write that was cut off.
                    return mustBeSealed ? name + ": the last line is cut off" : null;
                }
                lineNumber++;
                String where = name + " line " + lineNumber + ": ";
                if (sealedSeen) {
                    return where + "there is a line after the seal";
                }
                Map<String, Object> line;
                try {
                    line = Json.object(new String(bytes, start, end - start, StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    return where + "not a JSON object (" + e.getMessage() + ")";
                }
                Object type = line.get("type");
                String problem;
                try {
                    if (lineNumber == 1) {
                        problem = "segment".equals(type) ? header(line, number, previousDigest) : "the first line is not the segment header";
                    } else if ("entry".equals(type)) {
                        problem = entry(line);
                    } else if ("checkpoint".equals(type)) {
                        problem = checkpoint(line);
                    } else if ("seal".equals(type)) {
                        sealedSeen = true;
                        problem = seal(line, number, lineNumber - 1, sha256Hex(java.util.Arrays.copyOf(bytes, start)));
                    } else {
                        problem = "unknown line type " + type;
                    }
                } catch (RuntimeException e) {
                    problem = "a malformed " + type + " line (" + e.getMessage() + ")";
                }
                if (problem != null) {
                    return where + problem;
                }
                start = end + 1;
            }
            if (mustBeSealed && !sealedSeen) {
                return name + ": the segment is not sealed";
            }
            return null;
        }

        private String header(Map<String, Object> line, long number, String previousDigest) {
            if (!Long.valueOf(number).equals(line.get("segment"))) {
                return "the header names segment " + line.get("segment");
            }
            if (!java.util.Objects.equals(previousDigest, line.get("previous"))) {
                return "the header does not name the previous segment's digest";
            }
            return null;
        }

        private String entry(Map<String, Object> line) {
            String chain = text(line, "chainKey");
            long seq = number(line, "chainSeq");
            String prev = (String) line.get("prevHash");
            Long last = lastSeq.get(chain);
            long expectedSeq = last == null ? 1 : last + 1;
            if (seq != expectedSeq) {
                return "chain " + chain + " jumps to entry " + seq + " (expected " + expectedSeq + ")";
            }
            if (!java.util.Objects.equals(prev, last == null ? null : hashes.get(chain + "#" + last))) {
                return "entry " + seq + " of chain " + chain + " does not link to the previous entry";
            }
            String entryText = text(line, "entry");
            try {
                Json.object(entryText);
            } catch (IllegalArgumentException e) {
                return "entry " + seq + " of chain " + chain + " is not a JSON object";
            }
            String hash = entryHash(prev, chain, seq, text(line, "eventId"), entryText);
            if (!hash.equals(line.get("hash"))) {
                return "entry " + seq + " of chain " + chain + " does not match its hash";
            }
            lastSeq.put(chain, seq);
            hashes.put(chain + "#" + seq, hash);
            entries++;
            return null;
        }

        private String checkpoint(Map<String, Object> line) {
            String chain = text(line, "chainKey");
            long seq = number(line, "chainSeq");
            String head = text(line, "headHash");
            if (!head.equals(hashes.get(chain + "#" + seq))) {
                return "the checkpoint of entry " + seq + " of chain " + chain + " does not match the archived entry";
            }
            if (!keysById.isEmpty()) {
                String key = keysById.get(text(line, "keyId"));
                if (key == null) {
                    return "the checkpoint of entry " + seq + " of chain " + chain + " is signed with an unknown key " + line.get("keyId");
                }
                if (!signatureValid(key, checkpointStatement(chain, seq, head, text(line, "signedAt")), text(line, "signature"))) {
                    return "the checkpoint of entry " + seq + " of chain " + chain + " has no valid signature";
                }
            }
            checkpoints++;
            return null;
        }

        private String seal(Map<String, Object> line, long number, int linesBefore, String digest) {
            if (!Long.valueOf(number).equals(line.get("segment")) || !Long.valueOf(linesBefore).equals(line.get("lines"))) {
                return "the seal names another segment or line count";
            }
            if (!digest.equals(line.get("sha256"))) {
                return "the segment's bytes do not match its seal";
            }
            if (!keysById.isEmpty()) {
                String key = line.get("keyId") instanceof String id ? keysById.get(id) : null;
                if (key == null || !(line.get("signature") instanceof String signature)
                        || !signatureValid(key, sealStatement(number, digest), signature)) {
                    return "the seal is not signed with a known key";
                }
            }
            if (!(line.get("heads") instanceof Map<?, ?> heads)) {
                return "the seal has no chain heads";
            }
            if (heads.size() != lastSeq.size()) {
                return "the seal does not name every chain";
            }
            for (Map.Entry<?, ?> head : heads.entrySet()) {
                Long seq = lastSeq.get(head.getKey());
                if (!(head.getValue() instanceof Map<?, ?> h) || seq == null || !seq.equals(h.get("seq"))
                        || !java.util.Objects.equals(hashes.get(head.getKey() + "#" + seq), h.get("hash"))) {
                    return "the seal's head of chain " + head.getKey() + " is not the archived one";
                }
            }
            return null;
        }

        private static String text(Map<String, Object> line, String field) {
            if (!(line.get(field) instanceof String value)) {
                throw new IllegalArgumentException(field + " is missing");
            }
            return value;
        }

        private static long number(Map<String, Object> line, String field) {
            if (!(line.get(field) instanceof Long value)) {
                throw new IllegalArgumentException(field + " is missing");
            }
            return value;
        }
    }

    /** Just enough JSON for the archive's lines: objects, arrays, strings, integers, true/false/null. */
    static final class Json {
        private final String text;
        private int at;

        private Json(String text) {
            this.text = text;
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> object(String text) {
            Json json = new Json(text);
            Object value;
            try {
                value = json.value();
            } catch (IndexOutOfBoundsException | NumberFormatException e) {
                throw new IllegalArgumentException("malformed JSON at " + json.at);
            }
            json.space();
            if (json.at != text.length() || !(value instanceof Map)) {
                throw new IllegalArgumentException("not one JSON object");
            }
            return (Map<String, Object>) value;
        }

        private Object value() {
            space();
            if (at >= text.length()) {
                throw new IllegalArgumentException("unexpected end");
            }
            char c = text.charAt(at);
            if (c == '{') {
                Map<String, Object> map = new LinkedHashMap<>();
                at++;
                space();
                if (peek('}')) {
                    return map;
                }
                do {
                    space();
                    if (text.charAt(at) != '"') {
                        throw new IllegalArgumentException("a key is not a string at " + at);
                    }
                    String key = string();
                    space();
                    expect(':');
                    map.put(key, value());
                    space();
                } while (peek(','));
                expect('}');
                return map;
            }
            if (c == '[') {
                List<Object> list = new ArrayList<>();
                at++;
                space();
                if (peek(']')) {
                    return list;
                }
                do {
                    list.add(value());
                    space();
                } while (peek(','));
                expect(']');
                return list;
            }
            if (c == '"') {
                return string();
            }
            for (String literal : new String[] { "true", "false", "null" }) {
                if (text.startsWith(literal, at)) {
                    at += literal.length();
                    return literal.equals("null") ? null : Boolean.valueOf(literal);
                }
            }
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            String number = text.substring(start, at);
            try {
                return Long.valueOf(number);
            } catch (NumberFormatException notALong) {
                try {
                    return new java.math.BigDecimal(number);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("unexpected character at " + start);
                }
            }
        }

        private String string() {
            StringBuilder out = new StringBuilder();
            at++;
            while (true) {
                if (at >= text.length()) {
                    throw new IllegalArgumentException("unterminated string");
                }
                char c = text.charAt(at++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = text.charAt(at++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> out.append(e);
                }
            }
        }

        private void space() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private boolean peek(char c) {
            if (at < text.length() && text.charAt(at) == c) {
                at++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw new IllegalArgumentException("expected " + c + " at " + at);
            }
        }
    }
}
