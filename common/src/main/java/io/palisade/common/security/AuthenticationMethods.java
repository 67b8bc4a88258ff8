package io.palisade.common.security;

import java.util.Collection;

import jakarta.json.JsonArray;
import jakarta.json.JsonString;

import org.eclipse.microprofile.jwt.JsonWebToken;

/** How the bearer of an access token signed in: its {@code amr} claim (RFC 8176: {@code pwd}, {@code otp}, {@code sso}). */
public final class AuthenticationMethods {

    public static final String CLAIM = "amr";
    public static final String PASSWORD = "pwd";
    public static final String ONE_TIME_PASSWORD = "otp";
    public static final String SSO = "sso";

    private AuthenticationMethods() {
    }

    public static boolean includes(JsonWebToken token, String method) {
        // "amr" is a registered claim: depending on the verifier it comes as a JSON array or a collection of strings.
        Object amr = token.getClaim(CLAIM);
        if (amr instanceof JsonArray methods) {
            return methods.stream().anyMatch(m -> m instanceof JsonString s && method.equals(s.getString()));
        }
        return amr instanceof Collection<?> methods && methods.contains(method);
    }
}
