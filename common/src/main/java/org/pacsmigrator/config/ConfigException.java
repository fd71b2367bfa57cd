package org.pacsmigrator.config;

/** A configuration problem, with the key (dotted path) it concerns. */
public class ConfigException extends RuntimeException {
    private final String key;

    public ConfigException(String key, String reason) {
        super(key == null ? reason : "config key '" + key + "': " + reason);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
