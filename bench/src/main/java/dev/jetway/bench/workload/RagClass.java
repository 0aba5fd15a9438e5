package dev.jetway.bench.workload;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Retrieval-augmented generation: a long prompt and a short answer. Each request is the class's system prompt, one
 * retrieved document set from a corpus of {@code numDocuments}, and a new question. Document sets are drawn with
 * Zipf popularity ({@link ZipfSampler}), so popular ones recur and a replica that has one cached can serve the next
 * question about it from its prefix cache; the corpus is finite, so most of it is retrieved rarely.
 *
 * @param documentLen length of each document set, drawn once per document (a document keeps its length)
 * @param zipfExponent popularity skew: document k (0 = most popular) is retrieved with weight 1/(k+1)^exponent
 */
public record RagClass(double weight, IntDistribution systemPromptLen, int numDocuments, IntDistribution documentLen,
                       double zipfExponent, IntDistribution questionLen, IntDistribution outputLen)
        implements RequestClass {

    private static final int SYSTEM = 1;
    private static final int DOCUMENT = 2;
    private static final int DOCUMENT_LEN = 3;
    private static final int QUESTION = 4;
    private static final int LENGTHS = 5;
    private static final int PICK = 6;

    public RagClass {
        RequestClass.requirePositive(weight);
        if (numDocuments < 1) {
            throw new IllegalArgumentException("num_documents must be >= 1: " + numDocuments);
        }
        if (!(zipfExponent >= 0) || Double.isInfinite(zipfExponent)) {
            throw new IllegalArgumentException("zipf_exponent must be >= 0: " + zipfExponent);
        }
    }

    @Override
    public String type() {
        return "rag";
    }

    @Override
    public Source source(long classSeed, String name) {
        ZipfSampler popularity = new ZipfSampler(numDocuments, zipfExponent);
        Segment system = new Segment(FillerWords.seedStartingWith(FillerWords.derive(classSeed, SYSTEM), 0),
                systemPromptLen.sample(new SplittableRandom(FillerWords.derive(classSeed, SYSTEM, 1))));
        return (index, ordinal) -> {
            int doc = popularity.rank(FillerWords.uniform(FillerWords.derive(classSeed, PICK, ordinal)));
            int docLen = Math.max(1, documentLen.sample(new SplittableRandom(
                    FillerWords.derive(classSeed, DOCUMENT_LEN, doc))));
            SplittableRandom lengths = new SplittableRandom(FillerWords.derive(classSeed, LENGTHS, ordinal));
            Segment document = new Segment(FillerWords.derive(classSeed, DOCUMENT, doc), docLen);
            Segment question = new Segment(FillerWords.derive(classSeed, QUESTION, ordinal),
                    Math.max(1, questionLen.sample(lengths)));
            int output = Math.max(1, outputLen.sample(lengths));
            return new WorkloadRequest(index, new Prompt(List.of(system, document, question)), output,
                    name + "-doc-" + doc);
        };
    }
}
