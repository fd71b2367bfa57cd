package org.pacsmigrator.dicom.net;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** Encoders of the PDUs an association acceptor sends (PS3.8 section 9.3). */
final class Pdus {
    static final int ASSOCIATE_RQ = 0x01;
    static final int ASSOCIATE_AC = 0x02;
    static final int ASSOCIATE_RJ = 0x03;
    static final int P_DATA_TF = 0x04;
    static final int RELEASE_RQ = 0x05;
    static final int RELEASE_RP = 0x06;
    static final int ABORT = 0x07;

    /** Our implementation class UID (a UUID-derived UID, PS3.5 B.2) and version name. */
    static final String IMPLEMENTATION_CLASS_UID = "2.25.113986557783379895250037502279587202597";
    static final String IMPLEMENTATION_VERSION = "PACSMIGRATOR1";

    /** A-ASSOCIATE-RJ results, sources and reasons (PS3.8 table 9-21). */
    static final int REJECTED_PERMANENT = 1;
    static final int REJECTED_TRANSIENT = 2;
    static final int SOURCE_SERVICE_USER = 1;
    static final int SOURCE_ACSE = 2;
    static final int SOURCE_PRESENTATION = 3;
    static final int USER_APPLICATION_CONTEXT_NOT_SUPPORTED = 2;
    static final int USER_CALLING_AE_NOT_RECOGNIZED = 3;
    static final int USER_CALLED_AE_NOT_RECOGNIZED = 7;
    static final int ACSE_PROTOCOL_VERSION_NOT_SUPPORTED = 2;
    static final int PRESENTATION_LOCAL_LIMIT_EXCEEDED = 2;

    /** A-ABORT sources and reasons (PS3.8 table 9-26). */
    static final int ABORT_SERVICE_PROVIDER = 2;
    static final int ABORT_REASON_NOT_SPECIFIED = 0;
    static final int ABORT_INVALID_PARAMETER = 6;

    /** The acceptor's answer for one proposed context: result 0 with a transfer syntax, or a refusal reason. */
    record ContextAnswer(int id, int result, String transferSyntax) {
    }

    private Pdus() {
    }

    static byte[] associateAccept(AssociateRequest rq, List<ContextAnswer> answers, long ourMaxPduLength) {
        ByteArrayOutputStream items = new ByteArrayOutputStream();
        item(items, 0x10, ascii(AssociateRequest.DICOM_APPLICATION_CONTEXT));
        for (ContextAnswer a : answers) {
            ByteArrayOutputStream pc = new ByteArrayOutputStream();
            pc.write(a.id());
            pc.write(0);
            pc.write(a.result());
            pc.write(0);
            item(pc, 0x40, ascii(a.transferSyntax()));
            item(items, 0x21, pc.toByteArray());
        }
        ByteArrayOutputStream user = new ByteArrayOutputStream();
        item(user, 0x51, ByteBuffer.allocate(4).putInt((int) ourMaxPduLength).array());
        item(user, 0x52, ascii(IMPLEMENTATION_CLASS_UID));
        for (AssociateRequest.RoleSelection role : rq.roleSelections().values()) {
            if (acceptedContextFor(rq, answers, role.sopClassUid())) {
                byte[] uid = ascii(role.sopClassUid());
                ByteBuffer b = ByteBuffer.allocate(4 + uid.length);
                b.putShort((short) uid.length).put(uid).put((byte) (role.scuRole() ? 1 : 0)).put((byte) (role.scpRole() ? 1 : 0));
                item(user, 0x54, b.array());
            }
        }
        item(user, 0x55, ascii(IMPLEMENTATION_VERSION));
        item(items, 0x50, user.toByteArray());
        ByteBuffer head = ByteBuffer.allocate(68);
        head.putShort((short) 1).putShort((short) 0).put(aeField(rq.calledAeTitle())).put(aeField(rq.callingAeTitle()));
        return pdu(ASSOCIATE_AC, concat(head.array(), items.toByteArray()));
    }

    private static boolean acceptedContextFor(AssociateRequest rq, List<ContextAnswer> answers, String sopClass) {
        for (AssociateRequest.ProposedContext pc : rq.contexts()) {
            if (pc.abstractSyntax().equals(sopClass)) {
                for (ContextAnswer a : answers) {
                    if (a.id() == pc.id() && a.result() == 0) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    static byte[] associateReject(int result, int source, int reason) {
        return pdu(ASSOCIATE_RJ, new byte[] {0, (byte) result, (byte) source, (byte) reason});
    }

    static byte[] releaseResponse() {
        return pdu(RELEASE_RP, new byte[4]);
    }

    static byte[] abort(int source, int reason) {
        return pdu(ABORT, new byte[] {0, 0, (byte) source, (byte) reason});
    }

    /** The 6-byte header of a P-DATA-TF holding one PDV of {@code valueLength} bytes, plus the PDV's own header. */
    static byte[] pDataHeader(int contextId, boolean command, boolean last, int valueLength) {
        ByteBuffer b = ByteBuffer.allocate(12);
        b.put((byte) P_DATA_TF).put((byte) 0).putInt(valueLength + 6);
        b.putInt(valueLength + 2).put((byte) contextId).put((byte) ((command ? 1 : 0) | (last ? 2 : 0)));
        return b.array();
    }

    private static byte[] pdu(int type, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(6 + body.length);
        b.put((byte) type).put((byte) 0).putInt(body.length).put(body);
        return b.array();
    }

    private static void item(ByteArrayOutputStream out, int type, byte[] value) {
        out.write(type);
        out.write(0);
        out.write(value.length >> 8);
        out.write(value.length);
        out.writeBytes(value);
    }

    private static byte[] aeField(String ae) {
        byte[] field = new byte[16];
        Arrays.fill(field, (byte) ' ');
        byte[] b = ascii(ae);
        System.arraycopy(b, 0, field, 0, Math.min(16, b.length));
        return field;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
