package io.palisade.common.web;

import java.util.List;
import java.util.function.Function;

/** One page of a list; {@code nextCursor} is null on the last page. */
public record Page<T>(List<T> items, String nextCursor) {

    /**
     * Builds a page from up to {@code limit + 1} rows (the extra row only says that there is more).
     */
    public static <R, T> Page<T> of(List<R> rows, int limit, Function<R, T> view, Function<R, Cursor> cursor) {
        List<T> items = rows.stream().limit(limit).map(view).toList();
        String next = rows.size() > limit ? cursor.apply(rows.get(limit - 1)).encode() : null;
        return new Page<>(items, next);
    }
}
