package io.palisade.common.egress;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SSRF corpus: every URL here is refused by the default rules, each for the reason named (a numeric form of
 * 127.0.0.1 must be refused as loopback, which proves it was normalised, not merely unparseable).
 */
class SsrfCorpusTest {

    /** Names under example.test answer what this table says; anything else does not resolve. */
    static final HostResolver DNS = host -> {
        Map<String, List<String>> answers = Map.of(
                "hooks.example.test", List.of("93.184.216.34"),
                "v6.example.test", List.of("2606:4700:4700::1111"),
                "loopback.example.test", List.of("127.0.0.1"),
                "mixed.example.test", List.of("93.184.216.34", "10.0.0.5"),
                "metadata.example.test", List.of("169.254.169.254"),
                "v6loopback.example.test", List.of("::1"),
                "mapped.example.test", List.of("::ffff:169.254.169.254"),
                "ula.example.test", List.of("fd00::1"),
                "127.0.0.1.nip.io", List.of("127.0.0.1"));
        List<String> found = answers.get(host);
        if (found == null) {
            throw new UnknownHostException(host);
        }
        return found.stream().map(a -> {
            try {
                return InetAddress.getByName(a);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    };

    static Stream<Arguments> refused() {
        return Stream.of(
                // loopback in every IPv4 spelling
                Arguments.of("https://127.0.0.1/hook", "loopback"),
                Arguments.of("https://127.1/", "loopback"),
                Arguments.of("https://0x7f.1/", "loopback"),
                Arguments.of("https://0x7f000001/", "loopback"),
                Arguments.of("https://2130706433/", "loopback"),
                Arguments.of("https://0177.0.0.1/", "loopback"),
                Arguments.of("https://017700000001/", "loopback"),
                Arguments.of("https://127.000.000.001/", "loopback"),
                Arguments.of("https://0x7f.0x0.0x0.0x1/", "loopback"),
                Arguments.of("https://127.0.0.1./", "loopback"),
                Arguments.of("https://127.255.255.254/", "loopback"),
                // unspecified
                Arguments.of("https://0/", "unspecified"),
                Arguments.of("https://0.0.0.0/", "unspecified"),
                Arguments.of("https://[::]/", "unspecified"),
                // IPv6 loopback, mapped, compatible, embedded forms
                Arguments.of("https://[::1]/", "loopback"),
                Arguments.of("https://[0:0:0:0:0:0:0:1]/", "loopback"),
                Arguments.of("https://[::ffff:127.0.0.1]/", "loopback"),
                Arguments.of("https://[::ffff:7f00:1]/", "loopback"),
                Arguments.of("https://[::ffff:a9fe:a9fe]/", "link-local"),
                Arguments.of("https://[::127.0.0.1]/", "IPv4-compatible"),
                Arguments.of("https://[::ffff:0:7f00:1]/", "IPv4-translated"),
                Arguments.of("https://[64:ff9b::7f00:1]/", "NAT64 embedding a loopback"),
                Arguments.of("https://[64:ff9b::a00:1]/", "NAT64 embedding a private"),
                Arguments.of("https://[64:ff9b:1::a00:1]/", "local-use NAT64"),
                Arguments.of("https://[2002:7f00:1::1]/", "6to4 embedding a loopback"),
                Arguments.of("https://[2002:c0a8:101::1]/", "6to4 embedding a private"),
                Arguments.of("https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/", "Teredo embedding a private"),
                Arguments.of("https://[fc00::1]/", "unique-local"),
                Arguments.of("https://[fd12:3456:789a::1]/", "unique-local"),
                Arguments.of("https://[fe80::1]/", "link-local"),
                Arguments.of("https://[fec0::1]/", "site-local"),
                Arguments.of("https://[ff02::1]/", "multicast"),
                Arguments.of("https://[2001:db8::1]/", "documentation"),
                // private, link-local, CGNAT, multicast, broadcast, reserved IPv4
                Arguments.of("https://10.0.0.1/", "private"),
                Arguments.of("https://10.255.255.255/", "private"),
                Arguments.of("https://172.16.0.1/", "private"),
                Arguments.of("https://172.31.255.254/", "private"),
                Arguments.of("https://192.168.1.1/", "private"),
                Arguments.of("https://0xc0a80101/", "private"),
                Arguments.of("https://169.254.169.254/latest/meta-data/", "link-local"),
                Arguments.of("https://100.64.0.1/", "carrier-grade NAT"),
                Arguments.of("https://100.127.255.254/", "carrier-grade NAT"),
                Arguments.of("https://224.0.0.1/", "multicast"),
                Arguments.of("https://239.255.255.250/", "multicast"),
                Arguments.of("https://255.255.255.255/", "broadcast"),
                Arguments.of("https://240.0.0.1/", "reserved"),
                Arguments.of("https://192.0.2.10/", "documentation"),
                Arguments.of("https://198.18.0.1/", "benchmarking"),
                // names: denied outright, or resolving to refused addresses
                Arguments.of("https://localhost/", "not allowed"),
                Arguments.of("https://api.localhost/", "not allowed"),
                Arguments.of("https://metadata.google.internal/computeMetadata/v1/", "not allowed"),
                Arguments.of("https://printer.local/", "not allowed"),
                Arguments.of("https://loopback.example.test/", "loopback"),
                Arguments.of("https://127.0.0.1.nip.io/", "loopback"),
                Arguments.of("https://mixed.example.test/", "private"),
                Arguments.of("https://metadata.example.test/", "link-local"),
                Arguments.of("https://v6loopback.example.test/", "loopback"),
                Arguments.of("https://mapped.example.test/", "link-local"),
                Arguments.of("https://ula.example.test/", "unique-local"),
                Arguments.of("https://nowhere.example.test/", "does not resolve"),
                // the URL rules
                Arguments.of("http://hooks.example.test/", "https"),
                Arguments.of("ftp://hooks.example.test/", "https"),
                Arguments.of("file:///etc/passwd", "https"),
                Arguments.of("gopher://hooks.example.test:70/", "https"),
                Arguments.of("https://user:secret@hooks.example.test/", "credentials"),
                Arguments.of("https://user@hooks.example.test/", "credentials"),
                Arguments.of("https://hooks.example.test:8443/", "port 8443"),
                Arguments.of("https://hooks.example.test:22/", "port 22"),
                Arguments.of("https://hooks.example.test\\@127.0.0.1/", "backslashes"),
                Arguments.of("https://hooks.example.test/#fragment", "fragment"),
                Arguments.of("https:///no-host", "no host"),
                Arguments.of("https://%31%32%37.0.0.1/", "not a valid name"),
                Arguments.of("https://999.1.1.1/", "neither a name nor a valid address"),
                Arguments.of("https://[fe80::1%25eth0]/", "zone"),
                Arguments.of("https://hooks.example.test/ space", "spaces"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusedByDefault(String url, String reason) {
        EgressGuard guard = new EgressGuard(TestRules.defaults(), DNS);
        EgressRefused refusal = assertThrows(EgressRefused.class, () -> guard.checkAndResolve(url), url);
        assertTrue(refusal.getMessage().contains(reason), url + " refused for \"" + refusal.getMessage() + "\", expected \"" + reason + "\"");
    }

    @Test
    void theCorpusIsLargeEnough() {
        assertTrue(refused().count() >= 40);
    }

    @Test
    void publicAddressesArePermitted() throws Exception {
        EgressGuard guard = new EgressGuard(TestRules.defaults(), DNS);
        CheckedUrl url = guard.checkAndResolve("https://hooks.example.test/palisade?x=1");
        assertEquals("hooks.example.test", url.host());
        assertEquals(443, url.port());
        assertEquals("/palisade?x=1", url.target());
        assertEquals("93.184.216.34", guard.resolve(url).get(0).getHostAddress());
        assertDoesNotThrow(() -> guard.checkAndResolve("https://v6.example.test/"));
        assertDoesNotThrow(() -> guard.checkAndResolve("https://[2606:4700:4700::1111]/"));
        assertDoesNotThrow(() -> guard.checkAndResolve("https://1.1.1.1/"));
        assertDoesNotThrow(() -> guard.checkAndResolve("https://HOOKS.Example.TEST./"));
    }

    @Test
    void operatorsWidenOnlyWhatTheyName() throws Exception {
        TestRules widened = TestRules.defaults().withHttpAllowedHosts("hooks.example.test").withAllowedPorts(8443);
        EgressGuard guard = new EgressGuard(widened, DNS);
        assertDoesNotThrow(() -> guard.checkAndResolve("http://hooks.example.test/"));
        assertDoesNotThrow(() -> guard.checkAndResolve("https://hooks.example.test:8443/"));
        assertThrows(EgressRefused.class, () -> guard.checkAndResolve("http://v6.example.test/"));
        assertThrows(EgressRefused.class, () -> guard.checkAndResolve("https://hooks.example.test:9000/"));

        TestRules onlyListed = TestRules.defaults().withAllowedHosts("*.example.test");
        assertDoesNotThrow(() -> new EgressGuard(onlyListed, DNS).checkAndResolve("https://hooks.example.test/"));
        assertTrue(assertThrows(EgressRefused.class, () -> new EgressGuard(onlyListed, DNS).checkAndResolve("https://1.1.1.1/"))
                .getMessage().contains("allowed hosts"));
    }

    @Test
    void loopbackIsAllowedOnlyWhenSwitchedOnAndNothingElseWithIt() throws Exception {
        TestRules loopback = TestRules.defaults().withLoopback().withHttpAllowedHosts("127.0.0.1", "localhost.example.test").withAllowedPorts(18080);
        EgressGuard guard = new EgressGuard(loopback, DNS);
        assertDoesNotThrow(() -> guard.checkAndResolve("http://127.0.0.1:18080/hook"));
        assertDoesNotThrow(() -> guard.checkAndResolve("https://[::1]/"));
        assertThrows(EgressRefused.class, () -> guard.checkAndResolve("https://10.0.0.1/"));
        assertThrows(EgressRefused.class, () -> guard.checkAndResolve("https://169.254.169.254/"));
        assertThrows(EgressRefused.class, () -> new EgressGuard(TestRules.defaults(), DNS).checkAndResolve("http://127.0.0.1:18080/hook"));
    }
}
