package dev.jetway.scheduler.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes resource quantities as llm-d's {@code flowControl} limits take them: {@code 1Gi}, {@code 500M},
 * {@code 1k}, {@code 1e3}, {@code 100}; binary suffixes Ki..Ei, decimal n, u, m, k, M, G, T, P, E. Like
 * Kubernetes' {@code Quantity.Value()}, a fraction rounds up to the next whole number.
 */
public final class Quantity {

    private static final Pattern FORM = Pattern.compile(
            "([+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\\d+)?");

    private Quantity() {
    }

    /**
     * The whole number a quantity stands for.
     *
     * @throws IllegalArgumentException when the text is not a quantity or does not fit a long
     */
    public static long parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a quantity like 100, 1k, 500M or 1Gi");
        }
        BigDecimal value = new BigDecimal(m.group(1));
        String suffix = m.group(2);
        if (suffix != null) {
            value = switch (suffix) {
                case "Ki" -> value.multiply(BigDecimal.valueOf(1L << 10));
                case "Mi" -> value.multiply(BigDecimal.valueOf(1L << 20));
                case "Gi" -> value.multiply(BigDecimal.valueOf(1L << 30));
                case "Ti" -> value.multiply(BigDecimal.valueOf(1L << 40));
                case "Pi" -> value.multiply(BigDecimal.valueOf(1L << 50));
                case "Ei" -> value.multiply(BigDecimal.valueOf(1L << 60));
                case "n" -> value.scaleByPowerOfTen(-9);
                case "u" -> value.scaleByPowerOfTen(-6);
                case "m" -> value.scaleByPowerOfTen(-3);
                case "k" -> value.scaleByPowerOfTen(3);
                case "M" -> value.scaleByPowerOfTen(6);
                case "G" -> value.scaleByPowerOfTen(9);
                case "T" -> value.scaleByPowerOfTen(12);
                case "P" -> value.scaleByPowerOfTen(15);
                case "E" -> value.scaleByPowerOfTen(18);
                default -> value.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1)));
            };
        }
        BigDecimal whole = value.setScale(0, RoundingMode.CEILING);
        try {
            return whole.longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too large", e);
        }
    }
}
