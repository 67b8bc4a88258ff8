package io.palisade.common.web;

import java.io.IOException;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.module.SimpleModule;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * Request bodies are read as sent or refused, never quietly altered: a fractional number for an integer field (money
 * included) is refused rather than truncated, and text that is not valid Unicode (a lone UTF-16 surrogate, which
 * PostgreSQL would store as "?") is refused rather than changed. {@link ProblemMappers} answers both with a 422 that
 * names the field.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    /** Text with a lone surrogate: not a string any client meant to send. */
    public static final class InvalidUnicode extends MismatchedInputException {
        InvalidUnicode(JsonParser parser) {
            super(parser, "the text is not valid Unicode (it holds a lone UTF-16 surrogate)", String.class);
        }
    }

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.registerModule(new SimpleModule("palisade-well-formed-text").addDeserializer(String.class, new WellFormedText()));
    }

    private static final class WellFormedText extends StdScalarDeserializer<String> {

        WellFormedText() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            String text = StringDeserializer.instance.deserialize(parser, context);
            if (text != null && !wellFormed(text)) {
                throw new InvalidUnicode(parser);
            }
            return text;
        }

        private static boolean wellFormed(String text) {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (Character.isHighSurrogate(c)) {
                    if (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                        return false;
                    }
                    i++;
                } else if (Character.isLowSurrogate(c)) {
                    return false;
                }
            }
            return true;
        }
    }
}
