package com.genericapp.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Secrets delivered as files (Docker secrets under /run/secrets), read the same way for
 * every {@code *_FILE} setting: the content without surrounding whitespace, and a clear
 * start-up error when the file is missing, unreadable or empty.
 */
public final class SecretFiles {

    private SecretFiles() {
    }

    /**
     * The secret in {@code file}, named by the setting {@code variable} (e.g.
     * {@code DB_PASSWORD_FILE}) and described as {@code what} in the error.
     */
    public static String read(Path file, String variable, String what) {
        try {
            // a trailing newline from `echo secret > file` is not part of the secret
            String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (secret.isEmpty()) {
                throw new UnsafeConfigurationException(variable + " " + file + " is empty.",
                        "Write " + what + " into " + file + ".");
            }
            return secret;
        }
        catch (IOException ex) {
            throw new UnsafeConfigurationException(
                    variable + " " + file + " cannot be read (" + ex.getClass().getSimpleName() + ").",
                    "Check that the file exists and that the user running the API may read it.");
        }
    }

}
