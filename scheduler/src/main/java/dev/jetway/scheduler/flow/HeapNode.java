package dev.jetway.scheduler.flow;

/** Something that sits in at most one {@link MinHeap} and knows where, so it can be removed in O(log n). */
abstract class HeapNode {

    /** Position in its heap; -1 when in none. */
    int heapIndex = -1;
}
