package io.palisade.tenant.passwords;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A Bloom filter over strings: "maybe in the set" or "certainly not". Bit positions come from SHA-256 of the
 * UTF-8 bytes by double hashing (Kirsch-Mitzenmacher), so the file is the same on every JVM.
 *
 * <p>File format: magic {@code PBF1}, bit count (long), hash count (int), entry count (int), then the bits as
 * longs, big-endian.
 */
public final class BloomFilter {

    private static final int MAGIC = 0x50424631; // "PBF1"

    private final long bits;
    private final int hashes;
    private int entries;
    private final long[] words;

    private BloomFilter(long bits, int hashes, int entries, long[] words) {
        this.bits = bits;
        this.hashes = hashes;
        this.entries = entries;
        this.words = words;
    }

    /** An empty filter sized for the expected entries at the wanted false-positive rate. */
    public static BloomFilter sized(int expectedEntries, double falsePositiveRate) {
        double ln2 = Math.log(2);
        long bits = (long) Math.ceil(-expectedEntries * Math.log(falsePositiveRate) / (ln2 * ln2));
        int hashes = Math.max(1, (int) Math.round(bits / (double) expectedEntries * ln2));
        return new BloomFilter(bits, hashes, 0, new long[(int) ((bits + 63) / 64)]);
    }

    public void add(String value) {
        long[] h = hash(value);
        for (int i = 0; i < hashes; i++) {
            long bit = Math.floorMod(h[0] + i * h[1], bits);
            words[(int) (bit >>> 6)] |= 1L << (bit & 63);
        }
        entries++;
    }

    public boolean mightContain(String value) {
        long[] h = hash(value);
        for (int i = 0; i < hashes; i++) {
            long bit = Math.floorMod(h[0] + i * h[1], bits);
            if ((words[(int) (bit >>> 6)] & (1L << (bit & 63))) == 0) {
                return false;
            }
        }
        return true;
    }

    public int entries() {
        return entries;
    }

    /** The false-positive rate this filter was built for, from its size and entry count. */
    public double expectedFalsePositiveRate() {
        return Math.pow(1 - Math.exp(-hashes * (double) entries / bits), hashes);
    }

    public void writeTo(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(MAGIC);
        data.writeLong(bits);
        data.writeInt(hashes);
        data.writeInt(entries);
        for (long word : words) {
            data.writeLong(word);
        }
        data.flush();
    }

    public static BloomFilter readFrom(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        if (data.readInt() != MAGIC) {
            throw new IOException("not a Palisade Bloom filter");
        }
        long bits = data.readLong();
        int hashes = data.readInt();
        int entries = data.readInt();
        long[] words = new long[(int) ((bits + 63) / 64)];
        for (int i = 0; i < words.length; i++) {
            words[i] = data.readLong();
        }
        return new BloomFilter(bits, hashes, entries, words);
    }

    private static long[] hash(String value) {
        try {
            ByteBuffer digest = ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
            return new long[] { digest.getLong(), digest.getLong() | 1 };
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
