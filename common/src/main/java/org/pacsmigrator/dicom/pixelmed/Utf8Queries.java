package org.pacsmigrator.dicom.pixelmed;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.FindOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * C-FINDs ask for answers in UTF-8 (Specific Character Set ISO_IR 192 in the identifier), so that names
 * arrive whole from a peer that honours it. A peer that answers such a query with a failure and no match
 * is asked again without it; if that works, it is not asked for UTF-8 again (by this client).
 */
final class Utf8Queries {
    private static final Logger LOG = LoggerFactory.getLogger(Utf8Queries.class);

    /** One C-FIND, with or without the request for UTF-8. */
    interface Query {
        FindOutcome run(boolean askUtf8) throws DicomException;
    }

    private final Set<String> refusing = ConcurrentHashMap.newKeySet();

    FindOutcome find(DicomNode remote, Query query) throws DicomException {
        String peer = remote.toString();
        if (refusing.contains(peer)) {
            return query.run(false);
        }
        FindOutcome asked = query.run(true);
        if (!refused(asked)) {
            return asked;
        }
        FindOutcome plain = query.run(false);
        if (plain.success() || plain.cancelled() || plain.matches() > 0) {
            if (refusing.add(peer)) {
                LOG.info("C-FIND to {}: a query asking for UTF-8 failed with status 0x{} and the same query without it"
                        + " did not; asking this peer without it from now on", peer, Integer.toHexString(asked.finalStatus()));
            }
        }
        return plain;
    }

    /** A failure (0xAxxx, 0xCxxx) before any match. */
    static boolean refused(FindOutcome outcome) {
        int kind = outcome.finalStatus() & 0xF000;
        return outcome.matches() == 0 && (kind == 0xA000 || kind == 0xC000);
    }
}
