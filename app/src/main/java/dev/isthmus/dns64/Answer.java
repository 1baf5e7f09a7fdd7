package dev.isthmus.dns64;

import java.util.List;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * What the DNS64 answers to one question, before it is addressed to a client (no ID, no
 * question, no OPT): the rcode, the AD bit and the three record sections.
 *
 * @param authenticData the AD bit (RFC 4035 §3.2.3), only ever passed on from a validating
 *     upstream for data this server did not rewrite (RFC 6147 §5.5)
 */
record Answer(int rcode, boolean authenticData, List<Record> answer, List<Record> authority, List<Record> additional) {

    Answer {
        answer = List.copyOf(answer);
        authority = List.copyOf(authority);
        additional = List.copyOf(additional);
    }

    /** RFC 6147 §5.1.3: no upstream answer in time is a server failure. */
    static Answer servfail() {
        return new Answer(Rcode.SERVFAIL, false, List.of(), List.of(), List.of());
    }

    /** An upstream response as it is, less its OPT record (EDNS0 is hop by hop, RFC 6891 §6.1.1). */
    static Answer of(Message m, boolean passAuthenticData) {
        return new Answer(m.getRcode(), passAuthenticData && m.getHeader().getFlag(org.xbill.DNS.Flags.AD),
                m.getSection(Section.ANSWER), m.getSection(Section.AUTHORITY),
                m.getSection(Section.ADDITIONAL).stream().filter(r -> r.getType() != Type.OPT).toList());
    }

    Answer withAnswer(List<Record> records, boolean ad) {
        return new Answer(rcode, ad, records, authority, additional);
    }
}
