package dev.jetway.scheduler.flow;

/**
 * A band's fairness bookkeeping over its non-empty flows: told when a flow starts or stops holding requests and when
 * its head changes, asked which flow goes next. O(log flows) or better per call.
 */
abstract sealed class FairnessState permits FairnessState.GlobalStrict, FairnessState.RoundRobin {

    static FairnessState of(FairnessPolicy policy) {
        return switch (policy) {
            case GlobalStrictFairness g -> new GlobalStrict();
            case RoundRobinFairness r -> new RoundRobin();
        };
    }

    /** {@code flow} now holds requests. */
    abstract void added(Flow flow);

    /** {@code flow}'s first request changed (it still holds some). */
    abstract void headChanged(Flow flow);

    /** {@code flow} holds no more requests. */
    abstract void removed(Flow flow);

    /** The flow to take the next request from; null when none holds any. */
    abstract Flow next();

    /** A request was taken from {@code flow} (which still holds requests). */
    abstract void took(Flow flow);

    /** Every flow by its head request: the band is one queue. */
    static final class GlobalStrict extends FairnessState {
        private final MinHeap<Flow> flows = new MinHeap<>(Flow.HEAD_ORDER);

        @Override
        void added(Flow flow) {
            flows.add(flow);
        }

        @Override
        void headChanged(Flow flow) {
            flows.changed(flow);
        }

        @Override
        void removed(Flow flow) {
            flows.remove(flow);
        }

        @Override
        Flow next() {
            return flows.peek();
        }

        @Override
        void took(Flow flow) {
            flows.changed(flow);
        }
    }

    /** The flows in a ring; each takes one request in turn. A flow that starts holding requests queues up last. */
    static final class RoundRobin extends FairnessState {
        private Flow cursor;

        @Override
        void added(Flow flow) {
            if (cursor == null) {
                flow.next = flow;
                flow.prev = flow;
                cursor = flow;
            } else {
                // just before the cursor: the last to get a turn
                flow.next = cursor;
                flow.prev = cursor.prev;
                cursor.prev.next = flow;
                cursor.prev = flow;
            }
        }

        @Override
        void headChanged(Flow flow) {
        }

        @Override
        void removed(Flow flow) {
            if (flow.next == flow) {
                cursor = null;
            } else {
                flow.prev.next = flow.next;
                flow.next.prev = flow.prev;
                if (cursor == flow) {
                    cursor = flow.next;
                }
            }
            flow.next = null;
            flow.prev = null;
        }

        @Override
        Flow next() {
            return cursor;
        }

        @Override
        void took(Flow flow) {
            if (cursor == flow) {
                cursor = flow.next;
            }
        }
    }
}
