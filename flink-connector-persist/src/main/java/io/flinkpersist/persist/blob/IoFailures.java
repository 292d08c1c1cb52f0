package io.flinkpersist.persist.blob;

import io.flinkpersist.persist.external.ExternalException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;

/** Classifies a file system failure of one blob call by whether it may have taken effect. */
final class IoFailures {
    private IoFailures() {}

    static ExternalException classify(String operation, String key, Throwable failure) {
        String message = "blob " + operation + " " + key + " failed: " + failure;
        // Refused before anything was sent: certainly no effect. Anything later (timeouts, resets, 5xx) may
        // have reached the store.
        if (failure instanceof ConnectException || failure instanceof UnknownHostException
                || failure instanceof AccessDeniedException) {
            return ExternalException.determinate(message, failure);
        }
        return ExternalException.indeterminate(message, failure);
    }
}
