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

    /**
     * The longest {@code Link} header a page can carry: the path, two 19-digit numbers
     * and a query of 200 code points percent-encoded (at most 12 characters each).
     */
    static final int LINK_LENGTH = 2500;

    /** The most items one page of the listing holds. */
    static final int PAGE_MAX = 500;

    /**
     * The characters of a name or a search term, as an OpenAPI (ECMA-262) pattern: no
     * control character and no noncharacter of the first plane. {@link Text} also refuses
     * unpaired surrogates and the noncharacters of the other planes, which a pattern
     * without the {@code u} flag cannot name.
     */
    static final String ONE_LINE_PATTERN = "^[^\\x00-\\x1F\\x7F-\\x9F\\uFDD0-\\uFDEF\\uFFFE\\uFFFF]*$";

    /**
     * The same for a description, where tab, line feed and carriage return are allowed.
     */
    static final String MANY_LINES_PATTERN = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F\\uFDD0-\\uFDEF\\uFFFE\\uFFFF]*$";

    /**
     * The usernames items name as their authors, as identity's user management accepts
     * them (UserController); repeated here because identity's are package-private.
     */
    static final int USERNAME_LENGTH = 64;

    static final String USERNAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._@-]*$";

    /**
     * An {@code If-Match} header longer than this is refused (400) before it is parsed.
     */
    static final int IF_MATCH_LENGTH = 64;

    private ItemLimits() {
    }

}
