package io.palisade.common.tenancy;

/** Role names in tokens and memberships. */
public final class Roles {
    public static final String OWNER = "owner";
    public static final String ADMIN = "admin";
    public static final String STAFF = "staff";
    /** A client of an operator, signed in by a magic link: one tenant, one guest, no staff permission. */
    public static final String GUEST = "guest";
    /** Platform operators: no tenant, never tenant data by this role alone. */
    public static final String PLATFORM_ADMIN = "platform-admin";

    private Roles() {
    }
}
