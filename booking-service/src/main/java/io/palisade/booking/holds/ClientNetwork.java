package io.palisade.booking.holds;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The network a client address belongs to, for the hold limits: its IPv4 /24 or its IPv6 /56 (what a provider
 * usually gives one customer), so that rotating addresses inside one allocation does not multiply a client's holds.
 */
final class ClientNetwork {

    private ClientNetwork() {
    }

    /** {@code 198.51.100.0/24}, {@code 2001:db8:aa:bb00::/56}; an address that does not parse stands for itself. */
    static String of(String address) {
        InetAddress parsed;
        try {
            // A literal address (the connection's peer): never a DNS lookup.
            parsed = address.matches("[0-9a-fA-F:.]+") ? InetAddress.getByName(address) : null;
        } catch (UnknownHostException e) {
            parsed = null;
        }
        if (parsed == null) {
            return address;
        }
        byte[] bytes = parsed.getAddress();
        int keep = parsed instanceof Inet4Address ? 3 : 7;
        byte[] network = new byte[bytes.length];
        System.arraycopy(bytes, 0, network, 0, keep);
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + keep * 8;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
