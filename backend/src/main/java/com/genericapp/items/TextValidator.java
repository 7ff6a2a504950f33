package com.genericapp.items;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import org.jspecify.annotations.Nullable;

/**
 * The rule of {@link Text}; each refusal names the first offending character and its
 * position.
 */
class TextValidator implements ConstraintValidator<Text, String> {

    private int max;

    private Text.Lines lines = Text.Lines.ONE;

    @Override
    public void initialize(Text text) {
        this.max = text.max();
        this.lines = text.lines();
    }

    @Override
    public boolean isValid(@Nullable String value, ConstraintValidatorContext context) {
        if (value == null) {
            return true;
        }
        @Nullable String problem = problem(value, this.max, this.lines);
        if (problem == null) {
            return true;
        }
        context.disableDefaultConstraintViolation();
        context.buildConstraintViolationWithTemplate(problem).addConstraintViolation();
        return false;
    }

    /** Why {@code value} breaks the rule, or null when it keeps it. */
    static @Nullable String problem(String value, int max, Text.Lines lines) {
        int position = 0;
        for (int i = 0; i < value.length(); i += Character.charCount(value.codePointAt(i))) {
            int c = value.codePointAt(i);
            position++;
            if (c == 0) {
                return "must not contain NUL (U+0000), found at character " + position;
            }
            if (Character.isSurrogate((char) c) && c <= 0xFFFF) {
                return "must not contain an unpaired surrogate (U+" + hex(c) + "), found at character " + position;
            }
            if (isNoncharacter(c)) {
                return "must not contain the noncharacter U+" + hex(c) + ", found at character " + position;
            }
            if (Character.getType(c) == Character.CONTROL && !(lines == Text.Lines.MANY && isLineControl(c))) {
                return "must not contain the control character U+" + hex(c) + ", found at character " + position
                        + ((lines == Text.Lines.MANY) ? " (only tab, line feed and carriage return are allowed)" : "");
            }
        }
        if (position > max) {
            return "must be at most " + max + " characters";
        }
        return null;
    }

    private static boolean isNoncharacter(int c) {
        return (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE;
    }

    private static boolean isLineControl(int c) {
        return c == '\t' || c == '\n' || c == '\r';
    }

    private static String hex(int c) {
        return String.format("%04X", c);
    }

}
