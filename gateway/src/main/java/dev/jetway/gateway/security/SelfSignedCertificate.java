package dev.jetway.gateway.security;

import static dev.jetway.gateway.security.PemFiles.concat;
import static dev.jetway.gateway.security.PemFiles.oid;
import static dev.jetway.gateway.security.PemFiles.seq;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A certificate signed by its own key (EC P-256, ECDSA with SHA-256), made in memory at start, for
 * {@code server.tls.selfSigned}: what GIE's endpoint picker serves when it is given no certificate. It names
 * {@code localhost}, this machine's host name (the pod's name) and {@code 127.0.0.1}. The DER is written here with
 * {@link PemFiles}' encoder rather than pulling in BouncyCastle for a dozen ASN.1 fields; the JDK's certificate
 * parser reads it back, which checks the encoding.
 */
final class SelfSignedCertificate {

    /** As GIE's: long enough that a picker never outlives it (clients skip verification, expiry included). */
    static final Duration VALIDITY = Duration.ofDays(3650);

    private static final byte[] ECDSA_WITH_SHA256 = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03, 0x02};
    private static final byte[] COMMON_NAME = {0x55, 0x04, 0x03};
    private static final byte[] SUBJECT_ALT_NAME = {0x55, 0x1d, 0x11};
    private static final byte[] BASIC_CONSTRAINTS = {0x55, 0x1d, 0x13};
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter GENERALIZED_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private SelfSignedCertificate() {
    }

    /** A new key and a certificate for {@code commonName} that it signed. */
    static TlsIdentity create(String commonName) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = generator.generateKeyPair();
            Instant now = Instant.now();
            byte[] algorithm = seq(oid(ECDSA_WITH_SHA256));
            byte[] name = seq(set(seq(oid(COMMON_NAME), PemFiles.tlv(0x0c, utf8(commonName)))));
            byte[] serial = new byte[16];
            new SecureRandom().nextBytes(serial);
            byte[] tbs = seq(
                    PemFiles.tlv(0xa0, PemFiles.tlv(0x02, new byte[] {2})), // version 3
                    PemFiles.tlv(0x02, new BigInteger(1, serial).toByteArray()),
                    algorithm,
                    name,
                    seq(time(now.minus(Duration.ofHours(1))), time(now.plus(VALIDITY))), // an hour for clock skew
                    name,
                    keys.getPublic().getEncoded(),
                    PemFiles.tlv(0xa3, seq(
                            seq(oid(BASIC_CONSTRAINTS), PemFiles.tlv(0x04, seq())), // not a CA
                            seq(oid(SUBJECT_ALT_NAME), PemFiles.tlv(0x04, subjectAltNames())))));
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(keys.getPrivate());
            signer.update(tbs);
            byte[] signature = signer.sign();
            byte[] der = seq(tbs, algorithm, PemFiles.tlv(0x03, concat(new byte[] {0}, signature)));
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
            cert.verify(keys.getPublic());
            return new TlsIdentity(keys.getPrivate(), new X509Certificate[] {cert});
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a self-signed certificate: " + e.getMessage(), e);
        }
    }

    /** DNS names localhost and this host's name, IP address 127.0.0.1. */
    private static byte[] subjectAltNames() {
        Set<String> dns = new LinkedHashSet<>();
        dns.add("localhost");
        try {
            String host = InetAddress.getLocalHost().getHostName();
            if (host.matches("[A-Za-z0-9.-]{1,253}") && !host.matches("[0-9.]+")) {
                dns.add(host);
            }
        } catch (UnknownHostException e) {
            // a host without a resolvable name: localhost and 127.0.0.1 still
        }
        ByteArrayOutputStream names = new ByteArrayOutputStream();
        for (String d : dns) {
            names.writeBytes(PemFiles.tlv(0x82, d.getBytes(StandardCharsets.US_ASCII))); // [2] dNSName
        }
        names.writeBytes(PemFiles.tlv(0x87, new byte[] {127, 0, 0, 1})); // [7] iPAddress
        return PemFiles.tlv(0x30, names.toByteArray());
    }

    /** RFC 5280: UTCTime through 2049, GeneralizedTime from 2050. */
    private static byte[] time(Instant t) {
        int year = t.atZone(ZoneOffset.UTC).getYear();
        return year < 2050 ? PemFiles.tlv(0x17, ascii(UTC_TIME.format(t)))
                : PemFiles.tlv(0x18, ascii(GENERALIZED_TIME.format(t)));
    }

    private static byte[] set(byte[]... parts) {
        return PemFiles.tlv(0x31, concat(parts));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
