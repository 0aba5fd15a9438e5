package dev.jetway.gateway.request;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;

/**
 * What is wrong with a request body Jackson could not read, in the gateway's own words with the line and column.
 * Jackson's messages are for developers: they quote internals ({@code StreamReadConstraints.getMaxNestingDepth()},
 * token names) that a client has no use for and an API should not show.
 */
final class JsonProblem {

    private JsonProblem() {
    }

    static String describe(JsonProcessingException e) {
        String detail = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        String what = switch (e) {
            case StreamConstraintsException c -> detail.contains("nesting depth")
                    ? "request body is nested too deeply (at most 64 levels)"
                    : detail.contains("Number") ? "request body has a number that is too long"
                    : "request body has a value that is too long";
            case JsonEOFException eof -> "request body ends before its JSON is complete";
            case InputCoercionException n -> "request body has a number out of range";
            default -> detail.contains("UTF-8") || detail.contains("Invalid UTF")
                    ? "request body is not valid UTF-8"
                    : detail.contains("Illegal unquoted character") || detail.contains("control character")
                    ? "request body has a control character inside a string (escape it)"
                    : "request body is not valid JSON";
        };
        return what + at(e.getLocation());
    }

    private static String at(JsonLocation where) {
        if (where == null || where.getLineNr() < 1) {
            return "";
        }
        return " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")";
    }
}
