/**
 * Who may do what: users with one of three cumulative roles, server-side sessions in
 * PostgreSQL (shared by every replica, revocable), CSRF by double submit bound to the
 * session, and sign-in throttling. The contract is in docs/IDENTITY.md.
 */
@NullMarked
package com.genericapp.identity;

import org.jspecify.annotations.NullMarked;
