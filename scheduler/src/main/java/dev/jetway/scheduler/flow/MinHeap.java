package dev.jetway.scheduler.flow;

import java.util.Arrays;
import java.util.Comparator;

/**
 * A binary min-heap whose elements record their own position, so that removing or re-keying any element is
 * O(log n) (java.util.PriorityQueue removes in O(n)). Not thread-safe: the controller's lock guards it. The array
 * shrinks again after a burst, so a drained heap holds no memory for the requests it once had.
 */
final class MinHeap<T extends HeapNode> {

    private static final int INITIAL = 4;

    private final Comparator<? super T> order;
    private HeapNode[] items = new HeapNode[INITIAL];
    private int size;

    MinHeap(Comparator<? super T> order) {
        this.order = order;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The i-th element in heap order (for iteration; not sorted). */
    @SuppressWarnings("unchecked")
    T get(int i) {
        return (T) items[i];
    }

    @SuppressWarnings("unchecked")
    T peek() {
        return size == 0 ? null : (T) items[0];
    }

    void add(T node) {
        if (node.heapIndex >= 0) {
            throw new IllegalStateException("already in a heap");
        }
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size] = node;
        node.heapIndex = size;
        size++;
        siftUp(node.heapIndex);
    }

    T poll() {
        T head = peek();
        if (head != null) {
            remove(head);
        }
        return head;
    }

    /** Removes {@code node}, which must be in this heap. */
    void remove(T node) {
        int i = node.heapIndex;
        if (i < 0 || i >= size || items[i] != node) {
            throw new IllegalStateException("not in this heap");
        }
        size--;
        HeapNode last = items[size];
        items[size] = null;
        node.heapIndex = -1;
        if (i != size) {
            items[i] = last;
            last.heapIndex = i;
            changed(i);
        }
        if (items.length > 64 && size < items.length / 4) {
            items = Arrays.copyOf(items, items.length / 2);
        }
    }

    /** {@code node}'s key changed: restore the heap order. */
    void changed(T node) {
        changed(node.heapIndex);
    }

    /** Reorders everything after many keys changed (O(n)). */
    void rebuild() {
        for (int i = size / 2 - 1; i >= 0; i--) {
            siftDown(i);
        }
    }

    private void changed(int i) {
        if (i > 0 && less(i, (i - 1) / 2)) {
            siftUp(i);
        } else {
            siftDown(i);
        }
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!less(i, parent)) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int left = 2 * i + 1;
            if (left >= size) {
                return;
            }
            int child = left + 1 < size && less(left + 1, left) ? left + 1 : left;
            if (!less(child, i)) {
                return;
            }
            swap(i, child);
            i = child;
        }
    }

    @SuppressWarnings("unchecked")
    private boolean less(int a, int b) {
        return order.compare((T) items[a], (T) items[b]) < 0;
    }

    private void swap(int a, int b) {
        HeapNode x = items[a];
        items[a] = items[b];
        items[b] = x;
        items[a].heapIndex = a;
        items[b].heapIndex = b;
    }
}
