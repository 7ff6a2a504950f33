package com.genericapp.items;

/**
 * The lengths an item's texts may have, counted in Unicode code points: an emoji is one,
 * as it is for PostgreSQL's {@code varchar(n)} and {@code char_length} in a UTF8
 * database. The V1 migration holds the same numbers for the database's own checks.
 */
final class ItemLimits {

    static final int NAME_LENGTH = 100;

    static final int DESCRIPTION_LENGTH = 2000;

    static final int QUERY_LENGTH = 200;

    private ItemLimits() {
    }

}
