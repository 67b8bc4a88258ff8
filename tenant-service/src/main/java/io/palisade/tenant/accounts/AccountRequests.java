package io.palisade.tenant.accounts;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Request bodies of the account endpoints. New passwords are judged by PasswordPolicy (a 422 naming the rule). */
public final class AccountRequests {

    private AccountRequests() {
    }

    public record Signup(
            @NotBlank @Size(max = 200) String tenantName,
            @NotBlank @Pattern(regexp = "^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$", message = "3-40 lower-case letters, digits or dashes") String tenantSlug,
            @NotBlank @Email @Size(max = 254) String email,
            @NotBlank @Size(max = 200) String displayName,
            @NotNull @Size(max = 1024) String password) {
    }

    /** {@code unlockToken}: the code of an unlock link, when the identifier is locked (docs/lockout.md). */
    public record Login(@NotBlank @Size(max = 254) String email, @NotBlank @Size(max = 128) String password,
            @Size(max = 40) String tenant, @Size(max = 200) String unlockToken) {
    }

    public record Unlock(@NotBlank @Email @Size(max = 254) String email) {
    }

    /** The token of a link mailed to finish a signup or to prove an account's email. */
    public record LinkToken(@NotBlank @Size(max = 200) String token) {
    }

    public record Refresh(@NotBlank @Size(max = 200) String refreshToken) {
    }

    public record AcceptInvitation(@NotBlank @Size(max = 200) String token,
            @Size(max = 200) String displayName,
            @NotNull @Size(max = 1024) String password) {
    }

    public record SecondFactor(@NotBlank @Size(max = 200) String mfaToken, @Size(max = 16) String code,
            @Size(max = 32) String recoveryCode) {
    }

    public record MfaEnrolment(@NotBlank @Size(max = 200) String mfaToken) {
    }
}
