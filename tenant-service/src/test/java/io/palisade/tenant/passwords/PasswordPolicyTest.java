package io.palisade.tenant.passwords;

import static io.palisade.tenant.Api.json;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.palisade.tenant.TenantServiceStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Every rule of the password policy, at signup, through the API. */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class PasswordPolicyTest {

    private static Response signup(String password) {
        String slug = "p-" + UUID.randomUUID().toString().substring(0, 12);
        return json().body(Map.of("tenantName", "Policy " + slug, "tenantSlug", slug, "email", "owner@" + slug + ".example",
                "displayName", "Owner", "password", password)).post("/signup");
    }

    private static void refused(String password, String... rules) {
        Response response = signup(password);
        response.then().statusCode(422).contentType("application/problem+json")
                .body("violations.rule", containsInAnyOrder((Object[]) rules))
                .body(not(containsString(password)));
    }

    @Test
    void eachStructuralRuleIsNamed() {
        refused("Sh0rt!pass", "min-length");
        refused("all-lower-case-9-letters", "uppercase");
        refused("ALL-UPPER-CASE-9-LETTERS", "lowercase");
        refused("No-Digits-In-This-One", "digit");
        refused("NoSymbolsInThis0ne", "symbol");
        refused("a".repeat(129), "max-length", "uppercase", "digit", "symbol");
    }

    @Test
    void aLongPassphraseAndAUnicodeOneAreAccepted() {
        String passphrase = "Correct horse battery staple, 7 times over and over again! " .repeat(2);
        assertEquals(118, passphrase.length());
        signup(passphrase + "Ab1!".repeat(2) + "x".repeat(2)).then().statusCode(202);
        signup("Ünïcødé-Pässwörd-2026").then().statusCode(202);
    }

    @Test
    void aPasswordFromTheOfflineBreachCorpusIsRefused() {
        refused("g00dPa$$w0rD", "breached");
        refused("Mikolaj@2013", "breached");
        // Only its lower-case form is in the corpus: capitalising a known password does not make it new.
        refused("Zinhorimanmori@123", "breached");
    }

    @Test
    void aPasswordKnownOnlyToPwnedPasswordsIsRefusedAndOnlyAPrefixLeaves() {
        String pwned = "Only-Pwned-Online-2026!";
        String sha1 = PwnedPasswords.sha1Hex(pwned);
        int before = PwnedPasswordsFake.get().seen().size();
        refused(pwned, "breached");
        List<PwnedPasswordsFake.Seen> seen = PwnedPasswordsFake.get().seen();
        assertTrue(seen.size() > before, "the range API was not asked");
        PwnedPasswordsFake.Seen request = seen.get(seen.size() - 1);
        assertEquals("GET", request.method());
        assertEquals("/range/" + sha1.substring(0, 5), request.path());
        assertEquals(null, request.query());
        assertEquals("true", request.padding());
        for (PwnedPasswordsFake.Seen each : seen) {
            assertFalse(each.path().toUpperCase().contains(sha1.substring(5, 12)), "more than the prefix left: " + each);
        }
    }

    @Test
    void theOfflineCorpusHasTheStatedSizeAndFalsePositiveRate() {
        BreachedPasswords corpus = new BreachedPasswords();
        corpus.load();
        assertEquals(426_886, corpus.size());
        assertTrue(corpus.contains("123456") && corpus.contains("password") && corpus.contains("qwerty"));
        int falsePositives = 0;
        int lookups = 200_000;
        for (int i = 0; i < lookups; i++) {
            if (corpus.contains("Random-" + UUID.randomUUID() + "-9!")) {
                falsePositives++;
            }
        }
        // Two lookups (as typed, lower-cased) per check at 1e-5 each: about 4 expected; 20 would mean a broken filter.
        assertTrue(falsePositives < 20, falsePositives + " false positives in " + lookups);
    }

    @Test
    void rangeApiAnswersAreReadWithoutPaddingDecoys() {
        assertTrue(PwnedPasswords.listed("ABCDEF0123456789ABCDEF0123456789ABC:3\r\nFFFF:0", "abcdef0123456789abcdef0123456789abc"));
        assertFalse(PwnedPasswords.listed("ABCDEF0123456789ABCDEF0123456789ABC:0\r\n", "ABCDEF0123456789ABCDEF0123456789ABC"));
        assertFalse(PwnedPasswords.listed("", "ABCDEF0123456789ABCDEF0123456789ABC"));
    }

    @Test
    void breachedCheckPassesThroughOnlyAcceptablePasswords() {
        signup("Not-In-Any-Breach-" + UUID.randomUUID().toString().substring(0, 8) + "!").then().statusCode(202)
                .body("detail", not(equalTo(null)));
    }
}
