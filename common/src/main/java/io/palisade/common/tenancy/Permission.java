package io.palisade.common.tenancy;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;

/**
 * Permission bits of a membership, carried in the token's {@code perm} claim. Owners and admins hold every
 * bit; a staff member holds the bits an owner or admin granted. Bits are never renumbered: tokens in flight
 * and stored masks depend on them.
 */
public enum Permission {
    BOOKINGS_READ(0),
    BOOKINGS_WRITE(1),
    BOOKINGS_CANCEL(2),
    REFUNDS(3),
    CATALOG_MANAGE(4),
    MEMBERS_MANAGE(5),
    SETTINGS_MANAGE(6),
    AUDIT_READ(7),
    WEBHOOKS_MANAGE(8),
    GIFT_CARDS_MANAGE(9);

    private final long bit;

    Permission(int position) {
        this.bit = 1L << position;
    }

    public long bit() {
        return bit;
    }

    public static final long ALL = EnumSet.allOf(Permission.class).stream().mapToLong(Permission::bit).reduce(0, (a, b) -> a | b);

    /** What a member may do: owners and admins everything, staff the bits their membership holds. */
    public static long granted(String role, long memberPermissions) {
        return Roles.STAFF.equals(role) ? memberPermissions : ALL;
    }

    public static long mask(Collection<Permission> permissions) {
        return permissions.stream().mapToLong(Permission::bit).reduce(0, (a, b) -> a | b);
    }

    public static Set<Permission> of(long mask) {
        EnumSet<Permission> set = EnumSet.noneOf(Permission.class);
        for (Permission p : values()) {
            if ((mask & p.bit) != 0) {
                set.add(p);
            }
        }
        return set;
    }
}
