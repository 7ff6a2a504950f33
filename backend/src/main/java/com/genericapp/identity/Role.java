package com.genericapp.identity;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * The three roles, each with what the one below it may do: a viewer reads items and the
 * live stream, an editor also writes items, an admin also manages users.
 */
@Schema(description = "viewer reads; editor also writes items; admin also manages users", type = "string",
        allowableValues = { "viewer", "editor", "admin" }, example = "editor")
public enum Role {

    VIEWER, EDITOR, ADMIN;

    /** The name in JSON, in the database and in messages. */
    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The authority Spring Security checks for "at least this role". */
    public String authority() {
        return "ROLE_" + name();
    }

    /** This role's authority and those of every role below it. */
    List<GrantedAuthority> authorities() {
        return Arrays.stream(values())
            .filter((role) -> role.ordinal() <= ordinal())
            .<GrantedAuthority>map((role) -> new SimpleGrantedAuthority(role.authority()))
            .toList();
    }

    @Override
    public String toString() {
        return id();
    }

    /** The role named {@code id}, or null when there is none. */
    public static @Nullable Role fromId(@Nullable String id) {
        if (id == null) {
            return null;
        }
        for (Role role : values()) {
            if (role.id().equals(id)) {
                return role;
            }
        }
        return null;
    }

    static String ids() {
        return String.join(", ", Arrays.stream(values()).map(Role::id).toList());
    }

}
