package io.palisade.devstack.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

/** Changes a member's authority behind the tokens already issued, as a demotion in tenant-service does. */
public final class StaleAuthority {

    private StaleAuthority() {
    }

    /** Sets the member's role and permission bits in the database; tokens issued before keep claiming the old ones. */
    public static void change(UUID tenantId, UUID userId, String role, long permissions) {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("update tenancy.memberships set role = ?, permissions = ? where tenant_id = ? and user_id = ?")) {
            st.setString(1, role);
            st.setLong(2, permissions);
            st.setObject(3, tenantId);
            st.setObject(4, userId);
            if (st.executeUpdate() != 1) {
                throw new IllegalStateException("no such member");
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
