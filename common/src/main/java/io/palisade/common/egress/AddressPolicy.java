package io.palisade.common.egress;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Which resolved addresses Palisade may connect to on a tenant's behalf: public unicast only. Refused: loopback, private, link-local (cloud
 * metadata), carrier-grade NAT, unspecified, multicast, broadcast, documentation and other reserved IPv4 blocks;
 * IPv6 loopback, unspecified, unique-local, link-local, site-local, multicast, documentation, discard, IPv4-mapped,
 * -translated and -compatible forms, local NAT64, and 6to4, Teredo and NAT64 addresses that embed a refused IPv4 address.
 * Loopback can be allowed (tests that deliver to a local receiver); nothing else can.
 */
public final class AddressPolicy {

    private record Block(byte[] prefix, int bits, String what) {
        boolean contains(byte[] address) {
            if (address.length != prefix.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != prefix[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (prefix[full] & mask);
        }
    }

    private static final List<Block> IPV4 = List.of(
            v4("0.0.0.0", 8, "unspecified (this network)"),
            v4("10.0.0.0", 8, "private"),
            v4("100.64.0.0", 10, "carrier-grade NAT"),
            v4("127.0.0.0", 8, "loopback"),
            v4("169.254.0.0", 16, "link-local (cloud metadata)"),
            v4("172.16.0.0", 12, "private"),
            v4("192.0.0.0", 24, "reserved (IETF protocol assignments)"),
            v4("192.0.2.0", 24, "reserved (documentation)"),
            v4("192.88.99.0", 24, "reserved (6to4 relay)"),
            v4("192.168.0.0", 16, "private"),
            v4("198.18.0.0", 15, "reserved (benchmarking)"),
            v4("198.51.100.0", 24, "reserved (documentation)"),
            v4("203.0.113.0", 24, "reserved (documentation)"),
            v4("224.0.0.0", 4, "multicast"),
            v4("255.255.255.255", 32, "broadcast"),
            v4("240.0.0.0", 4, "reserved"));

    private static final List<Block> IPV6 = List.of(
            v6("::", 128, "unspecified"),
            v6("::1", 128, "loopback"),
            new Block(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0 }, 96, "IPv4-mapped"),
            new Block(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0, 0, 0 }, 96, "IPv4-translated"),
            v6("::", 96, "IPv4-compatible"),
            v6("64:ff9b:1::", 48, "local-use NAT64"),
            v6("100::", 64, "discard-only"),
            v6("2001:db8::", 32, "reserved (documentation)"),
            v6("2001:10::", 28, "reserved (ORCHID)"),
            v6("fc00::", 7, "unique-local"),
            v6("fe80::", 10, "link-local"),
            v6("fec0::", 10, "site-local"),
            v6("ff00::", 8, "multicast"));

    private static final Block NAT64 = v6("64:ff9b::", 96, "NAT64");
    private static final Block SIX_TO_FOUR = v6("2002::", 16, "6to4");
    private static final Block TEREDO = v6("2001::", 32, "Teredo");

    private final boolean allowLoopback;

    public AddressPolicy(boolean allowLoopback) {
        this.allowLoopback = allowLoopback;
    }

    /** Why the address is refused, or empty when it may be reached. */
    public Optional<String> refusal(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address v6 && v6.getScopeId() != 0) {
            return Optional.of("a scoped IPv6 address");
        }
        if (address instanceof Inet4Address) {
            return v4Refusal(bytes);
        }
        if (allowLoopback && address.isLoopbackAddress()) {
            return Optional.empty();
        }
        for (Block block : IPV6) {
            if (block.contains(bytes)) {
                return Optional.of(block.what());
            }
        }
        for (Block embedding : List.of(NAT64, SIX_TO_FOUR, TEREDO)) {
            if (embedding.contains(bytes)) {
                for (byte[] embedded : embeddedV4(embedding, bytes)) {
                    Optional<String> refused = v4Refusal(embedded);
                    if (refused.isPresent()) {
                        return Optional.of(embedding.what() + " embedding a " + refused.get() + " IPv4 address");
                    }
                }
            }
        }
        return Optional.empty();
    }

    private Optional<String> v4Refusal(byte[] bytes) {
        for (Block block : IPV4) {
            if (block.contains(bytes)) {
                if (allowLoopback && block.what().equals("loopback")) {
                    return Optional.empty();
                }
                return Optional.of(block.what());
            }
        }
        return Optional.empty();
    }

    /** The IPv4 addresses an IPv6 form carries: NAT64 in its last 32 bits, 6to4 in bits 16-47, Teredo its server and (inverted) client. */
    private static List<byte[]> embeddedV4(Block form, byte[] b) {
        if (form == NAT64) {
            return List.of(new byte[] { b[12], b[13], b[14], b[15] });
        }
        if (form == SIX_TO_FOUR) {
            return List.of(new byte[] { b[2], b[3], b[4], b[5] });
        }
        return List.of(new byte[] { b[4], b[5], b[6], b[7] },
                new byte[] { (byte) ~b[12], (byte) ~b[13], (byte) ~b[14], (byte) ~b[15] });
    }

    private static Block v4(String address, int bits, String what) {
        return new Block(literal(address), bits, what);
    }

    private static Block v6(String address, int bits, String what) {
        return new Block(literal(address), bits, what);
    }

    private static byte[] literal(String address) {
        try {
            return InetAddress.getByName(address).getAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(address, e);
        }
    }
}
