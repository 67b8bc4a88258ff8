package io.palisade.common.db;

/**
 * A statement's LIMIT, written into its text rather than sent as a parameter. Given a parameter, PostgreSQL's generic
 * plan assumes a tenth of the table's rows, so it costs far more than a plan for the actual count and PostgreSQL
 * plans the prepared statement anew on every execution instead (for the staff bookings list under its policies,
 * 0.4 ms a time and about 40 % of PostgreSQL's throughput for it; docs/performance.md, B3). An int carries no SQL;
 * each distinct count is one more statement in a connection's prepared-statement cache.
 */
public final class RowLimit {

    private RowLimit() {
    }

    /** {@code " limit <rows>"}. */
    public static String of(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("a limit of " + rows + " rows");
        }
        return " limit " + rows;
    }
}
