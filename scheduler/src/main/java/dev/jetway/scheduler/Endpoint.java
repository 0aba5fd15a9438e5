package dev.jetway.scheduler;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One model-server endpoint (pod and port): identity, labels, the latest metrics snapshot, and the requests and
 * prompt tokens the gateway has in flight on it.
 *
 * <p>Threading: the data layer swaps {@link #updateMetrics metrics} from its own thread while schedulers read them;
 * the snapshot is immutable and published through a volatile field. In-flight counters are changed only by the
 * {@link Scheduler}'s lifecycle hooks, so each request is counted once however many threads run.
 *
 * <p>Active-active: with peer gateways, the in-flight getters add what the peers last reported they have in flight
 * here ({@link #peerInFlight}), so every plugin sees the pool-wide load one gateway alone would have counted;
 * {@link #ownInFlight()} is this gateway's share, the part it reports to its peers.
 */
public final class Endpoint {

    /** llm-d's role label: {@code prefill}, {@code decode}, {@code both}, ... */
    public static final String ROLE_LABEL = "llm-d.ai/role";

    private final String id;
    private final String address;
    private final Map<String, String> labels;
    private volatile MetricsSample sample = MetricsSample.NONE;
    private final AtomicInteger inFlightRequests = new AtomicInteger();
    private final AtomicLong inFlightTokens = new AtomicLong();
    private final AtomicLong inFlightContextTokens = new AtomicLong();
    private final AtomicInteger inFlightPrefills = new AtomicInteger();
    /** The sum of the peers' last reports; {@link InFlightCounts#ZERO} without peers. */
    private volatile InFlightCounts peers = InFlightCounts.ZERO;
    private volatile Attachment attachment;

    private record Attachment(Object owner, Object value) {
    }

    /**
     * @param id      stable unique id (llm-d uses namespace/pod name; for static pools the address is fine)
     * @param address {@code host:port} to send requests to
     * @param labels  endpoint labels, e.g. {@value #ROLE_LABEL}
     */
    public Endpoint(String id, String address, Map<String, String> labels) {
        this.id = Objects.requireNonNull(id, "id");
        this.address = Objects.requireNonNull(address, "address");
        this.labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** An unlabeled endpoint whose id is its address. */
    public static Endpoint of(String address) {
        return new Endpoint(address, address, Map.of());
    }

    public String id() {
        return id;
    }

    public String address() {
        return address;
    }

    public Map<String, String> labels() {
        return labels;
    }

    /** The {@value #ROLE_LABEL} label, or null. */
    public String role() {
        return labels.get(ROLE_LABEL);
    }

    /** The latest metrics snapshot ({@link EndpointMetrics#UNKNOWN} before the first scrape). */
    public EndpointMetrics metrics() {
        return sample.metrics();
    }

    /**
     * The latest snapshot with this gateway's in-flight counts at the moment it was published, read together: what
     * changed here since the scrape is the difference to the counts now (flow control's saturation detectors use it
     * to see past a late or missing scrape).
     */
    public MetricsSample metricsSample() {
        return sample;
    }

    /**
     * Publishes a new snapshot, recording the in-flight counts it goes with; readers see either the old or the new
     * one, never a mix.
     */
    public void updateMetrics(EndpointMetrics snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        this.sample = new MetricsSample(snapshot, inFlightRequests.get(), inFlightContextTokens.get());
    }

    /**
     * Replaces what the scorers see without a new report (a host showing a stale endpoint as saturated), keeping the
     * engine's last report and its in-flight basis for flow control's estimate.
     */
    public void showMetrics(EndpointMetrics shown) {
        Objects.requireNonNull(shown, "shown");
        MetricsSample s = sample;
        this.sample = new MetricsSample(shown, s.scraped(), s.inFlightRequests(), s.inFlightContextTokens());
    }

    /** Requests routed here by this gateway (and its peers) and not finished yet. */
    public int inFlightRequests() {
        return inFlightRequests.get() + peers.requests();
    }

    /** Uncached prompt tokens routed here whose prefill has not produced a first token yet. */
    public long inFlightTokens() {
        return inFlightTokens.get() + peers.tokens();
    }

    /**
     * KV the requests in flight here added, as this gateway counts it: each request's uncached prompt tokens, held
     * until it completes. A shared prefix counts once (for the request that brought it), like the unique blocks of
     * Dynamo's active sequences; known at routing time, without waiting for a scrape.
     */
    public long inFlightContextTokens() {
        return inFlightContextTokens.get() + peers.contextTokens();
    }

    /** Requests routed here by this gateway (and its peers) whose first token has not come back yet. */
    public int inFlightPrefills() {
        return inFlightPrefills.get() + peers.prefills();
    }

    /** What this gateway alone has in flight here (what it tells its peers). */
    public InFlightCounts ownInFlight() {
        return new InFlightCounts(inFlightRequests.get(), inFlightTokens.get(), inFlightContextTokens.get(),
                inFlightPrefills.get());
    }

    /** What the peer gateways last reported in flight here, summed. */
    public InFlightCounts peerInFlight() {
        return peers;
    }

    /** Replaces the peers' share (the sum of their latest reports); {@link InFlightCounts#ZERO} forgets it. */
    public void peerInFlight(InFlightCounts sum) {
        this.peers = java.util.Objects.requireNonNull(sum, "sum");
    }

    /**
     * State a long-lived component keeps per endpoint (e.g. the latency model's regression), found without a map
     * lookup: the value {@link #attach attached} by {@code owner}, or null. One owner at a time; another owner's
     * attachment simply replaces it (and the first owner then looks its state up again).
     */
    public <T> T attachment(Object owner, Class<T> type) {
        Attachment a = attachment;
        return a != null && a.owner() == owner ? type.cast(a.value()) : null;
    }

    /** Attaches {@code value} on behalf of {@code owner} (see {@link #attachment}). */
    public void attach(Object owner, Object value) {
        attachment = new Attachment(owner, value);
    }

    void addInFlight(int requests, long tokens) {
        addInFlight(requests, tokens, 0, 0);
    }

    void addInFlight(int requests, long tokens, long contextTokens, int prefills) {
        if (requests != 0) {
            inFlightRequests.addAndGet(requests);
        }
        if (prefills != 0) {
            inFlightPrefills.addAndGet(prefills);
        }
        if (tokens != 0) {
            inFlightTokens.addAndGet(tokens);
        }
        if (contextTokens != 0) {
            inFlightContextTokens.addAndGet(contextTokens);
        }
    }

    @Override
    public String toString() {
        return id.equals(address) ? id : id + "(" + address + ")";
    }
}
