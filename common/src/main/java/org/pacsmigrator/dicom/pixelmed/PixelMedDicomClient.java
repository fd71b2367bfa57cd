package org.pacsmigrator.dicom.pixelmed;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.network.AReleaseException;
import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationOutputStream;
import com.pixelmed.network.CEchoRequestCommandMessage;
import com.pixelmed.network.CFindRequestCommandMessage;
import com.pixelmed.network.CGetRequestCommandMessage;
import com.pixelmed.network.CMoveRequestCommandMessage;
import com.pixelmed.network.CStoreRequestCommandMessage;
import com.pixelmed.network.DicomNetworkException;
import com.pixelmed.network.PresentationContext;
import com.pixelmed.network.SCUSCPRoleSelection;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomException.Category;
import org.pacsmigrator.dicom.DicomFileInfo;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.FindOutcome;
import org.pacsmigrator.dicom.OutgoingInstance;
import org.pacsmigrator.dicom.QueryLevel;
import org.pacsmigrator.dicom.ReceivedInstanceHandler;
import org.pacsmigrator.dicom.RetrieveOutcome;
import org.pacsmigrator.dicom.StoreListener;
import org.pacsmigrator.dicom.WorklistItem;
import org.pacsmigrator.dicom.net.StoreService;

/**
 * {@link DicomClient} on PixelMed's association layer. PixelMed's SCU classes are not used for
 * find/move/get/store because they hide the final status and sub-operation counts, answer C-GET C-STOREs
 * before the instance is handled, and (GetSOPClassSCU) open their own socket without TCP_NODELAY.
 * Every association is created here, so its socket is tuned in one place ({@link Associations#tune}).
 * Failure statuses of C-FIND/MOVE/GET are returned in the outcome, not thrown; C-ECHO throws FAILURE_STATUS.
 */
public final class PixelMedDicomClient implements DicomClient {
    private final String callingAeTitle;
    private final DicomTimeouts timeouts;
    /** Modality Worklist Information Model - FIND (not among PixelMed's SOP class constants). */
    private static final String WORKLIST_FIND = "1.2.840.10008.5.1.4.31";
    private final Utf8Queries utf8 = new Utf8Queries();

    public PixelMedDicomClient(String callingAeTitle, DicomTimeouts timeouts) {
        this.callingAeTitle = callingAeTitle;
        this.timeouts = timeouts;
    }

    @Override
    public void echo(DicomNode remote) throws DicomException {
        String sop = SOPClass.Verification;
        AttributeList response = exchange("C-ECHO", remote, PresentationContexts.forService(sop), new LinkedList<>(), sop,
                () -> new CEchoRequestCommandMessage().getBytes(), null, new DimseHandler((c, d) -> { }, null));
        int status = Attributes.intValue(response, TagFromName.Status, 0xffff);
        if (status != 0x0000) {
            throw new DicomException(Category.FAILURE_STATUS, Associations.describe("C-ECHO", remote, callingAeTitle)
                    + ": status 0x" + Integer.toHexString(status));
        }
    }

    @Override
    public FindOutcome find(DicomNode remote, QueryLevel level, DicomDataset keys, Consumer<DicomDataset> onMatch)
            throws DicomException {
        String sop = SOPClass.StudyRootQueryRetrieveInformationModelFind;
        return utf8.find(remote, askUtf8 -> {
            MatchCounter matches = new MatchCounter(onMatch);
            AttributeList response = exchange("C-FIND", remote, PresentationContexts.forService(sop), new LinkedList<>(), sop,
                    () -> new CFindRequestCommandMessage(sop).getBytes(), identifier(level, keys, askUtf8), matches.handler());
            return matches.outcome(response);
        });
    }

    @Override
    public FindOutcome findWorklist(DicomNode ris, LocalDate from, LocalDate to, Consumer<WorklistItem> onItem)
            throws DicomException {
        AttributeList identifier;
        try {
            identifier = Attributes.worklistQuery(from, to);
        } catch (com.pixelmed.dicom.DicomException e) {
            throw new DicomException(Category.OTHER, "cannot encode the worklist query: " + e.getMessage(), e);
        }
        int[] items = new int[1];
        DimseHandler handler = new DimseHandler((command, dataSet) -> {
            if (dataSet != null && DimseHandler.isPending(Attributes.intValue(command, TagFromName.Status, 0xffff))) {
                items[0]++;
                onItem.accept(Attributes.worklistItem(dataSet));
            }
        }, null);
        AttributeList response = exchange("C-FIND", ris, PresentationContexts.forService(WORKLIST_FIND), new LinkedList<>(),
                WORKLIST_FIND, () -> new CFindRequestCommandMessage(WORKLIST_FIND).getBytes(), identifier, handler);
        return new FindOutcome(items[0], Attributes.intValue(response, TagFromName.Status, 0xffff));
    }

    @Override
    public FindSession findSession(DicomNode remote) {
        return new PixelMedFindSession(remote);
    }

    /** C-FINDs on one {@link Conversation}. */
    private final class PixelMedFindSession implements FindSession {
        private static final String SOP = SOPClass.StudyRootQueryRetrieveInformationModelFind;
        private final DicomNode remote;
        private final Conversation conversation;

        PixelMedFindSession(DicomNode remote) {
            this.remote = remote;
            this.conversation = new Conversation("C-FIND", remote, PresentationContexts.forService(SOP), new LinkedList<>());
        }

        @Override
        public FindOutcome find(QueryLevel level, DicomDataset keys, Consumer<DicomDataset> onMatch) throws DicomException {
            return utf8.find(remote, askUtf8 -> {
                AttributeList identifier = identifier(level, keys, askUtf8);
                MatchCounter matches = new MatchCounter(onMatch);
                return matches.outcome(conversation.request(SOP, () -> new CFindRequestCommandMessage(SOP).getBytes(),
                        identifier, matches.handler()));
            });
        }

        @Override
        public void close() {
            conversation.close();
        }
    }

    /** Hands each pending C-FIND match to the consumer and counts them. */
    private static final class MatchCounter {
        private final Consumer<DicomDataset> onMatch;
        private int matches;

        MatchCounter(Consumer<DicomDataset> onMatch) {
            this.onMatch = onMatch;
        }

        DimseHandler handler() {
            return new DimseHandler((command, dataSet) -> {
                if (dataSet != null && DimseHandler.isPending(Attributes.intValue(command, TagFromName.Status, 0xffff))) {
                    matches++;
                    onMatch.accept(Attributes.toDataset(dataSet));
                }
            }, null);
        }

        FindOutcome outcome(AttributeList finalResponse) {
            return new FindOutcome(matches, Attributes.intValue(finalResponse, TagFromName.Status, 0xffff));
        }
    }

    @Override
    public RetrieveOutcome move(DicomNode remote, QueryLevel level, DicomDataset keys, String destinationAeTitle)
            throws DicomException {
        String sop = SOPClass.StudyRootQueryRetrieveInformationModelMove;
        SubOperations counts = new SubOperations();
        AttributeList response = exchange("C-MOVE", remote, PresentationContexts.forService(sop), new LinkedList<>(), sop,
                () -> new CMoveRequestCommandMessage(sop, destinationAeTitle).getBytes(), identifier(level, keys, false),
                new DimseHandler((command, dataSet) -> counts.update(command), null));
        return counts.outcome(response);
    }

    @Override
    public RetrieveOutcome get(DicomNode remote, QueryLevel level, DicomDataset keys, Path workDirectory,
                               ReceivedInstanceHandler handler) throws DicomException {
        String sop = SOPClass.StudyRootQueryRetrieveInformationModelGet;
        LinkedList<PresentationContext> contexts = PresentationContexts.forGet(sop);
        SubOperations counts = new SubOperations();
        DimseHandler dimse = new DimseHandler((command, dataSet) -> counts.update(command),
                new StoreService(workDirectory, handler));
        AttributeList response = exchange("C-GET", remote, contexts, PresentationContexts.scpRoles(contexts), sop,
                () -> new CGetRequestCommandMessage(sop).getBytes(), identifier(level, keys, false), dimse);
        return counts.outcome(response);
    }

    @Override
    public void store(DicomNode remote, List<Path> files, StoreListener listener) throws DicomException {
        storeInstances(remote, files.stream().map(OutgoingInstance::of).toList(), listener);
    }

    @Override
    public void storeInstances(DicomNode remote, List<OutgoingInstance> instances, StoreListener listener)
            throws DicomException {
        List<Outgoing> outgoing = new ArrayList<>();
        Set<List<String>> pairs = new LinkedHashSet<>();
        for (OutgoingInstance instance : instances) {
            try {
                OutgoingInstance described = instance.described() ? instance : readHeader(instance.file());
                outgoing.add(new Outgoing(described, PixelMedFiles.dataSetOffset(instance.file())));
                pairs.add(List.of(described.sopClassUid(), described.transferSyntaxUid()));
            } catch (IOException e) {
                listener.onStored(instance.file(), "", StoreListener.UNREADABLE, "unreadable DICOM file: " + e.getMessage());
            }
        }
        if (outgoing.isEmpty()) {
            return;
        }
        Association association = Associations.open("C-STORE", remote, callingAeTitle, PresentationContexts.forStore(pairs),
                new LinkedList<>(), timeouts);
        int next = 0;
        try {
            for (; next < outgoing.size(); next++) {
                Outgoing o = outgoing.get(next);
                byte contextId;
                try {
                    contextId = association.getSuitablePresentationContextID(o.info.sopClassUid(), o.info.transferSyntaxUid());
                } catch (DicomNetworkException e) {
                    boolean classAccepted = accepts(association, o.info.sopClassUid());
                    listener.onStored(o.info.file(), o.info.sopInstanceUid(),
                            classAccepted ? StoreListener.TRANSFER_SYNTAX_NOT_NEGOTIATED : StoreListener.SOP_CLASS_NOT_NEGOTIATED,
                            "not negotiated: " + (classAccepted
                                    ? "transfer syntax " + o.info.transferSyntaxUid() + " of SOP class " + o.info.sopClassUid()
                                    : "SOP class " + o.info.sopClassUid()) + " not accepted by " + remote);
                    continue;
                }
                AttributeList response = storeOne(association, contextId, o);
                String comment = Attributes.string(response, TagFromName.ErrorComment);
                listener.onStored(o.info.file(), o.info.sopInstanceUid(), Attributes.intValue(response, TagFromName.Status, 0xffff),
                        comment.isEmpty() ? null : comment);
            }
        } catch (Exception e) {
            Associations.abortQuietly(association);
            DicomException failure = Associations.failure("C-STORE", remote, callingAeTitle, e);
            for (int i = next; i < outgoing.size(); i++) {
                Outgoing o = outgoing.get(i);
                listener.onStored(o.info.file(), o.info.sopInstanceUid(), StoreListener.NOT_SENT, failure.getMessage());
            }
            throw failure;
        }
        Associations.release(association);
    }

    /** Whether the peer accepted the SOP class in any transfer syntax (see {@link PresentationContexts#forStore}). */
    private static boolean accepts(Association association, String sopClassUid) {
        try {
            association.getSuitablePresentationContextID(sopClassUid);
            return true;
        } catch (DicomNetworkException e) {
            return false;
        }
    }

    /** Sends the data set bytes exactly as they are in the file (same transfer syntax, no re-encoding). */
    private AttributeList storeOne(Association association, byte contextId, Outgoing o) throws Exception {
        DimseHandler handler = new DimseHandler((c, d) -> { }, null);
        association.setReceivedDataHandler(handler);
        association.send(contextId, new CStoreRequestCommandMessage(o.info.sopClassUid(), o.info.sopInstanceUid()).getBytes(), null);
        try (InputStream in = Files.newInputStream(o.info.file()); AssociationOutputStream out = association.getAssociationOutputStream(contextId)) {
            in.skipNBytes(o.dataSetOffset);
            in.transferTo(out);
        }
        association.waitForPDataPDUsUntilHandlerReportsDone();
        if (handler.failure() != null) {
            throw handler.failure();
        }
        return handler.finalResponse();
    }

    private static OutgoingInstance readHeader(Path file) throws IOException {
        DicomFileInfo info = PixelMedFiles.readInfo(file);
        return new OutgoingInstance(file, info.sopClassUid(), info.sopInstanceUid(), info.transferSyntaxUid());
    }

    private record Outgoing(OutgoingInstance info, long dataSetOffset) {
    }

    private interface Bytes {
        byte[] get() throws Exception;
    }

    /** One request on a fresh association; waits for the final (non-pending) response, then releases. */
    private AttributeList exchange(String operation, DicomNode remote, LinkedList<PresentationContext> contexts,
                                   LinkedList<SCUSCPRoleSelection> roles, String sopClass, Bytes command,
                                   AttributeList identifier, DimseHandler handler) throws DicomException {
        try (Conversation conversation = new Conversation(operation, remote, contexts, roles)) {
            return conversation.request(sopClass, command, identifier, handler);
        }
    }

    /**
     * Requests one after another on one association: opened at the first, again after the peer ended
     * it or a failure aborted it; {@link #close} releases it.
     */
    private final class Conversation implements AutoCloseable {
        private final String operation;
        private final DicomNode remote;
        private final LinkedList<PresentationContext> contexts;
        private final LinkedList<SCUSCPRoleSelection> roles;
        private Association association;

        Conversation(String operation, DicomNode remote, LinkedList<PresentationContext> contexts,
                     LinkedList<SCUSCPRoleSelection> roles) {
            this.operation = operation;
            this.remote = remote;
            this.contexts = contexts;
            this.roles = roles;
        }

        /** Sends the command (and the identifier, if any) and waits for the final response. */
        AttributeList request(String sopClass, Bytes command, AttributeList identifier, DimseHandler handler)
                throws DicomException {
            if (association == null) {
                association = Associations.open(operation, remote, callingAeTitle, contexts, roles, timeouts);
            }
            try {
                byte contextId = association.getSuitablePresentationContextID(sopClass);
                association.setReceivedDataHandler(handler);
                association.send(contextId, command.get(), null);
                if (identifier != null) {
                    association.send(contextId, null,
                            Attributes.encode(identifier, association.getTransferSyntaxForPresentationContextID(contextId)));
                }
                association.waitForPDataPDUsUntilHandlerReportsDone();
                return handler.finalResponse();
            } catch (AReleaseException e) {
                association = null; // the peer ended the association: an answer only if the final response came first
                if (handler.finalResponse() == null) {
                    throw new DicomException(Category.ASSOCIATION_REJECTED, Associations.describe(operation, remote, callingAeTitle)
                            + ": peer released the association before the final response");
                }
                return handler.finalResponse();
            } catch (Exception e) {
                Associations.abortQuietly(association);
                association = null;
                throw Associations.failure(operation, remote, callingAeTitle, handler.failure() != null ? handler.failure() : e);
            } finally {
                handler.cleanup();
            }
        }

        @Override
        public void close() {
            Associations.release(association);
            association = null;
        }
    }

    private AttributeList identifier(QueryLevel level, DicomDataset keys, boolean askUtf8) throws DicomException {
        try {
            return Attributes.identifier(level, keys, askUtf8);
        } catch (com.pixelmed.dicom.DicomException e) {
            throw new DicomException(Category.OTHER, "cannot encode query keys: " + e.getMessage(), e);
        }
    }

    /** Sub-operation counts: the final response should carry them, but some SCPs only send them while pending. */
    private static final class SubOperations {
        private int completed;
        private int failed;
        private int warning;

        void update(AttributeList command) {
            completed = Attributes.intValue(command, TagFromName.NumberOfCompletedSuboperations, completed);
            failed = Attributes.intValue(command, TagFromName.NumberOfFailedSuboperations, failed);
            warning = Attributes.intValue(command, TagFromName.NumberOfWarningSuboperations, warning);
        }

        RetrieveOutcome outcome(AttributeList finalResponse) {
            return new RetrieveOutcome(Attributes.intValue(finalResponse, TagFromName.Status, 0xffff), completed, failed, warning);
        }
    }
}
