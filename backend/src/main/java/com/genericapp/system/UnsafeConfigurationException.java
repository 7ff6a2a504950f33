package com.genericapp.system;

/**
 * A configuration the application refuses to start with; reported by
 * {@link UnsafeConfigurationFailureAnalyzer}.
 */
public class UnsafeConfigurationException extends RuntimeException {

    private final String action;

    public UnsafeConfigurationException(String description, String action) {
        super(description);
        this.action = action;
    }

    String action() {
        return action;
    }

}
