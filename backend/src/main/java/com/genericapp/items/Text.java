package com.genericapp.items;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;

/**
 * Text a client sends that is stored or searched for: it must come back exactly as it was
 * sent, so anything PostgreSQL cannot store, or would store differently, is refused with
 * the reason.
 *
 * <ul>
 * <li>Length: at most {@link #max()} Unicode code points (an emoji is one), as PostgreSQL
 * counts.</li>
 * <li>Everywhere refused: NUL (U+0000), which PostgreSQL text cannot hold; an unpaired
 * UTF-16 surrogate (a lone {@code "\ud800"} in JSON), which the driver would store as
 * {@code ?}; the Unicode noncharacters (U+FDD0–U+FDEF and U+FFFE, U+FFFF in every plane),
 * which are not meant for interchange.</li>
 * <li>{@link Lines#ONE} (names, search terms): no control character at all
 * (U+0000–U+001F, U+007F–U+009F).</li>
 * <li>{@link Lines#MANY} (descriptions): tab, line feed and carriage return are allowed,
 * every other control character is refused.</li>
 * </ul>
 *
 * Everything else is accepted as sent, including format characters such as zero-width
 * joiners and bidirectional marks (real text uses them), private-use and unassigned code
 * points. The rule is checked after the documented normalisation of bodies
 * ({@link ItemRequest}: surrounding whitespace removed); a search term {@code q} is
 * checked as sent, before its whitespace is stripped. Invalid UTF-8 never reaches this
 * check: the JSON parser and {@link ItemController} refuse it.
 */
@Documented
@Target({ ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT })
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = TextValidator.class)
@interface Text {

    /** Most code points allowed. */
    int max();

    Lines lines() default Lines.ONE;

    String message() default "is not acceptable text";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    enum Lines {

        ONE, MANY

    }

}
