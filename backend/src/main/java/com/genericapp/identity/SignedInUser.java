package com.genericapp.identity;

import java.security.Principal;

import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;

/**
 * Who sent the request, from their session: the user, the role, and the session's hash
 * (to keep this session when the user changes their own password).
 */
public record SignedInUser(String username, Role role, byte[] sessionHash) implements Principal {

    @Override
    public String getName() {
        return this.username;
    }

    /** The signed-in user behind a controller's {@link Principal} parameter. */
    public static SignedInUser of(Principal principal) {
        if (principal instanceof SignedInUser user) {
            return user;
        }
        if (principal instanceof UsernamePasswordAuthenticationToken token
                && token.getPrincipal() instanceof SignedInUser user) {
            return user;
        }
        throw new IllegalStateException("not a signed-in user: " + principal.getClass().getName());
    }

    @Override
    public String toString() {
        return "SignedInUser[" + this.username + ", " + this.role.id() + "]";
    }

}
