package io.palisade.common.egress;

import java.net.IDN;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The SSRF defence for every URL a tenant gives Palisade (webhook endpoints, identity providers), when it is saved and
 * before every connection: the URL rules (https, ports, no credentials, host allow and deny lists, numeric hosts
 * normalised), then every address the host resolves to must be a public one ({@link AddressPolicy}). The caller
 * connects to the returned address and nothing else ({@link PinnedHttpClient}).
 */
public class EgressGuard {

    private static final int MAX_URL_LENGTH = 2048;
    private static final java.util.regex.Pattern REGISTRY_AUTHORITY = java.util.regex.Pattern.compile("([^:\\[\\]@]+)(?::(\\d{1,5}))?");

    private final EgressRules rules;
    private final HostResolver resolver;
    private final AddressPolicy addresses;

    public EgressGuard(EgressRules rules, HostResolver resolver) {
        this.rules = rules;
        this.resolver = resolver;
        this.addresses = new AddressPolicy(rules.allowLoopback());
    }

    /** The URL rules alone (no lookup). */
    public CheckedUrl check(String url) throws EgressRefused {
        if (url == null || url.isBlank() || url.length() > MAX_URL_LENGTH) {
            throw new EgressRefused("the URL is empty or longer than " + MAX_URL_LENGTH + " characters");
        }
        if (url.chars().anyMatch(ch -> ch <= 0x20 || ch == '\\' || ch == 0x7f)) {
            throw new EgressRefused("the URL contains spaces, control characters or backslashes");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new EgressRefused("the URL is not valid: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new EgressRefused("the URL must use https");
        }
        if (uri.getRawUserInfo() != null || (uri.getRawAuthority() != null && uri.getRawAuthority().contains("@"))) {
            throw new EgressRefused("the URL must not carry credentials");
        }
        if (uri.getRawFragment() != null) {
            throw new EgressRefused("the URL must not have a fragment");
        }
        String rawHost = uri.getHost();
        int explicitPort = uri.getPort();
        if (rawHost == null && uri.getRawAuthority() != null) {
            // java.net.URI reads numeric hosts such as 2130706433 or 0x7f.1 as a registry authority: take it apart here,
            // so they are normalised and checked, not passed over.
            java.util.regex.Matcher authority = REGISTRY_AUTHORITY.matcher(uri.getRawAuthority());
            if (authority.matches()) {
                rawHost = authority.group(1);
                explicitPort = authority.group(2) == null ? -1 : Integer.parseInt(authority.group(2));
            }
        }
        if (rawHost == null || rawHost.isEmpty()) {
            throw new EgressRefused("the URL has no host");
        }
        String host;
        Optional<InetAddress> literal;
        if (rawHost.startsWith("[")) {
            String v6 = rawHost.substring(1, rawHost.length() - 1);
            if (v6.contains("%")) {
                throw new EgressRefused("the URL's IPv6 address has a zone");
            }
            host = v6.toLowerCase(Locale.ROOT);
            literal = Optional.of(parseLiteral(v6));
        } else {
            try {
                host = IDN.toASCII(rawHost, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
            } catch (IllegalArgumentException e) {
                throw new EgressRefused("the URL's host is not a valid name");
            }
            if (host.endsWith(".")) {
                host = host.substring(0, host.length() - 1);
            }
            Optional<byte[]> v4 = Ipv4Literal.parse(host);
            if (v4.isPresent()) {
                try {
                    literal = Optional.of(InetAddress.getByAddress(v4.get()));
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
                host = literal.get().getHostAddress();
            } else if (Ipv4Literal.looksNumeric(host)) {
                throw new EgressRefused("the URL's host is neither a name nor a valid address");
            } else {
                literal = Optional.empty();
            }
        }
        boolean https = scheme.equals("https");
        if (!https && !matchesAny(host, rules.httpAllowedHosts().orElse(List.of()))) {
            throw new EgressRefused("the URL must use https");
        }
        int port = explicitPort == -1 ? (https ? 443 : 80) : explicitPort;
        if (port != (https ? 443 : 80) && !rules.allowedPorts().orElse(List.of()).contains(port)) {
            throw new EgressRefused("port " + port + " is not allowed; use the scheme's default port");
        }
        if (matchesAny(host, rules.deniedHosts())) {
            throw new EgressRefused("the host " + host + " is not allowed");
        }
        if (rules.allowedHosts().isPresent() && !matchesAny(host, rules.allowedHosts().get())) {
            throw new EgressRefused("the host " + host + " is not on the platform's list of allowed hosts");
        }
        if (literal.isPresent()) {
            refuseIfBlocked(literal.get());
        }
        String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new CheckedUrl(url, https, host, port, target, literal);
    }

    /**
     * Resolves the host now and checks every address it has; returns them, to connect to in order. One refused
     * address refuses the host: an answer that mixes public and internal addresses is an attack, not a choice.
     */
    public List<InetAddress> resolve(CheckedUrl url) throws EgressRefused {
        if (url.literal().isPresent()) {
            return List.of(url.literal().get());
        }
        List<InetAddress> found;
        try {
            found = resolver.resolve(url.host());
        } catch (UnknownHostException e) {
            throw new HostNotFound(url.host());
        }
        if (found.isEmpty()) {
            throw new HostNotFound(url.host());
        }
        for (InetAddress address : found) {
            refuseIfBlocked(address);
        }
        return found;
    }

    /** Both checks, as at registration. */
    public CheckedUrl checkAndResolve(String url) throws EgressRefused {
        CheckedUrl checked = check(url);
        resolve(checked);
        return checked;
    }

    private void refuseIfBlocked(InetAddress address) throws EgressRefused {
        Optional<String> refusal = addresses.refusal(address);
        if (refusal.isPresent()) {
            throw new EgressRefused("the address " + address.getHostAddress() + " is " + refusal.get() + ": Palisade connects to public addresses only");
        }
    }

    private static InetAddress parseLiteral(String v6) throws EgressRefused {
        if (!v6.matches("(?i)[0-9a-f:.]+")) {
            throw new EgressRefused("the URL's IPv6 address is not valid");
        }
        try {
            return InetAddress.getByName(v6);
        } catch (UnknownHostException e) {
            throw new EgressRefused("the URL's IPv6 address is not valid");
        }
    }

    static boolean matchesAny(String host, List<String> patterns) {
        for (String pattern : patterns) {
            String p = pattern.trim().toLowerCase(Locale.ROOT);
            if (p.startsWith("*.") ? host.endsWith(p.substring(1)) : host.equals(p)) {
                return true;
            }
        }
        return false;
    }
}
