package org.pacsmigrator.dicom.net;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An A-ASSOCIATE-RQ PDU (PS3.8 section 9.3.2), parsed from its bounded body: every item length is
 * checked against the bytes that are there. Unknown items and sub-items are skipped, as PS3.8 asks.
 */
record AssociateRequest(
        int protocolVersion,
        String calledAeTitle,
        String callingAeTitle,
        String applicationContext,
        List<ProposedContext> contexts,
        long maxPduLength,
        String implementationClassUid,
        String implementationVersionName,
        Map<String, RoleSelection> roleSelections) {

    static final String DICOM_APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1";

    /** One proposed presentation context: id, abstract syntax, transfer syntaxes in the requester's order. */
    record ProposedContext(int id, String abstractSyntax, List<String> transferSyntaxes) {
    }

    /** SCP/SCU role selection proposed for an abstract syntax (PS3.7 D.3.3.4). */
    record RoleSelection(String sopClassUid, boolean scuRole, boolean scpRole) {
    }

    static AssociateRequest parse(byte[] body, int length) throws ProtocolException {
        ByteBuffer in = ByteBuffer.wrap(body, 0, length);
        need(in, 68, "A-ASSOCIATE-RQ header");
        int version = Short.toUnsignedInt(in.getShort());
        in.getShort();
        String called = ae(in);
        String calling = ae(in);
        in.position(in.position() + 32);
        String appContext = null;
        List<ProposedContext> contexts = new ArrayList<>();
        long maxPdu = 0;
        String implClass = "";
        String implVersion = "";
        Map<String, RoleSelection> roles = new LinkedHashMap<>();
        while (in.hasRemaining()) {
            need(in, 4, "item header");
            int type = in.get() & 0xff;
            in.get();
            int itemLength = Short.toUnsignedInt(in.getShort());
            need(in, itemLength, String.format("item 0x%02X", type));
            ByteBuffer item = in.slice(in.position(), itemLength);
            in.position(in.position() + itemLength);
            switch (type) {
                case 0x10 -> appContext = text(item, itemLength);
                case 0x20 -> contexts.add(context(item));
                case 0x50 -> {
                    while (item.hasRemaining()) {
                        need(item, 4, "user information sub-item header");
                        int subType = item.get() & 0xff;
                        item.get();
                        int subLength = Short.toUnsignedInt(item.getShort());
                        need(item, subLength, String.format("user information sub-item 0x%02X", subType));
                        ByteBuffer sub = item.slice(item.position(), subLength);
                        item.position(item.position() + subLength);
                        switch (subType) {
                            case 0x51 -> {
                                need(sub, 4, "maximum length sub-item");
                                maxPdu = Integer.toUnsignedLong(sub.getInt());
                            }
                            case 0x52 -> implClass = text(sub, subLength);
                            case 0x55 -> implVersion = text(sub, subLength);
                            case 0x54 -> {
                                need(sub, 2, "role selection sub-item");
                                int uidLength = Short.toUnsignedInt(sub.getShort());
                                need(sub, uidLength + 2, "role selection sub-item");
                                String uid = text(sub, uidLength);
                                boolean scu = sub.get() != 0;
                                boolean scp = sub.get() != 0;
                                roles.put(uid, new RoleSelection(uid, scu, scp));
                            }
                            default -> { } // asynchronous operations, extended negotiation, user identity: not used
                        }
                    }
                }
                default -> { } // unknown items are ignored (PS3.8 9.3.1)
            }
        }
        if (appContext == null) {
            throw new ProtocolException("A-ASSOCIATE-RQ without application context");
        }
        return new AssociateRequest(version, called, calling, appContext, List.copyOf(contexts), maxPdu, implClass,
                implVersion, roles);
    }

    private static ProposedContext context(ByteBuffer item) throws ProtocolException {
        need(item, 4, "presentation context item");
        int id = item.get() & 0xff;
        item.position(item.position() + 3);
        String abstractSyntax = null;
        List<String> transferSyntaxes = new ArrayList<>();
        while (item.hasRemaining()) {
            need(item, 4, "presentation context sub-item header");
            int subType = item.get() & 0xff;
            item.get();
            int subLength = Short.toUnsignedInt(item.getShort());
            need(item, subLength, "presentation context sub-item");
            String value = text(item, subLength);
            if (subType == 0x30) {
                abstractSyntax = value;
            } else if (subType == 0x40) {
                transferSyntaxes.add(value);
            }
        }
        if (abstractSyntax == null) {
            throw new ProtocolException("presentation context " + id + " without abstract syntax");
        }
        return new ProposedContext(id, abstractSyntax, List.copyOf(transferSyntaxes));
    }

    private static String ae(ByteBuffer in) {
        byte[] b = new byte[16];
        in.get(b);
        return new String(b, StandardCharsets.ISO_8859_1).trim();
    }

    /** A UID or name: consumes {@code length} bytes, drops trailing NUL/space padding. */
    private static String text(ByteBuffer in, int length) {
        byte[] b = new byte[length];
        in.get(b);
        int end = b.length;
        while (end > 0 && (b[end - 1] == 0 || b[end - 1] == ' ')) {
            end--;
        }
        return new String(b, 0, end, StandardCharsets.ISO_8859_1);
    }

    private static void need(ByteBuffer in, int bytes, String what) throws ProtocolException {
        if (in.remaining() < bytes) {
            throw new ProtocolException(what + ": needs " + bytes + " bytes, " + in.remaining() + " left");
        }
    }
}
