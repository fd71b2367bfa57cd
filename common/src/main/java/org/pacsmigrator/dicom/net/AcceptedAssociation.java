package org.pacsmigrator.dicom.net;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to a {@link DicomListener}, from the A-ASSOCIATE-RQ to release or abort (PS3.8 acceptor
 * states). Nothing is allocated by a length a peer announces: the A-ASSOCIATE-RQ and each command set have a
 * small fixed bound, a P-DATA-TF may not exceed the maximum we announced, and data set fragments are streamed
 * to their service through one fixed buffer. Whatever breaks these rules aborts the association.
 */
final class AcceptedAssociation {
    private static final Logger LOG = LoggerFactory.getLogger(AcceptedAssociation.class);
    /** An A-ASSOCIATE-RQ with 128 contexts of 10 transfer syntaxes each is ~40 KB. */
    static final int MAX_ASSOCIATE_RQ = 64 * 1024;
    /** Command sets are ~100-300 bytes. */
    static final int MAX_COMMAND = 16 * 1024;
    /** The maximum P-DATA-TF length we announce (data is streamed, so this costs no memory). */
    static final int OUR_MAX_PDU = 256 * 1024;
    /** Used when a peer announces no limit (0): our responses are small anyway. */
    private static final int UNLIMITED_PEER_PDU = 1 << 20;

    private record Context(String abstractSyntax, String transferSyntax) {
    }

    private final Socket socket;
    private final DicomListener listener;
    private final byte[] header = new byte[6];
    private final byte[] buffer = new byte[64 * 1024];
    private final byte[] command = new byte[MAX_COMMAND];
    private final Map<Integer, Context> contexts = new HashMap<>();
    private final Set<DimseService> servicesUsed = new LinkedHashSet<>();
    private InputStream in;
    private OutputStream out;
    private DimseService.Peer peer;
    private int peerMaxPdu;
    private int commandLength;
    private DimseService.Request request;
    private int requestContext;
    private boolean holdsSlot;

    AcceptedAssociation(Socket socket, DicomListener listener) {
        this.socket = socket;
        this.listener = listener;
    }

    void run() {
        InetAddress from = socket.getInetAddress();
        try {
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            out = socket.getOutputStream();
            if (!negotiate(from)) {
                return;
            }
            socket.setSoTimeout((int) listener.settings().idleTimeout().toMillis());
            serveRequests();
        } catch (SocketTimeoutException e) {
            listener.count(holdsSlot ? "idle timeout" : "ARTIM timeout");
            if (holdsSlot) {
                abortQuietly(Pdus.ABORT_SERVICE_PROVIDER, Pdus.ABORT_REASON_NOT_SPECIFIED);
            } // before an association, the transport is just closed (PS3.8 ARTIM expiry in Sta2)
        } catch (ProtocolException e) {
            listener.count("protocol error");
            String ae = peer == null ? "?" : peer.callingAeTitle();
            listener.logRefusedOnce("association aborted for a protocol error", LogSafe.text(e.getMessage()), ae, from);
            abortQuietly(Pdus.ABORT_SERVICE_PROVIDER, Pdus.ABORT_INVALID_PARAMETER);
        } catch (IOException e) {
            listener.count(holdsSlot ? "aborted" : "closed while negotiating");
            LOG.debug("{}: connection from {} ended: {}", listener.settings().name(), from, e.toString());
        } finally {
            if (request != null) {
                request.abandon();
                request = null;
            }
            for (DimseService s : servicesUsed) {
                s.associationEnded(peer);
            }
            if (holdsSlot) {
                listener.closed();
            }
        }
    }

    /** Reads the A-ASSOCIATE-RQ within the ARTIM time and answers it; true when the association is established. */
    private boolean negotiate(InetAddress from) throws IOException {
        ListenerSettings settings = listener.settings();
        long deadline = System.nanoTime() + settings.artimTimeout().toNanos();
        readFully(header, 6, deadline);
        int type = header[0] & 0xff;
        long length = pduLength();
        if (type != Pdus.ASSOCIATE_RQ) {
            throw new ProtocolException(String.format("PDU type 0x%02X before an A-ASSOCIATE-RQ", type));
        }
        if (length > MAX_ASSOCIATE_RQ) {
            throw new ProtocolException("A-ASSOCIATE-RQ of " + length + " bytes (limit " + MAX_ASSOCIATE_RQ + ")");
        }
        byte[] body = new byte[(int) length];
        readFully(body, (int) length, deadline);
        listener.negotiated(socket);
        AssociateRequest rq = AssociateRequest.parse(body, (int) length);
        peer = new DimseService.Peer(rq.callingAeTitle(), rq.calledAeTitle(), from.getHostAddress());
        if ((rq.protocolVersion() & 1) == 0) {
            return reject(Pdus.REJECTED_PERMANENT, Pdus.SOURCE_ACSE, Pdus.ACSE_PROTOCOL_VERSION_NOT_SUPPORTED,
                    "rejected: protocol version", from);
        }
        if (!AssociateRequest.DICOM_APPLICATION_CONTEXT.equals(rq.applicationContext())) {
            return reject(Pdus.REJECTED_PERMANENT, Pdus.SOURCE_SERVICE_USER, Pdus.USER_APPLICATION_CONTEXT_NOT_SUPPORTED,
                    "rejected: application context", from);
        }
        if (!settings.aeTitle().equals(rq.calledAeTitle())) {
            return reject(Pdus.REJECTED_PERMANENT, Pdus.SOURCE_SERVICE_USER, Pdus.USER_CALLED_AE_NOT_RECOGNIZED,
                    "rejected: called AE title '" + LogSafe.text(rq.calledAeTitle()) + "' is not ours", from);
        }
        if (!listener.allowed(rq.callingAeTitle(), from)) {
            return reject(Pdus.REJECTED_PERMANENT, Pdus.SOURCE_SERVICE_USER, Pdus.USER_CALLING_AE_NOT_RECOGNIZED,
                    "rejected: calling AE title not allowed to send", from);
        }
        if (!listener.tryOpen()) {
            send(Pdus.associateReject(Pdus.REJECTED_TRANSIENT, Pdus.SOURCE_PRESENTATION,
                    Pdus.PRESENTATION_LOCAL_LIMIT_EXCEEDED));
            return false;
        }
        holdsSlot = true;
        List<Pdus.ContextAnswer> answers = new ArrayList<>();
        for (AssociateRequest.ProposedContext pc : rq.contexts()) {
            answers.add(answer(pc));
        }
        peerMaxPdu = rq.maxPduLength() == 0 || rq.maxPduLength() > UNLIMITED_PEER_PDU
                ? UNLIMITED_PEER_PDU : (int) Math.max(rq.maxPduLength(), 64);
        send(Pdus.associateAccept(rq, answers, OUR_MAX_PDU));
        return true;
    }

    private Pdus.ContextAnswer answer(AssociateRequest.ProposedContext pc) {
        ContextPolicy policy = listener.policy();
        if (!policy.supports(pc.abstractSyntax())) {
            return new Pdus.ContextAnswer(pc.id(), 3, firstOr(pc));
        }
        String ts = policy.accept(pc.abstractSyntax(), pc.transferSyntaxes());
        if (ts == null) {
            return new Pdus.ContextAnswer(pc.id(), 4, firstOr(pc));
        }
        contexts.put(pc.id(), new Context(pc.abstractSyntax(), ts));
        return new Pdus.ContextAnswer(pc.id(), 0, ts);
    }

    private static String firstOr(AssociateRequest.ProposedContext pc) {
        return pc.transferSyntaxes().isEmpty() ? DatasetScanner.IMPLICIT_LE : pc.transferSyntaxes().get(0);
    }

    private boolean reject(int result, int source, int reason, String why, InetAddress from) throws IOException {
        listener.count(why.startsWith("rejected: called") ? "rejected: called AE" : why.startsWith("rejected: calling")
                ? "rejected: calling AE" : "rejected: protocol");
        listener.logRefusedOnce(why, "", peer.callingAeTitle(), from);
        send(Pdus.associateReject(result, source, reason));
        return false;
    }

    private void serveRequests() throws IOException {
        while (true) {
            int first = in.read();
            if (first < 0) {
                throw new EOFException("peer closed the connection without release");
            }
            header[0] = (byte) first;
            readFully(header, 1, 5, 0);
            int type = first & 0xff;
            long length = pduLength();
            switch (type) {
                case Pdus.P_DATA_TF -> {
                    if (length > OUR_MAX_PDU) {
                        throw new ProtocolException("P-DATA-TF of " + length + " bytes (we announced " + OUR_MAX_PDU + ")");
                    }
                    pData((int) length);
                }
                case Pdus.RELEASE_RQ -> {
                    if (length != 4) {
                        throw new ProtocolException("A-RELEASE-RQ of length " + length);
                    }
                    readFully(buffer, 0, 4, 0);
                    if (request != null) {
                        request.abandon();
                        request = null;
                    }
                    send(Pdus.releaseResponse());
                    return;
                }
                case Pdus.ABORT -> {
                    listener.count("aborted by peer");
                    return;
                }
                default -> throw new ProtocolException(String.format("unexpected PDU type 0x%02X", type));
            }
        }
    }

    private void pData(int length) throws IOException {
        int remaining = length;
        while (remaining > 0) {
            if (remaining < 6) {
                throw new ProtocolException("P-DATA-TF: " + remaining + " bytes left, too few for a PDV");
            }
            readFully(buffer, 0, 6, 0);
            long itemLength = (buffer[0] & 0xffL) << 24 | (buffer[1] & 0xff) << 16 | (buffer[2] & 0xff) << 8 | (buffer[3] & 0xff);
            int contextId = buffer[4] & 0xff;
            int control = buffer[5] & 0xff;
            remaining -= 6;
            if (itemLength < 2 || itemLength - 2 > remaining) {
                throw new ProtocolException("PDV of " + itemLength + " bytes in a P-DATA-TF with " + (remaining + 4) + " left");
            }
            int valueLength = (int) itemLength - 2;
            remaining -= valueLength;
            if (!contexts.containsKey(contextId)) {
                throw new ProtocolException("PDV on presentation context " + contextId + ", which was not accepted");
            }
            boolean isCommand = (control & 1) != 0;
            boolean last = (control & 2) != 0;
            if (isCommand) {
                commandFragment(contextId, valueLength, last);
            } else {
                dataFragment(contextId, valueLength, last);
            }
        }
    }

    private void commandFragment(int contextId, int valueLength, boolean last) throws IOException {
        if (request != null) {
            throw new ProtocolException("a command before the data set of the previous request was complete");
        }
        if (commandLength + valueLength > MAX_COMMAND) {
            throw new ProtocolException("command set longer than " + MAX_COMMAND + " bytes");
        }
        readFully(command, commandLength, valueLength, 0);
        commandLength += valueLength;
        if (last) {
            CommandSet cmd = CommandSet.decode(command, commandLength);
            commandLength = 0;
            onCommand(contextId, cmd);
        }
    }

    private void dataFragment(int contextId, int valueLength, boolean last) throws IOException {
        if (request == null || contextId != requestContext) {
            throw new ProtocolException("a data set fragment that no request announced (context " + contextId + ")");
        }
        int left = valueLength;
        while (left > 0) {
            int n = in.read(buffer, 0, Math.min(buffer.length, left));
            if (n < 0) {
                throw new EOFException("connection closed inside a data set fragment");
            }
            request.data(buffer, 0, n);
            left -= n;
        }
        if (last) {
            DimseService.Request done = request;
            request = null;
            respond(contextId, done.complete());
        }
    }

    private void onCommand(int contextId, CommandSet cmd) throws IOException {
        int field = cmd.commandField();
        if (field < 0 || (field & CommandSet.RESPONSE_BIT) != 0) {
            throw new ProtocolException(String.format("command field 0x%04X where a request was expected", field));
        }
        Context context = contexts.get(contextId);
        DimseService service = listener.service(field);
        String affected = cmd.string(CommandSet.AFFECTED_SOP_CLASS_UID);
        DimseService.Request r;
        if (service == null) {
            r = DimseService.Request.answering(cmd, 0x0211); // unrecognized operation
        } else if (!affected.isEmpty() && !affected.equals(context.abstractSyntax())) {
            r = DimseService.Request.answering(cmd, 0x0122); // SOP class not supported on this context
        } else {
            servicesUsed.add(service);
            r = service.open(peer, cmd, context.transferSyntax());
        }
        if (cmd.hasDataSet()) {
            request = r;
            requestContext = contextId;
        } else {
            respond(contextId, r.complete());
        }
    }

    private void respond(int contextId, CommandSet response) throws IOException {
        byte[] bytes = response.encode();
        int maxValue = peerMaxPdu - 6;
        int offset = 0;
        do {
            int n = Math.min(maxValue, bytes.length - offset);
            boolean last = offset + n == bytes.length;
            out.write(Pdus.pDataHeader(contextId, true, last, n));
            out.write(bytes, offset, n);
            offset += n;
        } while (offset < bytes.length);
        out.flush();
    }

    private long pduLength() {
        return (header[2] & 0xffL) << 24 | (header[3] & 0xff) << 16 | (header[4] & 0xff) << 8 | (header[5] & 0xff);
    }

    private void readFully(byte[] b, int length, long deadline) throws IOException {
        readFully(b, 0, length, deadline);
    }

    /** Reads exactly; with a deadline (System.nanoTime) the whole read must finish by then, else by the idle timeout. */
    private void readFully(byte[] b, int offset, int length, long deadline) throws IOException {
        int done = 0;
        while (done < length) {
            if (deadline != 0) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new SocketTimeoutException("ARTIM timer expired");
                }
                socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
            }
            int n = in.read(b, offset + done, length - done);
            if (n < 0) {
                throw new EOFException("connection closed");
            }
            done += n;
        }
    }

    private void send(byte[] pdu) throws IOException {
        out.write(pdu);
        out.flush();
    }

    private void abortQuietly(int source, int reason) {
        try {
            send(Pdus.abort(source, reason));
        } catch (IOException ignored) {
            // the connection is going away anyway
        }
    }
}
