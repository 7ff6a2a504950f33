-- Who may do what (docs/IDENTITY.md). Passwords are stored only as DelegatingPasswordEncoder hashes
-- ("{argon2@SpringSecurity_v5_8}…" or "{bcrypt}…"); the role is one of three, cumulative.
CREATE TABLE users (
    username      varchar(64)  PRIMARY KEY
        CONSTRAINT users_username_format CHECK (username ~ '^[A-Za-z0-9][A-Za-z0-9._@-]*$'),
    password_hash text         NOT NULL CONSTRAINT users_password_hash_encoded CHECK (password_hash ~ '^\{[^}]+\}'),
    role          varchar(16)  NOT NULL CONSTRAINT users_role_known CHECK (role IN ('viewer', 'editor', 'admin')),
    created_at    timestamptz  NOT NULL DEFAULT now(),
    updated_at    timestamptz  NOT NULL DEFAULT now()
);

-- Server-side sessions, shared by every API replica. The cookie holds a random token; only its
-- SHA-256 is stored, so a copy of this table does not sign anyone in. Deleting a user or changing
-- their password deletes their sessions.
CREATE TABLE sessions (
    token_hash bytea        PRIMARY KEY CONSTRAINT sessions_token_hash_length CHECK (octet_length(token_hash) = 32),
    username   varchar(64)  NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    created_at timestamptz  NOT NULL DEFAULT now(),
    last_seen  timestamptz  NOT NULL DEFAULT now()
);

CREATE INDEX sessions_username ON sessions (username);
CREATE INDEX sessions_last_seen ON sessions (last_seen);

-- Failed sign-ins per username ("user:…") and per client address ("client:…"), for throttling:
-- failures counted in a window, and a lock that doubles while they go on.
CREATE TABLE sign_in_failures (
    key          varchar(160) PRIMARY KEY,
    failures     integer      NOT NULL,
    window_start timestamptz  NOT NULL,
    locked_until timestamptz
);
