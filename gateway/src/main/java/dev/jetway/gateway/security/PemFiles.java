package dev.jetway.gateway.security;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates and private keys from PEM, as cert-manager, openssl and Kubernetes TLS Secrets write them: keys in
 * PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}),
 * unencrypted. The JDK reads only PKCS#8, so the other two are wrapped into it here rather than pulling in
 * BouncyCastle for two ASN.1 headers.
 */
public final class PemFiles {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final byte[] RSA_ENCRYPTION = oid(new byte[] {0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7,
            0x0d, 0x01, 0x01, 0x01});
    private static final byte[] EC_PUBLIC_KEY = oid(new byte[] {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01});

    private PemFiles() {
    }

    /** Every certificate in {@code pem}, in order (a chain: leaf first; a bundle: any order). */
    public static X509Certificate[] certificates(byte[] pem, String source) {
        try {
            var all = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem));
            if (all.isEmpty()) {
                throw new IllegalArgumentException(source + ": no certificate (expected PEM: -----BEGIN CERTIFICATE-----)");
            }
            return all.stream().map(c -> (X509Certificate) c).toArray(X509Certificate[]::new);
        } catch (CertificateException e) {
            throw new IllegalArgumentException(source + ": not a PEM certificate");
        }
    }

    /** The private key in {@code pem}. */
    public static PrivateKey privateKey(byte[] pem, String source) {
        Matcher m = BLOCK.matcher(new String(pem, StandardCharsets.US_ASCII));
        while (m.find()) {
            String type = m.group(1);
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ": the " + type + " block is not valid base64");
            }
            switch (type) {
                case "PRIVATE KEY" -> {
                    return pkcs8(der, source, "RSA", "EC", "Ed25519", "EdDSA");
                }
                case "RSA PRIVATE KEY" -> {
                    return pkcs8(wrap(seq(RSA_ENCRYPTION, new byte[] {0x05, 0x00}), der), source, "RSA");
                }
                case "EC PRIVATE KEY" -> {
                    return pkcs8(wrap(seq(EC_PUBLIC_KEY, Sec1.curve(der, source)), der), source, "EC");
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException(source
                        + ": the key is encrypted; give it unencrypted (protect the file instead)");
                default -> {
                    // another block (a certificate in the same file, EC PARAMETERS): look further
                }
            }
        }
        throw new IllegalArgumentException(source + ": no private key (expected PEM: -----BEGIN PRIVATE KEY-----, "
                + "RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    /** Throws unless {@code key} is the private half of {@code certificate}'s public key. */
    public static void checkPair(PrivateKey key, X509Certificate certificate, String source) {
        PublicKey pub = certificate.getPublicKey();
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, EdDSA
        };
        try {
            byte[] nonce = new byte[32];
            new SecureRandom().nextBytes(nonce);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(nonce);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(pub);
            verifier.update(nonce);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // a key of another kind than the certificate's: no match
        }
        throw new IllegalArgumentException(source + ": the private key does not belong to the certificate");
    }

    private static PrivateKey pkcs8(byte[] der, String source, String... algorithms) {
        for (String algorithm : algorithms) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next kind
            }
        }
        throw new IllegalArgumentException(source + ": not a private key this JDK reads (RSA, EC or Ed25519)");
    }

    /** PKCS#8 PrivateKeyInfo: version 0, the algorithm, the key in its own encoding. */
    private static byte[] wrap(byte[] algorithm, byte[] key) {
        return tlv(0x30, concat(new byte[] {0x02, 0x01, 0x00}, algorithm, tlv(0x04, key)));
    }

    /** DER SEQUENCE of the encoded {@code parts}. */
    static byte[] seq(byte[]... parts) {
        return tlv(0x30, concat(parts));
    }

    /** DER OBJECT IDENTIFIER with the encoded {@code body}. */
    static byte[] oid(byte[] body) {
        return tlv(0x06, body);
    }

    static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
        out.write(tag);
        int n = value.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** The one field of a SEC1 ECPrivateKey the wrapping needs: the curve, {@code [0]} after the key octets. */
    private static final class Sec1 {

        static byte[] curve(byte[] der, String source) {
            try {
                int[] seq = header(der, 0, 0x30);
                int p = seq[0];
                int end = p + seq[1];
                while (p < end) {
                    int tag = der[p] & 0xff;
                    int[] h = header(der, p, tag);
                    if (tag == 0xa0) {
                        int[] inner = header(der, h[0], 0x06);
                        byte[] oid = new byte[inner[0] + inner[1] - h[0]];
                        System.arraycopy(der, h[0], oid, 0, oid.length);
                        return oid;
                    }
                    p = h[0] + h[1];
                }
            } catch (RuntimeException e) {
                // falls through to the message below
            }
            throw new IllegalArgumentException(source + ": an EC PRIVATE KEY without its curve (write it with the "
                    + "curve parameters, or as PKCS#8: openssl pkcs8 -topk8 -nocrypt)");
        }

        /** {contentStart, contentLength} of the TLV at {@code p}, which must carry {@code tag}. */
        private static int[] header(byte[] der, int p, int tag) {
            if ((der[p] & 0xff) != tag) {
                throw new IllegalArgumentException("unexpected tag");
            }
            int len = der[p + 1] & 0xff;
            int start = p + 2;
            if (len >= 0x80) {
                int bytes = len & 0x7f;
                len = 0;
                for (int i = 0; i < bytes; i++) {
                    len = (len << 8) | (der[start + i] & 0xff);
                }
                start += bytes;
            }
            if (start + len > der.length) {
                throw new IllegalArgumentException("truncated");
            }
            return new int[] {start, len};
        }
    }
}
