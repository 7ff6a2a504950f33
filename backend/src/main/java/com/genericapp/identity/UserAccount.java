package com.genericapp.identity;

import java.time.OffsetDateTime;

/**
 * A user as stored, password hash included: never sent anywhere (see {@link UserView}).
 */
record UserAccount(String username, String passwordHash, Role role, OffsetDateTime createdAt,
        OffsetDateTime updatedAt) {

    UserView view() {
        return new UserView(this.username, this.role, this.createdAt, this.updatedAt);
    }

    @Override
    public String toString() {
        // a record's toString would print the hash into any log line that shows the
        // account
        return "UserAccount[" + this.username + ", " + this.role.id() + "]";
    }

}
