package dev.jetway.gateway.request;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.core.json.UTF8StreamJsonParser;
import com.fasterxml.jackson.core.sym.ByteQuadsCanonicalizer;
import java.io.IOException;

/**
 * Jackson's UTF-8 parser, told where the current string value ends when {@link RawJsonString} has already found
 * (and checked) it, so the parser jumps past it instead of scanning a 220 KB prompt a second time. Jackson's own
 * {@code _skipString} is a protected extension point; everything else is Jackson's.
 */
final class KnownEndJsonParser extends UTF8StreamJsonParser {

    private int knownFrom = -1;
    private int knownClosingQuote = -1;

    private KnownEndJsonParser(IOContext ctxt, int features, ObjectCodec codec, ByteQuadsCanonicalizer symbols,
                               byte[] body, int start, int end) {
        super(ctxt, features, null, codec, symbols, body, start, end, 0, false);
    }

    /** The current (not yet read) string value's closing quote is at {@code closingQuote} of the input array. */
    void currentStringEndsAt(int closingQuote) {
        knownFrom = _inputPtr;
        knownClosingQuote = closingQuote;
    }

    @Override
    protected void _skipString() throws IOException {
        int from = knownFrom;
        int quote = knownClosingQuote;
        knownFrom = -1;
        knownClosingQuote = -1;
        // only for the very string it was told about: the parser must still stand right after its opening quote
        if (from == _inputPtr && quote >= _inputPtr && quote < _inputEnd) {
            _tokenIncomplete = false;
            _inputPtr = quote + 1;
            return;
        }
        super._skipString();
    }

    /** Makes {@link KnownEndJsonParser}s for UTF-8 byte arrays; anything else gets Jackson's usual parser. */
    static final class Factory extends JsonFactory {

        Factory(JsonFactoryBuilder builder) {
            super(builder);
        }

        @Override
        protected JsonParser _createParser(byte[] data, int offset, int len, IOContext ctxt) throws IOException {
            // JSON that starts with a byte-order mark or is UTF-16/32 (a zero among the first two bytes) keeps
            // Jackson's encoding detection; OpenAI request bodies are plain UTF-8
            if (len < 2 || data[offset] == 0 || data[offset + 1] == 0 || (data[offset] & 0xFF) == 0xEF) {
                return super._createParser(data, offset, len, ctxt);
            }
            return new KnownEndJsonParser(ctxt, _parserFeatures, _objectCodec,
                    _byteSymbolCanonicalizer.makeChild(_factoryFeatures), data, offset, offset + len);
        }
    }
}
