package org.pacsmigrator.state;

/**
 * The state store could not complete an operation (store unreachable, timeout, ...). Usually
 * transient: the consumer loop retries the study with back-off.
 */
public class StateStoreException extends RuntimeException {
    public StateStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
