// A named pipe's in-core state (Linux fs/pipe.c, much reduced): bytes written and not yet read, and
// the number of open read and write ends. The model never blocks: where Linux would sleep, a read of
// an empty pipe with writers open is EAGAIN and an open that would wait for the other end succeeds
// (O_NONBLOCK write-only with no reader is ENXIO, as Linux). Capacity is Linux's default 64 KiB.

export const PIPE_BUF_CAPACITY = 65536;

export class FifoBuffer {
  readers = 0;
  writers = 0;
  /** Unread bytes, as a queue of chunks; `head` is the read offset into chunks[0]. */
  private chunks: Uint8Array[] = [];
  private head = 0;
  size = 0;

  write(buf: Uint8Array, off: number, len: number): number {
    const n = Math.min(len, PIPE_BUF_CAPACITY - this.size);
    if (n > 0) {
      this.chunks.push(buf.slice(off, off + n));
      this.size += n;
    }
    return n;
  }

  read(buf: Uint8Array, off: number, len: number): number {
    let done = 0;
    while (done < len && this.chunks.length > 0) {
      const c = this.chunks[0]!;
      const n = Math.min(len - done, c.length - this.head);
      buf.set(c.subarray(this.head, this.head + n), off + done);
      done += n;
      this.head += n;
      if (this.head === c.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    this.size -= done;
    return done;
  }
}
