package org.pacsmigrator.dicom.net;

import java.util.List;
import java.util.Set;

/** Which proposed presentation contexts a listener accepts, and in which transfer syntax. */
public interface ContextPolicy {
    /** The transfer syntax to accept for the abstract syntax, from those offered; null refuses the context. */
    String accept(String abstractSyntax, List<String> offeredTransferSyntaxes);

    /** Whether the abstract syntax is one we serve at all (refusal reason 3 rather than 4). */
    boolean supports(String abstractSyntax);

    /**
     * Every abstract syntax (storage classes include private ones we cannot list; requests other than those
     * served are answered with a failure), in the requester's first transfer syntax, normally the original one.
     */
    static ContextPolicy anyInFirstTransferSyntax() {
        return new ContextPolicy() {
            @Override
            public String accept(String abstractSyntax, List<String> offered) {
                return offered.isEmpty() ? null : offered.get(0);
            }

            @Override
            public boolean supports(String abstractSyntax) {
                return true;
            }
        };
    }

    /** Only these abstract syntaxes, in the first of {@code preferred} that is offered. */
    static ContextPolicy only(Set<String> abstractSyntaxes, List<String> preferred) {
        return new ContextPolicy() {
            @Override
            public String accept(String abstractSyntax, List<String> offered) {
                for (String ts : preferred) {
                    if (offered.contains(ts)) {
                        return ts;
                    }
                }
                return null;
            }

            @Override
            public boolean supports(String abstractSyntax) {
                return abstractSyntaxes.contains(abstractSyntax);
            }
        };
    }
}
